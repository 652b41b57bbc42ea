"""Audit scoring against hand-computed values: Met 2, Partly 1, Not met 0, N/A left out; bands
from the template's own green_from and amber_from, decided on the exact fraction; a critical item
Not met forces red."""

from __future__ import annotations

import pytest

from careobs.audits.scoring import audit_outcome
from careobs.checklists.scoring import Answer


def answers(met=0, partly=0, not_met=0, na=0, critical_not_met=0) -> list[Answer]:
    return (
        [Answer("met")] * met
        + [Answer("partly")] * partly
        + [Answer("not_met")] * not_met
        + [Answer("na")] * na
        + [Answer("not_met", critical=True)] * critical_not_met
    )


def test_a_small_audit_scored_by_hand():
    # Met, Met, Partly, Not met: 2 + 2 + 1 + 0 = 5 of 8 = 62.5%, red under 75.
    result = audit_outcome(answers(met=2, partly=1, not_met=1), 90, 75)
    assert (result.points, result.possible, result.score, result.band) == (5, 8, 62.5, "red")
    assert result.critical_failures == 0


@pytest.mark.parametrize(
    ("met", "partly", "score", "band"),
    [
        # 500 items, 1000 points possible.
        (399, 101, 89.9, "amber"),  # 899 points
        (400, 100, 90.0, "green"),  # 900 points: green starts at exactly 90
        (249, 251, 74.9, "red"),  # 749 points
        (250, 250, 75.0, "amber"),  # 750 points: amber starts at exactly 75
    ],
)
def test_bands_at_the_boundaries(met, partly, score, band):
    result = audit_outcome(answers(met=met, partly=partly), 90, 75)
    assert (result.score, result.band) == (score, band)


def test_the_band_comes_from_the_exact_fraction_not_the_rounded_score():
    # 1799 of 2000 points is 89.95%: shown as 90.0 but still amber.
    result = audit_outcome(answers(met=799, partly=201), 90, 75)
    assert (result.points, result.possible, result.score, result.band) == (
        1799,
        2000,
        90.0,
        "amber",
    )


def test_the_templates_own_bands_are_used():
    # 8 of 10 points = 80%: green when the template's green starts at 80, amber at 90/75.
    eighty = answers(met=3, partly=2)
    assert audit_outcome(eighty, 80, 60).band == "green"
    assert audit_outcome(eighty, 90, 75).band == "amber"
    assert audit_outcome(eighty, 95, 85).band == "red"


def test_na_is_left_out():
    # Met and Not met with two N/A: 2 of 4 = 50%, two applicable items.
    result = audit_outcome(answers(met=1, not_met=1, na=2), 90, 75)
    assert (result.points, result.possible, result.applicable, result.score) == (2, 4, 2, 50.0)


def test_a_critical_item_not_met_forces_red():
    # 9 Met and a critical Not met: 18 of 20 = 90%, green by score, red by the critical item.
    result = audit_outcome(answers(met=9, critical_not_met=1), 90, 75)
    assert (result.score, result.band, result.critical_failures) == (90.0, "red", 1)


def test_a_critical_item_partly_met_does_not_force_red():
    result = audit_outcome([*answers(met=9), Answer("partly", critical=True)], 90, 75)
    assert (result.score, result.band, result.critical_failures) == (95.0, "green", 0)


def test_all_na_has_no_score_and_no_band():
    result = audit_outcome(answers(na=5), 90, 75)
    assert (result.score, result.band, result.possible) == (None, None, 0)


def test_an_unknown_rating_is_refused():
    with pytest.raises(ValueError, match="unknown rating"):
        audit_outcome([Answer("excellent")], 90, 75)
