"""The dashboard filters in one line, as a phone shows them in place of the form."""

from __future__ import annotations

from datetime import date

import pytest

from careobs.dashboards.summary import filter_summary, period, services_shown


@pytest.mark.parametrize(
    ("first", "last", "shown"),
    [
        (date(2026, 9, 1), date(2026, 11, 30), "1 Sep – 30 Nov 2026"),
        (date(2025, 12, 1), date(2026, 11, 30), "1 Dec 2025 – 30 Nov 2026"),
        (date(2026, 11, 2), date(2026, 11, 30), "2 – 30 Nov 2026"),
        (date(2026, 11, 30), date(2026, 11, 30), "30 Nov 2026"),
    ],
)
def test_a_period_names_its_year_and_month_once_when_both_ends_share_them(first, last, shown):
    assert period(first, last) == shown


def test_services_are_named_when_one_and_counted_when_several():
    assert services_shown(["Sunny Lodge"], every=True) == "Sunny Lodge"
    assert services_shown(["Sunny Lodge"], every=False) == "Sunny Lodge"
    assert services_shown(["A", "B", "C"], every=True) == "All 3 services"
    assert services_shown(["A", "B"], every=False) == "2 services"
    assert services_shown([], every=True) == ""


def test_the_summary_puts_the_period_first_and_adds_any_narrower_filter():
    first, last = date(2026, 9, 1), date(2026, 11, 30)
    assert (
        filter_summary(["Sunny Lodge"], True, first, last, "month")
        == "1 Sep – 30 Nov 2026 · Sunny Lodge · by month"
    )
    assert (
        filter_summary(["A", "B"], True, first, last, "week", ["Mealtime", "", "Lounge"])
        == "1 Sep – 30 Nov 2026 · Mealtime · Lounge · All 2 services · by week"
    )


def test_the_page_shows_the_summary_of_its_filters(acme, client_as):
    """Through the view: the manager's one care home, and the form's own label for a context;
    folded when the filters are valid, open on their errors."""
    client = client_as(acme.manager)
    query = {
        "date_from": "2026-09-01",
        "date_to": "2026-11-30",
        "grouping": "week",
        "context": "mealtime",
    }
    page = client.get("/dashboards/quis", query_string=query).get_data(as_text=True)
    assert '<details class="filters-fold">' in page  # folded: the filters are valid
    assert "1 Sep – 30 Nov 2026 · Mealtime · Acme Care House · by week</span>" in page

    wrong = client.get("/dashboards/quis", query_string={**query, "date_to": "2026-08-01"})
    assert wrong.status_code == 400
    assert '<details class="filters-fold" open>' in wrong.get_data(as_text=True)
