"""The audits dashboard against hand-computed figures; audits go through the sync API, so the
stored score, band and answers are real.

Acme Care House, September and October 2026 (starter templates: care plan 14 items, 28 points,
critical 5, 6, 8, 11; MAR 14 items, critical 0, 1, 4, 10, 13; IPC 13 items), seen by its
manager:

====  ========================  ============  ==============================  ======  =====
      started (local)           template      ratings (others Met)            score   band
====  ========================  ============  ==============================  ======  =====
CP1   Thu 10 Sep 10:00 BST      care plan R01 —                               100.0   green
CP3   Sun 20 Sep 10:00 BST      care plan R02 0, 1, 2 not met                 78.57   amber
INC   Thu 1 Oct 00:30 BST       incidents     —                               100.0   green
MAR1  Mon 5 Oct 10:00 BST       MAR R01       4★ not met; 2 partly            89.29   red
MAR2  Tue 6 Oct 10:00 BST       MAR R02       2 partly; 3 N/A                 96.15   green
CP2   Mon 12 Oct 10:00 BST      care plan R01 5★ not met                      92.86   red
IPC   Thu 15 Oct 10:00 BST      IPC Lounge    1 partly                        96.15   green
====  ========================  ============  ==============================  ======  =====

INC starts at 23:30 UTC on 30 September: October in London. Not counted for the manager: a
draft care plan audit of R02, and a care plan audit of H01 in Acme Homecare (all Partly met,
50.0, red), which only the admin sees.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

import pytest

from tests.support.audits import CARE_PLAN, INCIDENTS, IPC, MAR, area, audit_doc, person
from tests.support.audits import whole_service as service_subject
from tests.support.dashboards import headline as headline_of
from tests.support.dashboards import html_tables, local, rendered, rows_by_first, table_of, write
from tests.support.sync import iso

RANGE = {"date_from": "2026-09-01", "date_to": "2026-10-31", "grouping": "month"}
API = "/api/v1/dashboards/audits"
HOUSE = "Acme Care House"


def fetch(client, **params) -> dict:
    response = client.get(API, query_string=RANGE | params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def at(when) -> dict:
    return {"started_at": iso(when), "ended_at": iso(when + timedelta(minutes=20))}


@pytest.fixture
def audits(app, db, acme, templates, admin_sync):
    home, cp, mar = acme.care_home, templates[CARE_PLAN], templates[MAR]
    documents = {
        "CP1": audit_doc(home, cp, person("R01"), **at(local(2026, 9, 10, 10))),
        "CP3": audit_doc(
            home,
            cp,
            person("R02"),
            ratings={0: "not_met", 1: "not_met", 2: "not_met"},
            **at(local(2026, 9, 20, 10)),
        ),
        "INC": audit_doc(
            home, templates[INCIDENTS], service_subject(), **at(local(2026, 10, 1, 0, 30))
        ),
        "MAR1": audit_doc(
            home,
            mar,
            person("R01"),
            ratings={4: "not_met", 2: "partly"},
            **at(local(2026, 10, 5, 10)),
        ),
        "MAR2": audit_doc(
            home, mar, person("R02"), ratings={2: "partly", 3: "na"}, **at(local(2026, 10, 6, 10))
        ),
        "CP2": audit_doc(
            home, cp, person("R01"), ratings={5: "not_met"}, **at(local(2026, 10, 12, 10))
        ),
        "IPC": audit_doc(
            home,
            templates[IPC],
            area(acme.areas["Lounge"]),
            ratings={1: "partly"},
            **at(local(2026, 10, 15, 10)),
        ),
        "draft": audit_doc(
            home,
            cp,
            person("R02"),
            rating="not_met",
            status="draft",
            **at(local(2026, 10, 20, 10)),
        ),
        "homecare": audit_doc(
            acme.homecare, cp, person("H01"), rating="partly", **at(local(2026, 10, 9, 10))
        ),
    }
    write(admin_sync, *documents.values())
    return documents


@pytest.fixture
def templates(app, db, acme):
    from tests.support.audits import starter_templates

    return starter_templates(app, db, acme.org.id)


def pct(points: int, possible: int) -> float:
    """A stored score (to one decimal, as a percentage) as a share."""
    return round(points / possible * 100, 1) / 100


def test_score_trend_per_period(audits, acme, client_as):
    table = table_of(fetch(client_as(acme.manager)), "scores")

    assert [row[:3] for row in table["rows"]] == [["Sep 2026", 2, 2], ["Oct 2026", 5, 5]]
    assert table["rows"][0][3] == pytest.approx((pct(28, 28) + pct(22, 28)) / 2)
    october = [pct(25, 28), pct(25, 26), pct(26, 28), pct(25, 26), pct(28, 28)]
    assert table["rows"][1][3] == pytest.approx(sum(october) / 5)
    assert [row[4] for row in table["rows"]] == ["small sample: n = 2", ""]


def test_bands_per_period_sum_to_the_audits(audits, acme, client_as):
    table = table_of(fetch(client_as(acme.manager)), "bands")

    assert table["rows"] == [
        # period, audits, green, amber, red, unscored
        ["Sep 2026", 2, 1, 1, 0, 0],
        ["Oct 2026", 5, 3, 0, 2, 0],
    ]
    for row in table["rows"]:
        assert sum(row[2:]) == row[1]


def test_latest_rating_of_every_subject(audits, acme, client_as):
    table = table_of(fetch(client_as(acme.manager)), "latest")

    assert [row[:7] for row in table["rows"]] == [
        # template, service, subjects, red, amber, green, unscored
        [INCIDENTS, HOUSE, 1, 0, 0, 1, 0],
        [CARE_PLAN, HOUSE, 2, 1, 1, 0, 0],  # R01 red at CP2 (CP1 was green), R02 amber
        [IPC, HOUSE, 1, 0, 0, 1, 0],
        [MAR, HOUSE, 2, 1, 0, 1, 0],
    ]
    assert rows_by_first(table)[CARE_PLAN][7] == f"{CARE_PLAN}, {HOUSE}: 1 amber, 1 red"
    for row in table["rows"]:
        assert sum(row[3:7]) == row[2]


def test_subjects_to_follow_up_worst_first(audits, acme, client_as):
    payload = fetch(client_as(acme.manager))
    table = table_of(payload, "subjects")

    # Not green at their latest audit, worst first per template: R01's care plan (red at CP2,
    # though green at CP1), R02's (amber), R01's MAR (red); the three green subjects are counted
    # in the latest table only.
    assert [row[:5] for row in table["rows"]] == [
        [CARE_PLAN, HOUSE, "R01", "Person", "Red"],
        [CARE_PLAN, HOUSE, "R02", "Person", "Amber"],
        [MAR, HOUSE, "R01", "Person", "Red"],
    ]
    assert table["rows"][0][5] == pytest.approx(pct(26, 28))
    assert table["rows"][0][6] == "2026-10-12"
    latest = table_of(payload, "latest")["rows"]
    not_green = sum(row[2] - row[5] for row in latest)
    assert len(table["rows"]) == not_green
    assert "n = 3" in table["caption"] and "3 subjects green" in table["caption"]


def test_a_red_subject_sorts_before_an_amber_one_by_score_within_its_rating(
    app, db, acme, templates, admin_sync, client_as
):
    cp = templates[CARE_PLAN]
    write(
        admin_sync,
        # R01 amber at 78.6%, R02 red by a critical item at 92.9%: R02 comes first, red
        # before amber whatever the score.
        audit_doc(
            acme.care_home,
            cp,
            person("R01"),
            ratings={0: "not_met", 1: "not_met", 2: "not_met"},
            **at(local(2026, 10, 2, 10)),
        ),
        audit_doc(
            acme.care_home, cp, person("R02"), ratings={5: "not_met"}, **at(local(2026, 10, 3, 10))
        ),
    )
    rows = table_of(fetch(client_as(acme.manager)), "subjects")["rows"]

    assert [(row[2], row[4]) for row in rows] == [("R02", "Red"), ("R01", "Amber")]


def test_most_often_failed_items(audits, acme, client_as, templates):
    table = table_of(fetch(client_as(acme.manager)), "failed")
    cp, mar, ipc = templates[CARE_PLAN], templates[MAR], templates[IPC]

    rows = rows_by_first(table)
    # item: rated, not met, partly, met, share
    assert table["rows"][0][0] == mar.items[2].text  # partly at both MAR audits
    assert rows[mar.items[2].text][2:] == [2, 0, 2, 0, pytest.approx(1.0)]
    assert rows[mar.items[4].text][2:] == [2, 1, 0, 1, pytest.approx(0.5)]
    for index in (0, 1, 2, 5):
        assert rows[cp.items[index].text][1:] == [CARE_PLAN, 3, 1, 0, 2, pytest.approx(1 / 3)]
    assert rows[ipc.items[1].text][2:] == [1, 0, 1, 0, pytest.approx(1.0)]
    assert len(table["rows"]) == 7
    for row in table["rows"]:
        assert row[3] + row[4] + row[5] == row[2]


def test_a_template_filter_narrows_every_table(audits, acme, client_as, templates):
    payload = fetch(client_as(acme.manager), template=templates[MAR].id)

    assert [row[:3] for row in table_of(payload, "scores")["rows"]] == [
        ["Sep 2026", 0, 0],
        ["Oct 2026", 2, 2],
    ]
    assert [row[0] for row in table_of(payload, "latest")["rows"]] == [MAR]
    assert {row[1] for row in table_of(payload, "failed")["rows"]} == {MAR}
    assert payload["filters"]["template"] == templates[MAR].id


def test_the_admin_sees_every_service(audits, acme, client_as):
    payload = fetch(client_as(acme.admin))

    latest = table_of(payload, "latest")["rows"]
    assert [CARE_PLAN, "Acme Care Homecare", 1, 1, 0, 0, 0] in [row[:7] for row in latest]
    assert table_of(payload, "bands")["rows"][1][:5] == ["Oct 2026", 6, 3, 0, 3]


def test_headline_states_its_denominators(audits, acme, client_as):
    figures = headline_of(fetch(client_as(acme.manager)))

    assert figures["Audits"] == "7"
    assert figures["Green"] == "4 of 7 scored (57.1%)"
    assert figures["Red"] == "2 of 7 scored (28.6%)"
    assert figures["Subjects red at their latest audit"] == "2 of 6 subjects (33.3%)"


def test_json_shape(audits, acme, client_as):
    payload = fetch(client_as(acme.manager))

    assert payload["dashboard"] == "audits"
    assert [t["key"] for t in payload["tables"]] == [
        "latest",
        "subjects",
        "ontime",
        "ontime_periods",
        "scores",
        "bands",
        "failed",
        "coaudit_agreement",
        "coaudits_by_service",
    ]
    for table in payload["tables"]:
        assert {"key", "title", "caption", "columns", "rows", "chart"} <= set(table)
        assert all(len(row) == len(table["columns"]) for row in table["rows"])
    assert table_of(payload, "scores")["chart"]["kind"] == "line"


@pytest.mark.parametrize("key", ["latest", "subjects", "scores", "bands", "failed"])
def test_csv_and_page_match_the_table(audits, acme, client_as, key):
    client = client_as(acme.manager)
    table = table_of(fetch(client), key)

    response = client.get("/dashboards/audits.csv", query_string=RANGE | {"table": key})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == [
        c["label"] + (" (%)" if c["kind"] == "pct" else "") for c in table["columns"]
    ]
    assert rows[1:] == rendered(table, for_csv=True)

    page = client.get("/dashboards/audits", query_string=RANGE)
    assert page.status_code == 200
    assert html_tables(page.get_data(as_text=True))[key] == rendered(table)


def test_no_audits_gives_empty_tables_not_errors(acme, client_as, templates):
    payload = fetch(client_as(acme.manager))

    assert table_of(payload, "latest")["rows"] == []
    assert table_of(payload, "failed")["rows"] == []
    assert [row[1] for row in table_of(payload, "bands")["rows"]] == [0, 0]
    assert headline_of(payload)["Average score"] == "—"


# -- access and bad filters ---------------------------------------------------------------------

URLS = ("/dashboards/audits", "/dashboards/audits.csv?table=latest", API)


@pytest.mark.parametrize("role", ["staff", "supervisor", "outsider"])
def test_only_managers_and_admins_may_open_it(acme, client_as, role):
    client = client_as(getattr(acme, role))
    for url in URLS:
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_may(acme, client_as, templates, role):
    client = client_as(getattr(acme, role))
    for url in URLS:
        assert client.get(url).status_code == 200, url


def test_a_manager_does_not_see_a_service_they_do_not_manage(audits, acme, client_as):
    client = client_as(acme.manager)
    response = client.get(API, query_string=RANGE | {"service": str(acme.homecare.uuid)})

    # Not a choice for this manager: the form refuses it rather than widening the scope.
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_filters"


BAD = [
    {"date_from": "yesterday"},
    {"date_from": "2026-10-01", "date_to": "2026-09-01"},
    {"date_from": "9999-01-01"},
    {"grouping": "fortnight"},
    {"template": "not-a-uuid"},
    {"template": str(uuid.uuid4())},
    {"service": "nope"},
]


@pytest.mark.parametrize("params", BAD)
def test_bad_filters_are_refused_never_a_server_error(audits, acme, client_as, params):
    client = client_as(acme.manager)
    for url in ("/dashboards/audits", "/dashboards/audits.csv", API):
        response = client.get(url, query_string=RANGE | params | {"table": "latest"})
        assert response.status_code == 400, (url, params)


def test_an_unknown_table_is_404(acme, client_as, templates):
    response = client_as(acme.manager).get("/dashboards/audits.csv", query_string={"table": "nope"})
    assert response.status_code == 404


def test_a_template_of_another_organisation_is_refused(audits, acme, client_as, data, app, db):
    from tests.support.audits import starter_templates

    other = data.organisation("Other Care", "other")
    theirs = starter_templates(app, db, other.org.id)[MAR]
    response = client_as(acme.manager).get(API, query_string=RANGE | {"template": theirs.id})
    assert response.status_code == 400
