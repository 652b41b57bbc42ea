"""The pure retention rules: calendar months back, bounds in words, and a type for every
record kind devices send."""

from __future__ import annotations

from datetime import date

import pytest

from careobs.capture.kinds import registered
from careobs.retention.periods import (
    BY_KEY,
    SYNCED,
    TYPES,
    cutoff_day,
    describe_months,
    months_problem,
)
from careobs.retention.targets import TARGETS


@pytest.mark.parametrize(
    ("today", "months", "expected"),
    [
        (date(2026, 12, 7), 36, date(2023, 12, 7)),
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2028, 3, 31), 1, date(2028, 2, 29)),
        (date(2026, 1, 15), 1, date(2025, 12, 15)),
        (date(2026, 1, 15), 12, date(2025, 1, 15)),
        (date(2026, 5, 31), 300, date(2001, 5, 31)),
    ],
)
def test_the_cut_off_is_whole_calendar_months_back(today, months, expected):
    assert cutoff_day(today, months) == expected


@pytest.mark.parametrize(
    ("key", "months", "problem"),
    [
        ("quis_sessions", 12, None),
        ("quis_sessions", 11, "Keep these at least 12 months, so the dashboards' year keeps"),
        ("notifications", 1, None),
        ("notifications", 0, "Keep these at least 1 month."),
        ("audits", 300, None),
        ("audits", 301, "At most 300 months (25 years)."),
        ("audits", 10**40, "At most 300 months (25 years)."),
        ("audits", True, "Enter a whole number of months."),
        ("audits", 12.0, "Enter a whole number of months."),
        ("audits", None, "Enter a whole number of months."),
    ],
)
def test_bounds_are_said_in_words(key, months, problem):
    found = months_problem(BY_KEY[key], months)
    assert (found is None) if problem is None else found.startswith(problem)


def test_every_default_is_within_its_bounds_and_has_a_source():
    for record_type in TYPES:
        assert months_problem(record_type, record_type.default_months) is None
        assert record_type.source.endswith(".") and record_type.removes


def test_every_type_has_a_target_and_every_synced_kind_a_type(app):
    assert [t.key for t in TARGETS] == [t.key for t in TYPES]
    assert set(SYNCED) == set(registered())
    assert {key for key, _ in SYNCED.values()} <= set(BY_KEY)


def test_months_are_described_with_years_when_whole():
    assert describe_months(36) == "36 months (3 years)"
    assert describe_months(12) == "12 months (1 year)"
    assert describe_months(18) == "18 months"
    assert describe_months(1) == "1 month"
