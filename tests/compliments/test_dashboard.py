"""The Compliments dashboard tab: counts by section and period, hand-computed, on the page, in
JSON and in CSV, and who may see it."""

from __future__ import annotations

from collections import Counter

import pytest

from careobs.dashboards.compliments import in_words
from tests.compliments.conftest import RANGE


def table(payload: dict, key: str) -> list[list]:
    return next(t for t in payload["tables"] if t["key"] == key)["rows"]


def test_counts_by_section_and_period_add_up(login_as, org, logged):
    response = login_as(org.admin).get(
        "/api/v1/dashboards/compliments", query_string={"service": str(org.homecare.uuid), **RANGE}
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    payload = response.get_json()
    assert table(payload, "by_section") == [
        ["Care", 2, 1, 3],
        ["Food", 0, 2, 2],
        ["Activities", 0, 0, 0],
        ["Staff", 1, 0, 1],
        ["Communication", 0, 0, 0],
        ["Environment", 0, 0, 0],
        ["Medicines", 0, 0, 0],
        ["Other", 0, 0, 0],
    ]
    assert table(payload, "by_period") == [["Jan 2026", 2, 1, 3, 1], ["Feb 2026", 1, 2, 3, 0]]
    assert table(payload, "section_by_period") == [
        ["Jan 2026", "Care", 2, 0, 2],
        ["Jan 2026", "Food", 0, 1, 1],
        ["Feb 2026", "Care", 0, 1, 1],
        ["Feb 2026", "Food", 0, 1, 1],
        ["Feb 2026", "Staff", 1, 0, 1],
    ]
    # Compliments + Concerns = All in every row, and the rows' All add up to n = 6.
    counts = {
        "by_section": [r[1:4] for r in table(payload, "by_section")],
        "by_period": [r[1:4] for r in table(payload, "by_period")],
        "section_by_period": [r[2:5] for r in table(payload, "section_by_period")],
    }
    for rows in counts.values():
        assert all(c + k == n for c, k, n in rows)
        assert sum(n for _c, _k, n in rows) == 6
    assert {h["label"]: h["value"] for h in payload["headline"]} == {
        "Entries (n)": "6",
        "Compliments": "3 of 6 (50.0%)",
        "Concerns": "3 of 6 (50.0%)",
        "Concerns responded to": "1 of 3 (33.3%)",
    }
    caption = next(t for t in payload["tables"] if t["key"] == "by_section")["caption"]
    assert "6 entries: 3 compliments and 3 concerns (responded to: 1 of 3)." in caption
    assert "n = 6" in caption


def test_both_services_together(login_as, org, logged):
    payload = (
        login_as(org.admin).get("/api/v1/dashboards/compliments", query_string=RANGE).get_json()
    )
    by_section = {row[0]: row[1:] for row in table(payload, "by_section")}
    assert by_section["Activities"] == [1, 0, 1]
    assert sum(row[3] for row in table(payload, "by_section")) == 7


def test_the_page_and_the_csv_show_the_same_numbers(login_as, org, logged):
    admin = login_as(org.admin)
    query = {"service": str(org.homecare.uuid), **RANGE}
    page = admin.get("/dashboards/compliments", query_string=query)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Compliments and concerns" in text and "not a formal complaint" in text
    csv = admin.get("/dashboards/compliments.csv", query_string={**query, "table": "by_section"})
    assert csv.status_code == 200
    lines = csv.get_data(as_text=True).splitlines()
    assert lines[0] == "Section,Compliments,Concerns,All (n)"
    assert lines[1] == "Care,2,1,3"
    assert lines[2] == "Food,0,2,2"


def test_who_may_see_it(login_as, org, logged, homecare_manager):
    assert login_as(org.supervisor).get("/dashboards/compliments").status_code == 403
    assert login_as(org.staff).get("/api/v1/dashboards/compliments").status_code == 403
    # The care home's manager sees only the care home.
    payload = login_as(org.manager).get("/api/v1/dashboards/compliments", query_string=RANGE)
    by_section = {row[0]: row[1:] for row in table(payload.get_json(), "by_section")}
    assert by_section["Activities"] == [1, 0, 1] and by_section["Care"] == [0, 0, 0]
    refused = login_as(org.manager).get(
        "/api/v1/dashboards/compliments", query_string={"service": str(org.homecare.uuid)}
    )
    assert refused.status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "yesterday"},
        {"date_from": "2026-02-01", "date_to": "2026-01-01"},
        {"grouping": "fortnight"},
        {"date_from": "9999-12-31"},
    ],
)
def test_bad_filters_are_refused_not_500(login_as, org, logged, query):
    admin = login_as(org.admin)
    assert admin.get("/dashboards/compliments", query_string=query).status_code == 400
    response = admin.get("/api/v1/dashboards/compliments", query_string=query)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_filters"
    assert admin.get("/dashboards/compliments.csv?table=nope").status_code == 404


def test_in_words():
    assert in_words(Counter()) == "No compliments or concerns were recorded."
    assert in_words(Counter(compliment=1)) == "1 entry: 1 compliment and 0 concerns."
    assert (
        in_words(Counter(compliment=2, concern=1, responded=1))
        == "3 entries: 2 compliments and 1 concern (responded to: 1 of 1)."
    )


def test_by_week_an_entry_falls_in_the_week_of_its_day(login_as, org, logged):
    """1–11 Jan 2026 by week: Thursday 1 Jan starts a part week (Monday 29 Dec 2025 to Sunday
    4 Jan), and the care compliment of Monday 5 Jan is the next week's."""
    query = {
        "service": str(org.homecare.uuid),
        "date_from": "2026-01-01",
        "date_to": "2026-01-11",
        "grouping": "week",
    }
    payload = login_as(org.admin).get("/api/v1/dashboards/compliments", query_string=query)
    assert table(payload.get_json(), "by_period") == [
        ["w/c 29 Dec 2025 (part)", 0, 0, 0, 0],
        ["w/c 5 Jan 2026", 1, 0, 1, 0],
    ]
