"""careobs.selfassess.ratings worked by hand: CQC's bands at every edge, rounding half up, key
questions with statements not assessed (never 0), where a score sits in its band in words, and
what changed between two assessments."""

from __future__ import annotations

import pytest

from careobs.selfassess import ratings
from careobs.selfassess.ratings import (
    Change,
    changes,
    gaps,
    key_question,
    key_questions,
    percent,
    rating_of,
    threshold_of,
)

SAFE = ["S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8"]
WELL_LED = ["W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8"]


@pytest.mark.parametrize(
    ("pct", "rating"),
    [
        (100, "outstanding"),
        (88, "outstanding"),
        (87, "good"),
        (63, "good"),
        (62, "requires_improvement"),
        (39, "requires_improvement"),
        (38, "inadequate"),
        (25, "inadequate"),
    ],
)
def test_every_band_edge(pct, rating):
    assert rating_of(pct) == rating


@pytest.mark.parametrize(
    ("total", "assessed", "pct"),
    [
        (32, 8, 100),
        (8, 8, 25),  # every statement scored 1: the lowest possible
        (1, 1, 25),
        (20, 8, 63),  # 62.5% rounds half up to 63%: good, not requires improvement
        (5, 2, 63),  # 5 of 8 = 62.5% again
        (3, 2, 38),  # 3 of 8 = 37.5% → 38%: still inadequate
        (7, 2, 88),  # 7 of 8 = 87.5% → 88%: outstanding
        (31, 8, 97),  # 96.875% → 97%
        (23, 8, 72),  # 71.875% → 72%
        (13, 6, 54),  # 13 of 24 = 54.1666% → 54%
        (17, 6, 71),  # 17 of 24 = 70.8333% → 71%
        (11, 3, 92),  # 11 of 12 = 91.666% → 92%
        (10, 3, 83),  # 10 of 12 = 83.333% → 83%
        (9, 7, 32),  # 9 of 28 = 32.142857% → 32%
        (19, 7, 68),  # 19 of 28 = 67.857% → 68%
    ],
)
def test_percentages_are_whole_and_halves_round_up(total, assessed, pct):
    assert percent(total, assessed) == pct


def test_the_halves_that_meet_band_edges_land_on_the_upper_side():
    assert rating_of(percent(20, 8)) == "good"  # 62.5 → 63
    assert rating_of(percent(3, 2)) == "inadequate"  # 37.5 → 38
    assert rating_of(percent(7, 2)) == "outstanding"  # 87.5 → 88


def test_no_statement_assessed_has_no_percentage():
    with pytest.raises(ValueError):
        percent(0, 0)


@pytest.mark.parametrize(
    ("pct", "threshold"),
    [
        # outstanding 88-100, midpoint 94: 88-94 lower, 95-100 upper
        (88, "lower"),
        (94, "lower"),
        (95, "upper"),
        (100, "upper"),
        # good 63-87, midpoint 75: 63-75 lower, 76-87 upper
        (63, "lower"),
        (75, "lower"),
        (76, "upper"),
        (87, "upper"),
        # requires improvement 39-62, midpoint 50.5: 39-50 lower, 51-62 upper
        (50, "lower"),
        (51, "upper"),
        # inadequate 25-38, midpoint 31.5: 25-31 lower, 32-38 upper
        (25, "lower"),
        (31, "lower"),
        (32, "upper"),
        (38, "upper"),
    ],
)
def test_which_half_of_its_band(pct, threshold):
    assert threshold_of(pct) == threshold


def test_a_key_question_fully_assessed():
    # Safe: 4, 3, 3, 3, 3, 3, 2, 2 = 23 of 32 = 71.875% → 72%: good, lower half.
    scores = dict(zip(SAFE, [4, 3, 3, 3, 3, 3, 2, 2], strict=True))
    result = key_question("safe", scores)
    assert (result.key, result.name, result.statements) == ("safe", "Safe", 8)
    assert (result.assessed, result.total, result.maximum) == (8, 23, 32)
    assert (result.score_pct, result.rating, result.threshold) == (72, "good", "lower")
    assert result.rating_label == "Good"
    assert result.sum_text == "23 of 32 (8 of 8 statements assessed) = 72%"
    assert result.position == "Good, lower threshold (63-75%), nearer to requires improvement"


def test_a_key_question_with_three_of_eight_assessed():
    # Well-led: W1 4, W4 3, W8 2 assessed; W2 noted (None); the rest absent.
    # 9 of 12 = 75%: good, lower half. The five not assessed count for nothing, never 0:
    # as zeros it would be 9 of 32 = 28%, inadequate.
    scores = {"W1": 4, "W2": None, "W4": 3, "W8": 2, "S1": 1}
    result = key_question("well_led", scores)
    assert (result.assessed, result.total, result.maximum) == (3, 9, 12)
    assert (result.score_pct, result.rating) == (75, "good")
    assert result.sum_text == "9 of 12 (3 of 8 statements assessed) = 75%"


def test_nothing_assessed_is_not_rated_never_zero():
    result = key_question("caring", {"C1": None, "S1": 4})
    assert (result.assessed, result.total, result.score_pct, result.rating) == (0, 0, None, None)
    assert result.threshold is None
    assert result.rating_label == "Not rated"
    assert result.position == "Not rated: no statement assessed"
    assert result.sum_text == "0 of 5 statements assessed"


def test_twenty_five_percent_is_the_floor_of_inadequate():
    result = key_question("safe", dict.fromkeys(SAFE, 1))
    assert (result.total, result.maximum, result.score_pct) == (8, 32, 25)
    assert result.position == "Inadequate, lower threshold (25-31%)"


@pytest.mark.parametrize(
    ("given", "position"),
    [
        # 32 of 32 = 100%
        ([4] * 8, "Outstanding, upper threshold (95-100%)"),
        # 28 of 32 = 87.5% → 88%
        ([4, 4, 4, 4, 3, 3, 3, 3], "Outstanding, lower threshold (88-94%), nearer to good"),
        # 25 of 32 = 78.125% → 78%
        ([4, 3, 3, 3, 3, 3, 3, 3], "Good, upper threshold (76-87%), nearing outstanding"),
        # 19 of 32 = 59.375% → 59%
        ([3, 3, 3, 2, 2, 2, 2, 2], "Requires improvement, upper threshold (51-62%), nearing good"),
        # 15 of 32 = 46.875% → 47%
        (
            [3, 2, 2, 2, 2, 2, 1, 1],
            "Requires improvement, lower threshold (39-50%), nearer to inadequate",
        ),
        # 12 of 32 = 37.5% → 38%
        (
            [2, 2, 2, 2, 1, 1, 1, 1],
            "Inadequate, upper threshold (32-38%), nearer to requires improvement",
        ),
    ],
)
def test_where_a_score_sits_in_words(given, position):
    assert key_question("well_led", dict(zip(WELL_LED, given, strict=True))).position == position


def test_all_five_in_cqc_order():
    results = key_questions({"S1": 3, "R7": 1})
    assert [r.key for r in results] == ["safe", "effective", "caring", "responsive", "well_led"]
    assert [r.score_pct for r in results] == [75, None, None, 25, None]
    assert [r.statements for r in results] == [8, 6, 5, 7, 8]
    assert sum(r.statements for r in results) == len(ratings.KEY_OF) == 34


@pytest.mark.parametrize("bad", [0, 5, -1, "3", 2.5, 10**100])
def test_a_score_outside_the_scale_is_refused(bad):
    with pytest.raises(ValueError):
        key_question("safe", {"S1": bad})


def test_gaps_are_the_ones_and_twos_in_cqc_order():
    scores = {"W8": 1, "S2": 2, "C1": 3, "E1": 4, "R1": None, "S1": 1}
    assert gaps(scores) == ["S1", "S2", "W8"]


@pytest.mark.parametrize(
    ("before", "after", "text", "direction"),
    [
        (2, 3, "Up from 2 to 3", "up"),
        (1, 4, "Up from 1 to 4", "up"),
        (4, 3, "Down from 4 to 3", "down"),
        (3, 3, "Still 3", "same"),
        (None, 2, "Newly assessed: 2", ""),
        (2, None, "Not assessed this time (was 2)", ""),
        (None, None, "Not assessed either time", ""),
    ],
)
def test_what_changed_in_words(before, after, text, direction):
    change = Change("W5", before, after)
    assert change.text == text
    assert change.direction == direction


def test_changes_cover_every_statement_in_cqc_order():
    found = changes({"W1": 2, "S3": 1}, {"W1": 3, "C2": 4})
    assert [c.code for c in found] == list(ratings.KEY_OF)
    by_code = {c.code: c.text for c in found}
    assert by_code["W1"] == "Up from 2 to 3"
    assert by_code["S3"] == "Not assessed this time (was 1)"
    assert by_code["C2"] == "Newly assessed: 4"
    assert by_code["E1"] == "Not assessed either time"
