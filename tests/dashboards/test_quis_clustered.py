"""The QUIS dashboard's pooled shares get intervals that treat the session as the unit, and the
dashboard (page, JSON, CSV) and the evidence pack show the same figures.

Three mealtime sessions at Acme Care House in the week of Monday 5 October 2026, written through
the sync API:

=======  ======================  =====  ==========================
session  local start             n      interactions
=======  ======================  =====  ==========================
A        Mon 5 Oct 12:00 BST     10     2 NP, 8 PS
B        Tue 6 Oct 12:00 BST     10     5 NR, 5 PC
C        Wed 7 Oct 12:00 BST     12     9 NP, 3 PS
=======  ======================  =====  ==========================

Negative (y = 2, 5, 9 of n = 10, 10, 12): p = 16/32 = ½; residuals y − p·n = −3, 0, 3;
Σ² = 18; V = 3/2 · 18 / 32² = 27/1024; p(1−p)/n = 8/1024; deff = 27/8; n_eff = 256/27 = 9.48.
Three sessions: Student's t on 2 df, 4.302653, in place of 1.96 (the variance rests on three
sessions). Wilson on (½, 9.48): centre ½, half = 4.302653 · √(0.026367 + 0.051482) / 2.95253
= 0.40660: 9.3%–90.7%. Positive (8, 5, 3 of the same n): p = ½, residuals 3, 0, −3: the same
interval. With 1.96 it would be 23.2%–76.8%.
A Wilson interval treating the 32 interactions as independent would be 33.6%–66.4%.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import date

import pytest
import sqlalchemy as sa

from careobs.dashboards import quis
from careobs.db import get_session
from careobs.evidence.pack import CHECKED, FOUND, build, scope_for
from careobs.org.models import Service
from careobs.quis.scoring import wilson_interval
from tests.support.dashboards import headline as headline_of
from tests.support.dashboards import html_tables, local, rendered, session_doc, table_of, write

API = "/api/v1/dashboards/quis"
WEEK = {"date_from": "2026-10-05", "date_to": "2026-10-11", "grouping": "week"}
OCTOBER = {"date_from": "2026-10-01", "date_to": "2026-10-31", "grouping": "month"}
SENTENCE = (
    "The range the true share probably lies in (95%); it allows for interactions in one "
    "session being alike, so it is wider than a simple interval."
)


T_2 = 4.302653  # Student's t, two-sided 95%, 2 degrees of freedom (printed tables)


def by_hand() -> tuple[float, float]:
    n = 256 / 27
    t2 = T_2 * T_2
    half = T_2 * math.sqrt(0.25 / n + t2 / (4 * n * n)) / (1 + t2 / n)
    return 0.5 - half, 0.5 + half


LOW, HIGH = by_hand()


@pytest.fixture
def three(acme, admin_sync):
    home = acme.care_home
    write(
        admin_sync,
        session_doc(home, local(2026, 10, 5, 12), 30, ["NP"] * 2 + ["PS"] * 8),
        session_doc(home, local(2026, 10, 6, 12), 30, ["NR"] * 5 + ["PC"] * 5),
        session_doc(home, local(2026, 10, 7, 12), 30, ["NP"] * 9 + ["PS"] * 3),
    )


def fetch(client, query) -> dict:
    response = client.get(API, query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_the_hand_computed_interval():
    assert (round(LOW, 4), round(HIGH, 4)) == (0.0934, 0.9066)
    naive = wilson_interval(16, 32)
    assert (round(naive.low, 3), round(naive.high, 3)) == (0.336, 0.664)


def test_trend_context_and_headline_use_the_clustered_interval(three, acme, client_as):
    payload = fetch(client_as(acme.manager), WEEK)

    trend = table_of(payload, "trend")
    assert [c["key"] for c in trend["columns"]] == [
        "period",
        "sessions",
        "n",
        "positive",
        "positive_low",
        "positive_high",
        "negative",
        "negative_low",
        "negative_high",
    ]
    expected = [0.5, pytest.approx(LOW), pytest.approx(HIGH)] * 2
    assert trend["rows"] == [["w/c 5 Oct 2026", 3, 32, *expected]]
    assert SENTENCE in trend["caption"]
    contexts = table_of(payload, "contexts")
    assert contexts["rows"] == [["Mealtime", 3, 32, *expected, ""]]
    assert SENTENCE in contexts["caption"]
    figures = headline_of(payload)
    assert figures["Negative"] == "50.0% (95% 9.3%–90.7%), 32 interactions in 3 sessions"
    assert figures["Positive"] == "50.0% (95% 9.3%–90.7%), 32 interactions in 3 sessions"


def test_one_session_keeps_wilson_and_says_one_session(acme, admin_sync, client_as):
    write(admin_sync, session_doc(acme.care_home, local(2026, 10, 5, 12), 30, ["NP", "PS", "PS"]))

    payload = fetch(client_as(acme.manager), WEEK)

    wilson = wilson_interval(1, 3)
    assert table_of(payload, "trend")["rows"][0][6:] == [1 / 3, wilson.low, wilson.high]
    negative = headline_of(payload)["Negative"]
    assert negative.endswith(", 3 interactions in 1 session")
    assert negative.startswith(f"33.3% (95% {wilson.low * 100:.1f}%–{wilson.high * 100:.1f}%)")


def test_page_csv_and_json_agree_and_the_page_says_what_the_interval_means(three, acme, client_as):
    client = client_as(acme.manager)
    payload = fetch(client, WEEK)
    page = client.get("/dashboards/quis", query_string=WEEK).get_data(as_text=True)

    assert "it allows for interactions in one session being alike" in page
    for figure in payload["headline"]:
        assert f"<dd>{figure['value']}</dd>" in page
    shown = html_tables(page)
    trend = table_of(payload, "trend")
    assert shown["trend"] == rendered(trend)
    assert shown["trend"] == [
        ["w/c 5 Oct 2026", "3", "32", "50.0%", "9.3%", "90.7%", "50.0%", "9.3%", "90.7%"]
    ]
    response = client.get("/dashboards/quis.csv", query_string=WEEK | {"table": "trend"})
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert lines == [
        [
            "Week",
            "Sessions",
            "Interactions (n)",
            "Positive (%)",
            "Positive, 95% range from (%)",
            "Positive, 95% range to (%)",
            "Negative (%)",
            "Negative, 95% range from (%)",
            "Negative, 95% range to (%)",
        ],
        ["w/c 5 Oct 2026", "3", "32", "50.0", "9.3", "90.7", "50.0", "9.3", "90.7"],
    ]


def _pack(app, service, first, last):
    with app.test_request_context():
        session = get_session()
        return build(session, session.get(Service, service.id), first, last, last)


def test_the_evidence_pack_shows_the_dashboards_figures(app, three, acme, client_as):
    client = client_as(acme.manager)
    dashboard = fetch(client, OCTOBER)
    pack = _pack(app, acme.care_home, date(2026, 10, 1), date(2026, 10, 31))

    items = {s.code: s.items for section in pack.sections for s in section.statements}
    checked = next(i for i in items["C1"] if i.kind == CHECKED)
    assert checked.facts == [(h["label"], h["value"]) for h in dashboard["headline"]]
    assert ("Negative", "50.0% (95% 9.3%–90.7%), 32 interactions in 3 sessions") in checked.facts
    trend = next(i.table for i in items["C1"] if i.kind == FOUND and i.table.key == "trend")
    assert [[*row] for row in trend.rows] == table_of(dashboard, "trend")["rows"]
    assert trend.rows[0][:3] == ["Oct 2026", 3, 32]
    page = client.get(
        "/evidence/pack",
        query_string={
            "service": str(acme.care_home.uuid),
            "date_from": "2026-10-01",
            "date_to": "2026-10-31",
        },
    ).get_data(as_text=True)
    assert "<dd>50.0% (95% 9.3%–90.7%), 32 interactions in 3 sessions</dd>" in page
    assert SENTENCE in page


def test_the_dashboard_still_reads_the_sessions_in_two_queries(app, three, acme):
    """One grouped pass by (period, context) and one by start time, whatever the data: the
    clustered intervals' sums ride along in the same queries."""
    engine = app.extensions["careobs.engine"]
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        session = get_session()
        scope = scope_for(session, session.get(Service, acme.care_home.id), *_dates(OCTOBER))
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            overall, _ = quis.tables(session, scope)
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)

    assert len(statements) == 2, statements
    assert all("quis_sessions" in s for s in statements)
    assert (overall.sessions, overall.n, overall.nn) == (3, 32, 100 + 100 + 144)
    assert (overall.negative_yy, overall.negative_yn) == (4 + 25 + 81, 20 + 50 + 108)
    assert (overall.positive_yy, overall.positive_yn) == (64 + 25 + 9, 80 + 50 + 36)


def _dates(query) -> tuple[date, date]:
    return date.fromisoformat(query["date_from"]), date.fromisoformat(query["date_to"])


def test_a_week_observed_too_briefly_says_too_short_to_rate(acme, admin_sync, client_as):
    home = acme.care_home
    write(
        admin_sync,
        # Week of 5 Oct: one 5-minute session, R01 and R02 observed.
        session_doc(home, local(2026, 10, 5, 12), 5, ["PS", "PS"], people=("R01", "R02")),
        # Week of 12 Oct: 30 minutes: 2 interactions / 60 person-minutes = 2.0 an hour.
        session_doc(home, local(2026, 10, 12, 12), 30, ["PS", "PC"], people=("R01", "R02")),
    )
    query = {"date_from": "2026-10-05", "date_to": "2026-10-25", "grouping": "week"}

    people = table_of(fetch(client_as(acme.manager), query), "people")

    assert people["columns"][-1] == {"key": "note", "label": "Note", "kind": "text"}
    assert [(row[0], row[5], row[6]) for row in people["rows"]] == [
        ("w/c 5 Oct 2026", None, "too short to rate"),
        ("w/c 12 Oct 2026", pytest.approx(2 / 60 * 60), ""),
        ("w/c 19 Oct 2026", None, ""),  # nobody observed: a dash, no note
    ]
    assert "too short to rate" in people["caption"] and "10 minutes" in people["caption"]
