"""The QUIS dashboard against hand-computed figures, with sessions written through the sync API
so the per-session counts it groups are the real stored ones.

The fixture, for the care home's manager, from Monday 5 to Sunday 1 November 2026 by week
(all local Europe/London times; clocks go back on Sunday 25 October at 02:00 BST):

=====  =======================  ===========  ===========  ============================  ===
week   session (local start)    context      people       interactions                  min
=====  =======================  ===========  ===========  ============================  ===
5 Oct  S9 Mon 5 Oct 00:15 BST   mealtime     R01          PS                            20
5 Oct  S1 Tue 6 Oct 10:00 BST   mealtime     R01 R02      PS PS PC N NP(R01)            30
12 Oct (none: a draft, and a session in the Annexe, which the manager may not see)
19 Oct S4 Mon 19 Oct 00:30 BST  quiet_time   R02          PC N                          30
19 Oct S2 Sun 25 Oct 23:30 GMT  activity     R01          PS PC PC NR(R01)              60
26 Oct S3 Mon 26 Oct 00:30 GMT  mealtime     R01 R02      PS PS PS N                    45
26 Oct S8 Sun 1 Nov 23:45 GMT   medication   R01 R02      PS NP(R01 R02) NP(R02)        10
=====  =======================  ===========  ===========  ============================  ===

S1 is in the Dining room, S2 in the Lounge. S9 and S4 start on Sunday evening in UTC; S10, at
23:30 BST on Sunday 4 October, is before the range.
"""

from __future__ import annotations

import csv
import io

import pytest

from careobs.statistics import ClusterSums, cluster_interval
from tests.support.dashboards import headline as headline_of
from tests.support.dashboards import html_tables, local, rendered, session_doc, table_of, write

RANGE = {"date_from": "2026-10-05", "date_to": "2026-11-01", "grouping": "week"}
WEEKS = ["w/c 5 Oct 2026", "w/c 12 Oct 2026", "w/c 19 Oct 2026", "w/c 26 Oct 2026"]
API = "/api/v1/dashboards/quis"


@pytest.fixture
def sessions(acme, admin_sync):
    home = acme.care_home
    dining, lounge = acme.areas["Dining room"], acme.areas["Lounge"]
    both = ("R01", "R02")
    write(
        admin_sync,
        # S9: Sunday 4 Oct 23:15 UTC, Monday 00:15 in London: the first week.
        session_doc(home, local(2026, 10, 5, 0, 15), 20, ["PS"], context="mealtime"),
        session_doc(
            home,
            local(2026, 10, 6, 10, 0),
            30,
            ["PS", "PS", "PC", "N", ("NP", ["R01"])],
            people=both,
            area=dining,
            context="mealtime",
        ),
        # S4: Sunday 18 Oct 23:30 UTC, Monday 19 Oct 00:30 BST: the third week, not the second.
        session_doc(
            home, local(2026, 10, 19, 0, 30), 30, ["PC", "N"], people=("R02",), context="quiet_time"
        ),
        # S2: after the change, 23:30 on Sunday 25 Oct is 23:30 UTC: still the third week.
        session_doc(
            home,
            local(2026, 10, 25, 23, 30),
            60,
            ["PS", "PC", "PC", ("NR", ["R01"])],
            area=lounge,
            context="activity",
        ),
        # S3: half an hour later on the clock, Monday 26 Oct 00:30 GMT: the fourth week.
        session_doc(
            home,
            local(2026, 10, 26, 0, 30),
            45,
            ["PS", "PS", "PS", "N"],
            people=both,
            context="mealtime",
        ),
        # S8: the last minutes of the range.
        session_doc(
            home,
            local(2026, 11, 1, 23, 45),
            10,
            ["PS", ("NP", ["R01", "R02"]), ("NP", ["R02"])],
            people=both,
            context="medication",
        ),
        # S10: 23:30 BST on Sunday 4 Oct is before the range (22:30 UTC).
        session_doc(home, local(2026, 10, 4, 23, 30), 30, ["PS"] * 5),
        # A draft in the empty week: never counted.
        session_doc(home, local(2026, 10, 14, 11, 0), 30, ["NR", "NR"], status="draft"),
        # The Annexe, in the empty week: only its managers (here the admin) see it.
        session_doc(
            acme.annexe, local(2026, 10, 13, 14, 0), 30, ["NR", "NR", "PS"], people=("A01",)
        ),
    )


# Each session's (positive, negative, n), from the table above.
S9, S1, S4, S2, S3, S8 = (1, 0, 1), (3, 1, 5), (1, 0, 2), (3, 1, 4), (3, 0, 4), (1, 2, 3)


def shares_with_intervals(*sessions: tuple[int, int, int]) -> list:
    """Shares and their 95% intervals with each session a cluster (tests/test_statistics.py
    checks those against hand-computed values)."""
    n = sum(s[2] for s in sessions)
    if n == 0:
        return [None] * 6
    pos = cluster_interval(ClusterSums.of((s[0], s[2]) for s in sessions))
    neg = cluster_interval(ClusterSums.of((s[1], s[2]) for s in sessions))
    positive, negative = sum(s[0] for s in sessions), sum(s[1] for s in sessions)
    return [positive / n, pos.low, pos.high, negative / n, neg.low, neg.high]


def fetch(client, **params) -> dict:
    response = client.get(API, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_categories_by_week_across_the_october_change(sessions, acme, client_as):
    payload = fetch(client_as(acme.manager), **RANGE)
    categories = table_of(payload, "categories")

    assert [c["key"] for c in categories["columns"]] == [
        "period",
        "sessions",
        "n",
        "PS",
        "PC",
        "N",
        "NP",
        "NR",
        "note",
    ]
    assert categories["rows"] == [
        [WEEKS[0], 2, 6, 3 / 6, 1 / 6, 1 / 6, 1 / 6, 0 / 6, "small sample: n = 6"],
        [WEEKS[1], 0, 0, None, None, None, None, None, "no sessions"],
        [WEEKS[2], 2, 6, 1 / 6, 3 / 6, 1 / 6, 0 / 6, 1 / 6, "small sample: n = 6"],
        [WEEKS[3], 2, 7, 4 / 7, 0 / 7, 1 / 7, 2 / 7, 0 / 7, "small sample: n = 7"],
    ]
    assert payload["filters"] == RANGE


def test_positive_and_negative_trend_with_clustered_intervals(sessions, acme, client_as):
    trend = table_of(fetch(client_as(acme.manager), **RANGE), "trend")

    assert trend["rows"] == [
        [WEEKS[0], 2, 6, *shares_with_intervals(S9, S1)],
        [WEEKS[1], 0, 0, *shares_with_intervals()],
        [WEEKS[2], 2, 6, *shares_with_intervals(S4, S2)],
        [WEEKS[3], 2, 7, *shares_with_intervals(S3, S8)],
    ]
    assert trend["chart"]["bands"] == [
        ["positive_low", "positive_high"],
        ["negative_low", "negative_high"],
    ]


def test_people_with_a_negative_and_interactions_per_person_hour(sessions, acme, client_as):
    people = table_of(fetch(client_as(acme.manager), **RANGE), "people")

    # person-minutes: W1 2×30 + 1×20; W3 1×30 + 1×60; W4 2×45 + 2×10.
    expected = [
        [WEEKS[0], 3, 1, 1 / 3, 80 / 60, 6 / 80 * 60],
        [WEEKS[1], 0, 0, None, 0.0, None],
        [WEEKS[2], 2, 1, 1 / 2, 90 / 60, 6 / 90 * 60],
        [WEEKS[3], 4, 2, 2 / 4, 110 / 60, 7 / 110 * 60],
    ]
    assert [row[:4] for row in people["rows"]] == [row[:4] for row in expected]
    for row, want in zip(people["rows"], expected, strict=True):
        assert row[4] == pytest.approx(want[4])
        assert row[5] == (None if want[5] is None else pytest.approx(want[5]))


def test_by_context(sessions, acme, client_as):
    contexts = table_of(fetch(client_as(acme.manager), **RANGE), "contexts")

    assert contexts["rows"] == [
        ["Mealtime", 3, 10, *shares_with_intervals(S9, S1, S3), "small sample: n = 10"],
        ["Activity", 1, 4, *shares_with_intervals(S2), "small sample: n = 4"],
        ["Medication round", 1, 3, *shares_with_intervals(S8), "small sample: n = 3"],
        ["Quiet time", 1, 2, *shares_with_intervals(S4), "small sample: n = 2"],
    ]


def test_by_local_hour_the_session_started(sessions, acme, client_as):
    hours = table_of(fetch(client_as(acme.manager), **RANGE), "hours")

    assert hours["rows"] == [
        ["00:00–00:59", 3, 7, 5 / 7, 0 / 7, "small sample: n = 7"],
        ["10:00–10:59", 1, 5, 3 / 5, 1 / 5, "small sample: n = 5"],
        ["23:00–23:59", 2, 7, 4 / 7, 3 / 7, "small sample: n = 7"],
    ]


def test_headline_figures(sessions, acme, client_as):
    figures = headline_of(fetch(client_as(acme.manager), **RANGE))

    # Negative, 4 of 19 in 6 sessions: p = 4/19; each session's y − p·n, in 19ths:
    # S9 −4, S1 −1, S4 −8, S2 3, S3 −16, S8 26; Σ² = 1022/361, V = 6/5 · 1022/361 / 19²
    # = 0.0094106 against p(1−p)/n = 60/6859 = 0.0087476: deff = 1.0758, n_eff = 17.661.
    # Six sessions: Student's t on 5 df, 2.570582 (t² = 6.60789), not 1.96.
    # Wilson on (4/19, n = 17.661): t²/n = 0.374152, centre = (0.210526 + 0.187076) / 1.374152
    # = 0.289344, half = 2.570582 · √(0.0094108 + 0.0052963) / 1.374152 = 0.226862, so
    # 6.2%–51.6%; the plain Wilson on 19 interactions would be 8.5%–43.3%.
    # Positive, 12 of 19: y − p·n in 19ths 7, −3, −5, 9, 9, −17; Σ² = 534/361,
    # V = 0.0049171 < p(1−p)/n = 0.012247: deff < 1 counts as 1, so Wilson on 19 with t:
    # t²/n = 0.347784, centre = (0.631579 + 0.173892) / 1.347784 = 0.597626,
    # half = 2.570582 · √(0.0122467 + 0.0045761) / 1.347784 = 0.247378: 35.0%–84.5%.
    assert figures == {
        "Sessions": "6",
        "Interactions (n)": "19",
        "Positive": "63.2% (95% 35.0%–84.5%), 19 interactions in 6 sessions",
        "Negative": "21.1% (95% 6.2%–51.6%), 19 interactions in 6 sessions",
        "Positive : negative": "3.0 : 1",
        "Social share of positives": "66.7%",
        "Interactions per person-hour": "4.1",  # 19 / 280 person-minutes × 60
        "People with a negative interaction": "4 of 9 (44.4%)",
    }


def test_months_are_clipped_to_the_range(sessions, acme, client_as):
    payload = fetch(client_as(acme.manager), **(RANGE | {"grouping": "month"}))

    rows = table_of(payload, "categories")["rows"]
    assert [row[:3] for row in rows] == [["Oct 2026 (part)", 5, 16], ["Nov 2026 (part)", 1, 3]]


def test_context_filter(sessions, acme, client_as):
    payload = fetch(client_as(acme.manager), **RANGE, context="mealtime")

    rows = table_of(payload, "categories")["rows"]
    assert [row[:3] + row[-1:] for row in rows] == [
        [WEEKS[0], 2, 6, "small sample: n = 6"],
        [WEEKS[1], 0, 0, "no sessions"],
        [WEEKS[2], 0, 0, "no sessions"],
        [WEEKS[3], 1, 4, "small sample: n = 4"],
    ]
    assert [row[0] for row in table_of(payload, "contexts")["rows"]] == ["Mealtime"]
    assert payload["filters"]["context"] == "mealtime"


def test_area_filter(sessions, acme, client_as):
    dining = str(acme.areas["Dining room"].uuid)
    payload = fetch(client_as(acme.manager), **RANGE, area=dining)

    rows = table_of(payload, "categories")["rows"]
    assert [row[:3] for row in rows] == [
        [WEEKS[0], 1, 5],
        [WEEKS[1], 0, 0],
        [WEEKS[2], 0, 0],
        [WEEKS[3], 0, 0],
    ]
    assert headline_of(payload)["Sessions"] == "1"


def test_the_admin_sees_every_care_home_and_can_pick_one(sessions, acme, client_as):
    admin = client_as(acme.admin)

    everything = table_of(fetch(admin, **RANGE), "categories")["rows"]
    assert [row[:3] for row in everything] == [
        [WEEKS[0], 2, 6],
        [WEEKS[1], 1, 3],
        [WEEKS[2], 2, 6],
        [WEEKS[3], 2, 7],
    ]
    annexe_only = fetch(admin, **RANGE, service=str(acme.annexe.uuid))
    rows = table_of(annexe_only, "categories")["rows"]
    assert [row[:3] for row in rows] == [
        [WEEKS[0], 0, 0],
        [WEEKS[1], 1, 3],
        [WEEKS[2], 0, 0],
        [WEEKS[3], 0, 0],
    ]
    assert rows[1][3:8] == [1 / 3, 0.0, 0.0, 0.0, 2 / 3]


def test_a_session_with_no_interactions_is_counted_and_noted(acme, admin_sync, client_as):
    write(admin_sync, session_doc(acme.care_home, local(2026, 10, 6, 10, 0), 30, []))

    rows = table_of(fetch(client_as(acme.manager), **RANGE), "categories")["rows"]

    assert rows[0] == [WEEKS[0], 1, 0, None, None, None, None, None, "no interactions"]


def test_no_sessions_at_all(acme, client_as):
    payload = fetch(client_as(acme.manager), **RANGE)

    assert [row[-1] for row in table_of(payload, "categories")["rows"]] == ["no sessions"] * 4
    assert table_of(payload, "contexts")["rows"] == []
    assert table_of(payload, "hours")["rows"] == []
    figures = headline_of(payload)
    assert figures["Positive"] == "—" and figures["Interactions per person-hour"] == "—"
    assert figures["People with a negative interaction"] == "0 of 0"


def test_page_json_and_csv_show_the_same_numbers(sessions, acme, client_as):
    client = client_as(acme.manager)
    payload = fetch(client, **RANGE)
    page = client.get("/dashboards/quis", query_string=RANGE)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    shown = html_tables(text)

    # The observers' calibration is on the page too, as text, not in the JSON or a CSV.
    assert list(shown) == [t["key"] for t in payload["tables"]] + ["calibration"]
    for table in payload["tables"]:
        assert shown[table["key"]] == rendered(table), table["key"]
        response = client.get("/dashboards/quis.csv", query_string=RANGE | {"table": table["key"]})
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        assert (
            f"careobs-quis-{table['key']}-2026-10-05-2026-11-01.csv"
            in (response.headers["Content-Disposition"])
        )
        lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
        header = [c["label"] + (" (%)" if c["kind"] == "pct" else "") for c in table["columns"]]
        assert lines[0] == header
        assert lines[1:] == rendered(table, for_csv=True), table["key"]
    # The empty week is shown honestly.
    empty_week = shown["categories"][1]
    assert empty_week == [WEEKS[1], "0", "0", "—", "—", "—", "—", "—", "no sessions"]
    assert "50.0%" in shown["categories"][0]
    assert (rendered(table_of(payload, "categories"), for_csv=True)[0]) == [
        "w/c 5 Oct 2026",
        "2",
        "6",
        "50.0",
        "16.7",
        "16.7",
        "16.7",
        "0.0",
        "small sample: n = 6",
    ]
    # The headline on the page is the JSON's.
    for figure in payload["headline"]:
        assert f"<dd>{figure['value']}</dd>" in text
