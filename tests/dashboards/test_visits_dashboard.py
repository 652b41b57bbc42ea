"""The monitoring visits dashboard against hand-computed figures; visits go through the sync
API, so the stored outcome, per-domain counts, missed items and per-period sums are real.

Acme Homecare, September and October 2026 (default checklist: 29 items, 58 points; item
indexes as in careobs/checklists/default.py), seen by its manager:

===  ======================  ===========  ==========================================  =====  ====
     planned (local)         type         ratings (others Met)                        score  late
===  ======================  ===========  ==========================================  =====  ====
V1   Thu 10 Sep 10:00 BST    unannounced  —                                           100.0  +5
V2   Thu 24 Sep 14:00 BST    announced    10 not met; 14, 15 partly                   93.1   +12
V8   Thu 1 Oct 00:30 BST     announced    26 partly                                   98.3   +25
V3   Thu 8 Oct 09:00 BST     unannounced  9★ not met; 10 partly                       94.8 R -3
V4   Tue 20 Oct 11:00 BST    responsive   10, 14, 16 not met; 21 partly; 0, 1 N/A     87.0   +45
V5   Fri 30 Oct 16:00 GMT    unannounced  every item N/A (stored before issue 12)     —      0
===  ======================  ===========  ==========================================  =====  ====

V5 is unscored: a visit with nothing applicable can no longer be submitted, but one stored
before that still counts as a visit, with no score and no band (tests/visits/legacy.py).

V8 is planned at 23:30 UTC on 30 September: October in London. Not counted: a draft, and a visit
in Acme Rural, which this manager does not manage.
"""

from __future__ import annotations

import csv
import io
import uuid

import pytest
import sqlalchemy as sa

from careobs.dashboards.visits import LATENESS
from careobs.visits.models import (
    MonitoringVisit,
    VisitDomainPeriod,
    VisitDomainScore,
    VisitMissedItem,
)
from tests.support.dashboards import (
    column_values,
    html_tables,
    local,
    rendered,
    rows_by_first,
    table_of,
    write,
)
from tests.support.dashboards import headline as headline_of
from tests.support.database import count, stored
from tests.support.sync import revise
from tests.support.visits import publish_new_version
from tests.visits.legacy import old_unscored_submissions_accepted

RANGE = {"date_from": "2026-09-01", "date_to": "2026-10-31", "grouping": "month"}
API = "/api/v1/dashboards/visits"
DOMAINS = [
    "Appearance",
    "Timekeeping",
    "Arrival and greeting",
    "Infection control",  # renamed in version 2
    "Care plan",
    "Communication and consent",
    "Dignity and privacy",
    "Moving and handling",
    "Meals and drinks",
    "Medicines",
    "Record keeping",
    "Safeguarding and risk",
    "The person's view",
]
PPE = "PPE used and disposed of correctly"  # item 10, reworded in version 2


def rename(draft) -> None:
    draft.domains[3].name = "Infection control"
    draft.domains[3].items[1].text = PPE


def fetch(client, **params) -> dict:
    response = client.get(API, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def scores(*values) -> float:
    return sum(values) / len(values) / 100


@pytest.fixture
def visits(app, db, acme, checklist, visit, admin_sync, monkeypatch):
    documents = {
        "V1": visit(local(2026, 9, 10, 10), late=5, visit_type="unannounced"),
        "V2": visit(
            local(2026, 9, 24, 14),
            late=12,
            visit_type="announced",
            ratings={10: "not_met", 14: "partly", 15: "partly"},
        ),
        "V8": visit(
            local(2026, 10, 1, 0, 30), late=25, visit_type="announced", ratings={26: "partly"}
        ),
        "V3": visit(
            local(2026, 10, 8, 9),
            late=-3,
            visit_type="unannounced",
            ratings={9: "not_met", 10: "partly"},
        ),
        "V4": visit(
            local(2026, 10, 20, 11),
            late=45,
            visit_type="responsive",
            ratings={10: "not_met", 14: "not_met", 16: "not_met", 21: "partly", 0: "na", 1: "na"},
        ),
        "V5": visit(local(2026, 10, 30, 16), late=0, visit_type="unannounced", rating="na"),
        "draft": visit(
            local(2026, 10, 14, 10), rating="not_met", visit_type="unannounced", status="draft"
        ),
        "rural": visit(
            local(2026, 10, 12, 10),
            service=acme.rural,
            staff=acme.rita,
            person="X01",
            rating="partly",
            visit_type="unannounced",
        ),
    }
    old = documents.pop("V5")
    write(admin_sync, *documents.values())
    with monkeypatch.context() as patch:
        old_unscored_submissions_accepted(patch)
        write(admin_sync, old)
    documents["V5"] = old
    publish_new_version(app, db, checklist, acme.admin, rename)
    return documents


def test_average_score_per_period(visits, acme, client_as):
    table = table_of(fetch(client_as(acme.home_manager), **RANGE), "scores")

    # period, visits, scored: V5 has no score
    assert [row[:3] for row in table["rows"]] == [["Sep 2026", 2, 2], ["Oct 2026", 4, 3]]
    assert table["rows"][0][3] == pytest.approx(scores(100.0, 93.1))
    assert table["rows"][1][3] == pytest.approx(scores(98.3, 94.8, 87.0))
    assert column_values(table, "note") == ["small sample: n = 2", "small sample: n = 3"]


def test_band_and_late_counts_per_period(visits, acme, client_as):
    table = table_of(fetch(client_as(acme.home_manager), **RANGE), "bands")

    assert table["rows"] == [
        # period, visits, green, amber, red, unscored, late (more than 10 minutes)
        ["Sep 2026", 2, 2, 0, 0, 0, 1],
        ["Oct 2026", 4, 1, 1, 1, 1, 2],
    ]


def test_domain_grid_of_percent_met(visits, acme, client_as):
    table = table_of(fetch(client_as(acme.home_manager), **RANGE), "domains")

    assert [c["label"] for c in table["columns"]] == [
        "Domain",
        "Sep 2026",
        "Oct 2026",
        "Items rated (n)",
    ]
    assert [row[0] for row in table["rows"]] == DOMAINS
    grid = rows_by_first(table)
    assert grid["Appearance"][1:] == [1.0, 1.0, 13]  # V4 rated one of three (two N/A)
    assert grid["Infection control"][1:] == [3 / 4, 3 / 6, 10]
    assert grid["Communication and consent"][1:] == [6 / 8, 10 / 12, 20]
    assert grid["Meals and drinks"][1:] == [1.0, 5 / 6, 10]
    assert grid["Record keeping"][1:] == [1.0, 2 / 3, 5]
    assert grid["Medicines"][1:] == [1.0, 1.0, 15]
    assert table["rows"] and "heat-" in _page(client_as(acme.home_manager))


def _page(client, **params) -> str:
    response = client.get("/dashboards/visits", query_string=RANGE | params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_domain_grid_is_the_same_from_whole_and_partial_periods(visits, acme, client_as):
    """Whole months come from the per-period sums, a range cut mid-month from the per-visit
    rows: both give the same cells (V8 is in October either way)."""
    client = client_as(acme.home_manager)
    whole = rows_by_first(table_of(fetch(client, **RANGE), "domains"))
    parts = rows_by_first(
        table_of(
            fetch(client, date_from="2026-09-02", date_to="2026-10-30", grouping="month"),
            "domains",
        )
    )
    assert parts == whole

    october = fetch(client, date_from="2026-10-01", date_to="2026-10-31", grouping="week")
    weeks = table_of(october, "domains")
    labels = [c["label"] for c in weeks["columns"][1:-1]]
    assert labels == [
        "w/c 28 Sep 2026 (part)",
        "w/c 5 Oct 2026",
        "w/c 12 Oct 2026",
        "w/c 19 Oct 2026",
        "w/c 26 Oct 2026 (part)",
    ]
    record = rows_by_first(weeks)["Record keeping"]
    # V8 (partly) in the first, cut week; V3 the second; nothing the third; V4 the fourth;
    # V5 (N/A only) the last.
    assert record[1:] == [0.0, 1.0, None, 1.0, None, 3]


def test_names_come_from_the_newest_published_version_not_a_draft(
    app, db, visits, acme, checklist, client_as
):
    def reword(draft) -> None:
        draft.domains[4].name = "Care plan (draft wording)"
        draft.domains[3].items[1].text = "PPE (draft wording)"

    with app.app_context():
        from careobs.checklists import service as checklists
        from careobs.checklists.models import Checklist

        row = db.scalar(sa.select(Checklist).where(Checklist.uuid == uuid.UUID(checklist.id)))
        reword(checklists.start_draft(db, row, acme.admin))
        db.commit()

    payload = fetch(client_as(acme.home_manager), **RANGE)

    assert [row[0] for row in table_of(payload, "domains")["rows"]] == DOMAINS
    assert table_of(payload, "missed")["rows"][0][0] == PPE


def test_most_missed_items(visits, acme, checklist, client_as):
    table = table_of(fetch(client_as(acme.home_manager), **RANGE), "missed")
    items = [i.text for i in checklist.items]

    # Shares are out of the 5 scored visits (V5, unscored, rated nothing).
    rows = table["rows"]
    assert rows[0] == [PPE, "Infection control", 3, 2, 1, 3 / 5]
    assert rows[1] == [items[14], "Communication and consent", 2, 1, 1, 2 / 5]
    assert sorted(map(tuple, rows[2:])) == sorted(
        [
            (items[9], "Infection control", 1, 1, 0, 1 / 5),
            (items[15], "Communication and consent", 1, 0, 1, 1 / 5),
            (items[16], "Communication and consent", 1, 1, 0, 1 / 5),
            (items[21], "Meals and drinks", 1, 0, 1, 1 / 5),
            (items[26], "Record keeping", 1, 0, 1, 1 / 5),
        ]
    )
    assert [c["label"] for c in table["columns"]][-1] == "Share of scored visits"
    assert "out of the 5 scored visits" in table["caption"]


def test_lateness_bands(visits, acme, client_as):
    table = table_of(fetch(client_as(acme.home_manager), **RANGE), "lateness")

    assert [row[0] for row in table["rows"]] == [label for label, _ in LATENESS]
    assert [row[1:] for row in table["rows"]] == [
        [2, 2 / 6],  # V3 three minutes early, V5 on the minute
        [1, 1 / 6],  # V1 +5
        [1, 1 / 6],  # V2 +12
        [1, 1 / 6],  # V8 +25
        [1, 1 / 6],  # V4 +45
        [0, 0.0],
    ]
    assert "recorded: 6; without: 0" in table["caption"]


def test_headline(visits, acme, client_as):
    assert headline_of(fetch(client_as(acme.home_manager), **RANGE)) == {
        "Visits": "6",
        # (100 + 93.1 + 98.3 + 94.8 + 87.0) / 5
        "Average score": "94.6% (over 5 scored visits)",
        "Green": "3 of 5 scored (60.0%)",
        "Amber": "1 of 5 scored (20.0%)",
        "Red": "1 of 5 scored (20.0%)",
        "Unscored": "1 of 6 visits (16.7%)",
        "Unannounced": "3 of 6 visits (50.0%)",
        "Late arrivals": "3 of 6 visits (50.0%)",
    }


def test_visit_type_filter(visits, acme, client_as):
    payload = fetch(client_as(acme.home_manager), **RANGE, visit_type="unannounced")

    assert [row[:3] for row in table_of(payload, "scores")["rows"]] == [
        ["Sep 2026", 1, 1],
        ["Oct 2026", 2, 1],  # V3 and V5 (unscored)
    ]
    assert table_of(payload, "scores")["rows"][1][3] == pytest.approx(0.948)
    grid = rows_by_first(table_of(payload, "domains"))
    assert grid["Infection control"][1:] == [1.0, 0.0, 4]  # V1 2/2; V3 partly and not met
    missed = table_of(payload, "missed")["rows"]
    assert sorted(row[0] for row in missed) == sorted([PPE, "Hand hygiene before contact"])
    assert headline_of(payload)["Visits"] == "3"
    assert payload["filters"]["visit_type"] == "unannounced"


def test_the_admin_also_counts_the_other_service(visits, acme, client_as):
    payload = fetch(client_as(acme.admin), **RANGE)

    assert table_of(payload, "bands")["rows"][1][:2] == ["Oct 2026", 5]
    rural_only = fetch(client_as(acme.admin), **RANGE, service=str(acme.rural.uuid))
    assert table_of(rural_only, "bands")["rows"] == [
        ["Sep 2026", 0, 0, 0, 0, 0, 0],
        ["Oct 2026", 1, 0, 0, 1, 0, 0],
    ]


def test_an_empty_period_says_so(acme, checklist, client_as):
    payload = fetch(client_as(acme.home_manager), **RANGE)

    assert table_of(payload, "scores")["rows"] == [
        ["Sep 2026", 0, 0, None, "no visits"],
        ["Oct 2026", 0, 0, None, "no visits"],
    ]
    assert table_of(payload, "domains")["rows"] == []
    assert headline_of(payload)["Average score"] == "—"
    page = _page(client_as(acme.home_manager))
    assert "No visits for these filters." in page


def test_page_json_and_csv_show_the_same_numbers(visits, acme, client_as):
    client = client_as(acme.home_manager)
    payload = fetch(client, **RANGE)
    shown = html_tables(_page(client))

    for table in payload["tables"]:
        assert shown[table["key"]] == rendered(table), table["key"]
        response = client.get(
            "/dashboards/visits.csv", query_string=RANGE | {"table": table["key"]}
        )
        assert response.status_code == 200
        lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
        assert lines[1:] == rendered(table, for_csv=True), table["key"]


# -- the rows the dashboards read are written once ----------------------------------------------


def test_a_draft_gets_report_rows_only_when_submitted_and_only_once(
    acme, visit, admin_sync, db, client_as
):
    ratings = {10: "not_met", 14: "partly"}
    draft = visit(local(2026, 10, 8, 9), visit_type="unannounced", ratings=ratings, status="draft")
    write(admin_sync, draft)
    visit_row = stored(db, MonitoringVisit, draft)
    assert count(db, VisitDomainScore) == 0
    assert count(db, VisitMissedItem) == 0
    assert count(db, VisitDomainPeriod) == 0

    # Edited as a draft, then submitted.
    assert admin_sync(revise(draft, 2, to_develop="Dry hands."))[0]["status"] == "updated"
    assert count(db, VisitDomainScore) == 0
    submitted = revise(draft, 3, status="submitted")
    assert admin_sync(submitted)[0]["status"] == "updated"
    # The same submission again (a retry from the device) changes nothing.
    assert admin_sync(submitted)[0]["status"] == "unchanged"

    assert count(db, VisitDomainScore) == 13
    assert count(db, VisitDomainScore, VisitDomainScore.visit_id == visit_row.id) == 13
    missed = db.execute(sa.select(VisitMissedItem.rating).order_by(VisitMissedItem.rating)).all()
    assert [r.rating for r in missed] == ["not_met", "partly"]
    assert count(db, VisitDomainPeriod) == 13 * 2  # one per domain for the week and the month
    met = db.scalar(sa.select(sa.func.sum(VisitDomainPeriod.n_met)))
    assert met == 27 * 2

    payload = fetch(client_as(acme.home_manager), **RANGE)
    assert table_of(payload, "bands")["rows"][1] == ["Oct 2026", 1, 1, 0, 0, 0, 0]
    grid = rows_by_first(table_of(payload, "domains"))
    assert grid["Infection prevention and control"][1:] == [None, 1 / 2, 2]
    assert [row[2] for row in table_of(payload, "missed")["rows"]] == [1, 1]
