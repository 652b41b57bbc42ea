"""Bands that add up and bands from the exact fraction (issue 12), against hand-computed
figures; every visit goes through the sync API, so the stored outcome is the real one.

Acme Homecare, September and October 2026, default checklist (29 items, 58 points; ★ item 9
is critical), seen by its manager:

=========  ====  =====  =========================================  ================  ========
band       Sep   Oct    ratings (others Met)                        score             type
=========  ====  =====  =========================================  ================  ========
green      9     10     all Met                                     58/58 = 100.0     unann.
amber      4     4      10, 14, 16 not met; 21 partly               51/58 = 87.9      announced
red        1     1      9★ not met                                  56/58 = 96.6      unann.
red        1     —      0, 1, 2, 5, 6, 7, 8, 10 not met             42/58 = 72.4      unann.
unscored   —     1      every item N/A (stored before issue 12)     —                 unann.
=========  ====  =====  =========================================  ================  ========

31 visits, 30 scored: green 19 of 30 (63.3%; of all 31 it would wrongly read 61.3%), amber 8,
red 3, unscored 1. Two October green visits arrive 15 minutes late.
Averages over the scored visits: September (9 × 100 + 4 × 87.9 + 96.6 + 72.4) / 15 = 94.71%;
October (10 × 100 + 4 × 87.9 + 96.6) / 15 = 96.55%; both months 2868.8 / 30 = 95.63%.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from careobs.db import get_session
from careobs.evidence.pack import CHECKED, FOUND, build
from careobs.org.models import Service
from careobs.visits.models import MonitoringVisit
from careobs.visits.scoring import DEVELOPMENT
from tests.support.dashboards import headline as headline_of
from tests.support.dashboards import html_tables, local, rendered, table_of, write
from tests.support.database import stored
from tests.support.pdf import pdf_text
from tests.visits.big_checklist import big_visit, thousand_items
from tests.visits.legacy import old_unscored_submissions_accepted

RANGE = {"date_from": "2026-09-01", "date_to": "2026-10-31", "grouping": "month"}
API = "/api/v1/dashboards/visits"
AMBER = {10: "not_met", 14: "not_met", 16: "not_met", 21: "partly"}
RED_CRITICAL = {9: "not_met"}
RED_LOW = dict.fromkeys((0, 1, 2, 5, 6, 7, 8, 10), "not_met")


def fetch(client) -> dict:
    response = client.get(API, query_string=RANGE)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def csv_rows(client, table: str) -> list[list[str]]:
    response = client.get("/dashboards/visits.csv", query_string=RANGE | {"table": table})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


@pytest.fixture
def month_of_visits(checklist, visit, admin_sync, monkeypatch):
    """The 31 visits of the module docstring."""
    assert checklist.critical == [9, 13, 20, 23, 24, 25]

    def month(month: int, green: int, late_green: int, red_low: int) -> list[dict]:
        days = iter(range(1, 32))
        made = [
            visit(local(2026, month, next(days), 10), late=15 if n < late_green else 0)
            for n in range(green)
        ]
        made += [
            visit(local(2026, month, next(days), 10), ratings=AMBER, visit_type="announced")
            for _ in range(4)
        ]
        made.append(visit(local(2026, month, next(days), 10), ratings=RED_CRITICAL))
        made += [visit(local(2026, month, next(days), 10), ratings=RED_LOW) for _ in range(red_low)]
        return made

    write(admin_sync, *month(9, green=9, late_green=0, red_low=1))
    write(admin_sync, *month(10, green=10, late_green=2, red_low=0))
    with monkeypatch.context() as patch:
        old_unscored_submissions_accepted(patch)
        write(admin_sync, visit(local(2026, 10, 30, 10), rating="na"))


def test_stored_outcomes_are_the_hand_computed_ones(month_of_visits, db):
    rows = db.execute(
        sa.select(MonitoringVisit.band, MonitoringVisit.score, sa.func.count()).group_by(
            MonitoringVisit.band, MonitoringVisit.score
        )
    ).all()
    assert {tuple(r) for r in rows} == {
        ("green", 100.0, 19),
        ("amber", 87.9, 8),
        ("red", 96.6, 2),
        ("red", 72.4, 1),
        (None, None, 1),
    }


def test_every_band_row_adds_up_to_its_visits(month_of_visits, acme, client_as):
    table = table_of(fetch(client_as(acme.home_manager)), "bands")

    assert [c["label"] for c in table["columns"]] == [
        "Month",
        "Visits (n)",
        "Green",
        "Amber",
        "Red",
        "Unscored",
        "Late arrivals",
    ]
    assert table["rows"] == [
        # period, visits, green, amber, red, unscored, late
        ["Sep 2026", 15, 9, 4, 2, 0, 0],
        ["Oct 2026", 16, 10, 4, 1, 1, 2],
    ]
    for _, visits, green, amber, red, unscored, _late in table["rows"]:
        assert green + amber + red + unscored == visits
    assert table["caption"].startswith("Green + Amber + Red + Unscored = Visits.")
    assert table["chart"]["series"] == ["green", "amber", "red", "unscored"]


def test_the_headline_states_band_shares_out_of_the_scored_visits(month_of_visits, acme, client_as):
    assert headline_of(fetch(client_as(acme.home_manager))) == {
        "Visits": "31",
        "Average score": "95.6% (over 30 scored visits)",  # 2868.8 / 30
        "Green": "19 of 30 scored (63.3%)",
        "Amber": "8 of 30 scored (26.7%)",
        "Red": "3 of 30 scored (10.0%)",
        "Unscored": "1 of 31 visits (3.2%)",
        "Unannounced": "23 of 31 visits (74.2%)",
        "Late arrivals": "2 of 31 visits (6.5%)",
    }


def test_the_average_is_over_the_scored_visits_and_says_so(month_of_visits, acme, client_as):
    table = table_of(fetch(client_as(acme.home_manager)), "scores")

    assert [row[:3] for row in table["rows"]] == [["Sep 2026", 15, 15], ["Oct 2026", 16, 15]]
    assert table["rows"][0][3] == pytest.approx(1420.6 / 15 / 100)
    assert table["rows"][1][3] == pytest.approx(1448.2 / 15 / 100)
    assert "scored visits only" in table["caption"]


def test_missed_item_shares_are_out_of_the_scored_visits(month_of_visits, acme, client_as):
    table = table_of(fetch(client_as(acme.home_manager)), "missed")
    by_item = {row[0]: row[2:] for row in table["rows"]}

    # PPE: 8 amber visits and the low red one; consent-related choices: the 8 amber visits.
    assert by_item["Correct PPE used and disposed of"] == [9, 9, 0, 9 / 30]
    assert by_item["Offered choices"] == [8, 8, 0, 8 / 30]
    assert by_item["Food prepared safely and to preference"] == [8, 0, 8, 8 / 30]
    assert by_item["Hand hygiene before contact"] == [2, 2, 0, 2 / 30]
    assert table["columns"][-1]["label"] == "Share of scored visits"
    assert "out of the 30 scored visits" in table["caption"]


def test_the_month_csv_rows_add_up_and_match_the_page(month_of_visits, acme, client_as):
    client = client_as(acme.home_manager)
    payload = fetch(client)
    lines = csv_rows(client, "bands")

    assert lines[0] == ["Month", "Visits (n)", "Green", "Amber", "Red", "Unscored", "Late arrivals"]
    assert lines[1:] == [
        ["Sep 2026", "15", "9", "4", "2", "0", "0"],
        ["Oct 2026", "16", "10", "4", "1", "1", "2"],
    ]
    for line in lines[1:]:
        assert sum(map(int, line[2:6])) == int(line[1])
    shown = html_tables(client.get("/dashboards/visits", query_string=RANGE).get_data(as_text=True))
    for key in ("bands", "scores", "missed"):
        assert shown[key] == rendered(table_of(payload, key)), key
        assert csv_rows(client, key)[1:] == rendered(table_of(payload, key), for_csv=True), key
    page = client.get("/dashboards/visits", query_string=RANGE).get_data(as_text=True)
    assert "19 of 30 scored (63.3%)" in page


def test_the_evidence_pack_gives_the_dashboards_figures(app, month_of_visits, acme, client_as):
    client = client_as(acme.home_manager)
    payload = fetch(client)
    with app.test_request_context():
        session = get_session()
        service = session.get(Service, acme.homecare.id)
        pack = build(session, service, date(2026, 9, 1), date(2026, 10, 31), date(2026, 11, 27))
    items = {item.title: item for s in pack.sections for st in s.statements for item in st.items}

    checked = items["Monitoring visits (spot checks)"]
    assert checked.kind == CHECKED
    assert checked.facts == [(h["label"], h["value"]) for h in payload["headline"]]
    assert ("Green", "19 of 30 scored (63.3%)") in checked.facts
    bands = items["Outcome bands by month"]
    assert bands.kind == FOUND
    assert bands.table.rows == table_of(payload, "bands")["rows"]
    assert bands.text == (
        "Scored: 30 of 31 visits; unscored (every item N/A): 1. Green + Amber + Red + "
        "Unscored = Visits; each band's share in the figures above is out of the scored visits."
    )
    assert pack.counts["visits"] == 31

    query = {"service": str(acme.homecare.uuid), "date_from": "2026-09-01"}
    query["date_to"] = "2026-10-31"
    assert "19 of 30 scored (63.3%)" in client.get("/evidence/pack", query_string=query).text
    body = client.get("/evidence/pack.pdf", query_string=query).data
    assert "19 of 30 scored (63.3%)" in pdf_text(body)


# --- 1799 of 2000 points: amber, stored and counted -------------------------------------------


def test_1799_of_2000_points_is_stored_and_counted_amber(
    app, db, acme, checklist, admin_sync, client_as
):
    big = thousand_items(app, db, checklist, acme.admin)
    document = big_visit(acme, big, local(2026, 10, 5, 10), met=799, partly=201)
    write(admin_sync, document)

    row = stored(db, MonitoringVisit, document)
    assert (row.points, row.possible) == (1799, 2000)  # 89.95%
    assert (row.score, row.band, row.outcome) == (90.0, "amber", DEVELOPMENT)
    assert row.next_check_on == date(2026, 10, 5) + timedelta(days=90)
    payload = fetch(client_as(acme.home_manager))
    assert table_of(payload, "bands")["rows"][1] == ["Oct 2026", 1, 0, 1, 0, 0, 0]
    assert headline_of(payload)["Amber"] == "1 of 1 scored (100.0%)"
