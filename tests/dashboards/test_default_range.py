"""The dashboards' default date range is the same twelve months whatever day it is opened."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from careobs.dashboards.filters import default_range
from careobs.periods import periods

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("today", "first"),
    [
        (date(2026, 12, 6), date(2026, 1, 1)),  # after a 31-day month: was thirteen months
        (date(2027, 1, 6), date(2026, 2, 1)),  # across the new year
        (date(2027, 3, 28), date(2026, 4, 1)),  # the day the clocks go forward
        (date(2027, 10, 31), date(2026, 11, 1)),  # the day the clocks go back
        (date(2027, 11, 1), date(2026, 12, 1)),  # the first of a month
        (date(2028, 2, 29), date(2027, 3, 1)),  # a leap day
        (date(2028, 3, 31), date(2027, 4, 1)),  # in a leap year: was twelve
        (date(2028, 12, 31), date(2028, 1, 1)),  # the last day of the year
    ],
)
def test_the_default_range_is_this_month_and_the_eleven_before(today, first):
    assert default_range(today) == (first, today)
    months = periods(first, today, "month", LONDON)
    assert len(months) == 12
    assert months[-1].first == today.replace(day=1) and all(m.whole for m in months[:-1])


def test_the_default_range_has_twelve_months_on_every_day_of_a_leap_and_a_common_year():
    day = date(2027, 1, 1)
    while day < date(2029, 1, 1):
        first, last = default_range(day)
        assert len(periods(first, last, "month", LONDON)) == 12, day
        assert first.day == 1 and last == day
        day = date.fromordinal(day.toordinal() + 1)
