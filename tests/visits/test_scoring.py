"""Unit tests for monitoring visit scoring (design §2.2): points, bands, outcome wording,
the next check date and timekeeping."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from careobs.checklists.scoring import Answer, band_for, score_percent
from careobs.visits.scoring import (
    COMPETENT,
    DEVELOPMENT,
    NOT_YET,
    Rules,
    is_late,
    minutes_late,
    next_check_due,
    outcome,
    shortfall_minutes,
)

PLANNED = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def answers(met=0, partly=0, not_met=0, na=0, *, critical=()) -> list[Answer]:
    """Plain answers in the given numbers, followed by ``critical`` answers (ratings)."""
    plain = (
        [Answer("met")] * met
        + [Answer("partly")] * partly
        + [Answer("not_met")] * not_met
        + [Answer("na")] * na
    )
    return plain + [Answer(rating, critical=True) for rating in critical]


# --- points and score ------------------------------------------------------------------------


def test_all_met_is_100_green_competent():
    result = outcome(answers(met=29))

    assert result.score == 100.0
    assert (result.points, result.possible, result.applicable) == (58, 58, 29)
    assert result.band == "green"
    assert result.wording == COMPETENT == "Competent"
    assert result.critical_failures == 0
    assert result.recheck_required is False


def test_na_items_are_left_out_of_the_possible_points():
    # 4 met, 1 not met, 5 N/A: 8 of 10 possible, not 8 of 20.
    result = outcome(answers(met=4, not_met=1, na=5))

    assert (result.points, result.possible, result.applicable) == (8, 10, 5)
    assert result.score == 80.0


def test_partly_met_is_one_point_of_two():
    result = outcome(answers(partly=1))

    assert (result.points, result.possible) == (1, 2)
    assert result.score == 50.0
    assert outcome(answers(met=1, partly=1)).score == 75.0


def test_not_met_is_no_points():
    result = outcome(answers(met=1, not_met=1))

    assert (result.points, result.possible) == (2, 4)
    assert result.score == 50.0
    assert result.band == "red"


def test_every_item_na_has_no_score_and_no_band():
    result = outcome(answers(na=29))

    assert result.score is None
    assert result.band is None
    assert result.wording is None
    assert (result.points, result.possible, result.applicable) == (0, 0, 0)
    assert result.recheck_required is False


def test_no_answers_at_all_has_no_score():
    result = outcome([])

    assert (result.score, result.band, result.wording) == (None, None, None)


def test_hand_computed_visit():
    # 20 met, 3 partly, 2 not met (plain), 4 N/A: (40 + 3) / 50 = 86.0% → amber.
    result = outcome(answers(met=20, partly=3, not_met=2, na=4))

    assert (result.points, result.possible, result.applicable) == (43, 50, 25)
    assert result.score == 86.0
    assert result.band == "amber"
    assert result.wording == DEVELOPMENT == "Competent — development agreed"
    assert result.recheck_required is False


def test_score_is_rounded_to_one_decimal():
    assert score_percent(2, 3) == 66.7  # 66.666…
    assert score_percent(1, 6) == 16.7
    assert score_percent(0, 2) == 0.0
    assert score_percent(0, 0) is None


def test_score_rounds_half_up():
    assert score_percent(1799, 2000) == 90.0  # 89.95
    assert score_percent(17989, 20000) == 89.9  # 89.945
    assert score_percent(1499, 2000) == 75.0  # 74.95
    assert score_percent(1, 8) == 12.5  # exact values are kept


# --- critical items --------------------------------------------------------------------------


def test_critical_not_met_forces_red_even_at_97_percent():
    # 48 met, 1 partly, and one critical item not met: 97 of 100 points.
    result = outcome(answers(met=48, partly=1, critical=["not_met"]))

    assert result.score == 97.0
    assert result.band == "red"
    assert result.wording == NOT_YET == "Not yet competent — re-check required"
    assert result.critical_failures == 1
    assert result.recheck_required is True


def test_each_critical_failure_is_counted():
    result = outcome(answers(met=20, critical=["not_met", "met", "not_met"]))

    assert result.critical_failures == 2
    assert result.band == "red"


def test_critical_item_na_does_not_force_red():
    result = outcome(answers(met=20, critical=["na", "na"]))

    assert result.score == 100.0
    assert result.band == "green"
    assert result.critical_failures == 0
    assert result.wording == COMPETENT


def test_critical_item_partly_met_does_not_force_red():
    result = outcome(answers(met=20, critical=["partly"]))

    assert result.critical_failures == 0
    assert result.band == "green"  # 41 / 42 = 97.6%


def test_critical_item_met_counts_like_any_other():
    result = outcome(answers(met=1, not_met=1, critical=["met"]))

    assert (result.points, result.possible) == (4, 6)
    assert result.critical_failures == 0


def test_plain_not_met_does_not_force_red():
    result = outcome(answers(met=19, not_met=1))

    assert result.score == 95.0
    assert result.band == "green"
    assert result.critical_failures == 0


# --- bands at their edges --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "shown", "band"),
    [
        ({"met": 9, "not_met": 1}, 90.0, "green"),  # 18 / 20 exactly
        ({"met": 899, "partly": 1, "not_met": 100}, 90.0, "amber"),  # 89.95 shown as 90.0
        ({"met": 449, "partly": 1, "not_met": 50}, 89.9, "amber"),  # 899 / 1000
        ({"met": 7, "partly": 1, "not_met": 2}, 75.0, "amber"),  # 15 / 20 exactly
        ({"met": 749, "partly": 1, "not_met": 250}, 75.0, "red"),  # 74.95 shown as 75.0
        ({"met": 374, "partly": 1, "not_met": 125}, 74.9, "red"),  # 749 / 1000
    ],
)
def test_band_edges_with_default_rules(counts, shown, band):
    result = outcome(answers(**counts))

    assert result.score == shown
    assert result.band == band
    assert result.wording == {"green": COMPETENT, "amber": DEVELOPMENT, "red": NOT_YET}[band]
    assert result.recheck_required is (band == "red")


@pytest.mark.parametrize(
    ("counts", "shown", "band"),
    [
        ({"met": 8, "partly": 1, "not_met": 1}, 85.0, "green"),  # 17 / 20
        ({"met": 424, "partly": 1, "not_met": 75}, 84.9, "amber"),  # 849 / 1000
        ({"met": 7, "not_met": 3}, 70.0, "amber"),  # 14 / 20
        ({"met": 349, "partly": 1, "not_met": 150}, 69.9, "red"),  # 699 / 1000
    ],
)
def test_band_edges_with_custom_rules(counts, shown, band):
    rules = Rules(green_from=85, amber_from=70)

    result = outcome(answers(**counts), rules)

    assert result.score == shown
    assert result.band == band


def test_custom_rules_change_the_band_of_the_same_answers():
    same = answers(met=8, partly=1, not_met=1)  # 85.0%

    assert outcome(same).band == "amber"
    assert outcome(same, Rules(green_from=85, amber_from=70)).band == "green"


def test_band_for_uses_the_exact_fraction_not_the_shown_score():
    rules = Rules()
    assert band_for(0, 0, rules) is None
    assert band_for(20, 20, rules) == "green"
    assert band_for(18, 20, rules) == "green"  # 90% exactly
    assert band_for(1799, 2000, rules) == "amber"  # 89.95%, shown as 90.0%
    assert band_for(17999, 20000, rules) == "amber"  # 89.995%, shown as 90.0%
    assert band_for(15, 20, rules) == "amber"  # 75% exactly
    assert band_for(1499, 2000, rules) == "red"  # 74.95%, shown as 75.0%
    assert band_for(0, 20, rules) == "red"


def test_default_rules_are_the_design_defaults():
    rules = Rules()

    assert (rules.green_from, rules.amber_from) == (90, 75)
    assert (rules.recheck_days_after_red, rules.frequency_days) == (28, 90)


# --- ratings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("rating", ["Met", "yes", "", None, "partial", "n/a"])
def test_unknown_rating_raises(rating):
    with pytest.raises(ValueError, match="unknown rating"):
        outcome([Answer("met"), Answer(rating)])


# --- next check ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("band", "due"),
    [
        ("red", date(2026, 12, 25)),  # 28 days
        ("amber", date(2027, 2, 25)),  # 90 days
        ("green", date(2027, 2, 25)),
        (None, date(2027, 2, 25)),
    ],
)
def test_next_check_due_with_default_rules(band, due):
    assert next_check_due(date(2026, 11, 27), band) == due


def test_next_check_due_uses_the_rules():
    rules = Rules(recheck_days_after_red=14, frequency_days=60)
    day = date(2026, 11, 27)

    assert next_check_due(day, "red", rules) == day + timedelta(days=14)
    assert next_check_due(day, "amber", rules) == day + timedelta(days=60)
    assert next_check_due(day, "green", rules) == day + timedelta(days=60)


# --- timekeeping -----------------------------------------------------------------------------


def test_minutes_late():
    assert minutes_late(PLANNED, PLANNED + timedelta(minutes=12)) == 12.0
    assert minutes_late(PLANNED, PLANNED + timedelta(minutes=2, seconds=30)) == 2.5
    assert minutes_late(PLANNED, PLANNED) == 0.0
    assert minutes_late(PLANNED, PLANNED - timedelta(minutes=5)) == -5.0  # early
    assert minutes_late(PLANNED, None) is None


def test_minutes_late_across_utc_offsets():
    # 13:05 in UTC+1 is 12:05 UTC.
    arrived = datetime(2026, 11, 27, 13, 5, tzinfo=timezone(timedelta(hours=1)))

    assert minutes_late(PLANNED, arrived) == 5.0


def test_is_late_only_beyond_the_tolerance():
    assert is_late(PLANNED, PLANNED + timedelta(minutes=10), 10) is False  # exactly at tolerance
    assert is_late(PLANNED, PLANNED + timedelta(minutes=10, seconds=1), 10) is True
    assert is_late(PLANNED, PLANNED + timedelta(minutes=11), 10) is True
    assert is_late(PLANNED, PLANNED + timedelta(minutes=9), 10) is False
    assert is_late(PLANNED, PLANNED - timedelta(minutes=30), 10) is False  # early
    assert is_late(PLANNED, None, 10) is False  # not recorded


def test_is_late_uses_the_tolerance_given():
    arrived = PLANNED + timedelta(minutes=12)

    assert is_late(PLANNED, arrived, 10) is True
    assert is_late(PLANNED, arrived, 15) is False
    assert is_late(PLANNED, PLANNED + timedelta(seconds=1), 0) is True


def test_shortfall_minutes():
    arrived = PLANNED + timedelta(minutes=5)

    assert shortfall_minutes(30, arrived, arrived + timedelta(minutes=25)) == 5.0
    assert shortfall_minutes(30, arrived, arrived + timedelta(minutes=30)) == 0.0
    assert shortfall_minutes(30, arrived, arrived + timedelta(minutes=45)) == 0.0  # stayed longer
    assert shortfall_minutes(30, arrived, arrived + timedelta(minutes=29, seconds=30)) == 0.5
    assert shortfall_minutes(30, None, arrived) is None
    assert shortfall_minutes(30, arrived, None) is None
    assert shortfall_minutes(30, None, None) is None
