"""The pure draw: weights from the settings, determinism, fairness and the previous-pick rule."""

from __future__ import annotations

import random

import pytest

from careobs.dashboards import coverage
from careobs.org.settings import SELECTION_DEFAULTS
from careobs.selection.draw import (
    NEW_STARTER_STATUS,
    OVERDUE_STATUSES,
    RECHECK_AFTER_RED_STATUS,
    RECHECK_STATUS,
    Candidate,
    TooFewCandidates,
    Weighted,
    draw,
    must_check,
    weights,
)

# The chi-square critical value at p = 0.001 for 3 degrees of freedom (four categories),
# from standard tables: a fair draw exceeds it one run in a thousand.
CHI2_CRITICAL_DF3_P001 = 16.266


def fixed(*pairs) -> list[Weighted]:
    return [Weighted(Candidate(key, key.upper()), weight, ()) for key, weight in pairs]


def keys(outcome) -> list[str]:
    return [w.candidate.key for w in outcome.picked]


def test_weights_follow_the_settings_and_name_every_reason():
    settings = {**SELECTION_DEFAULTS, "weight_base": 2, "weight_open_actions": 5}
    candidates = [
        Candidate("a", "Up to date", "Up to date"),
        Candidate("b", "Overdue", "Overdue"),
        Candidate("c", "Never", "Never checked"),
        Candidate("d", "New", NEW_STARTER_STATUS),
        Candidate("e", "Red", "Due soon", last_band="red"),
        Candidate("f", "One action", "Up to date", open_actions=1),
        Candidate("g", "Many actions", "Up to date", open_actions=7),
        Candidate("h", "All", "Overdue", last_band="red", open_actions=2),
        Candidate("i", "Re-check", RECHECK_STATUS, last_band="amber"),
    ]

    result = {w.candidate.key: (w.weight, w.reasons) for w in weights(candidates, settings)}

    assert result == {
        "a": (2, ()),
        "b": (2 + 4, ("overdue",)),
        "c": (2 + 4, ("never checked",)),
        "d": (2 + 3, ("new starter",)),
        "e": (2 + 3, ("last result red",)),
        "f": (2 + 5, ("1 open action",)),
        "g": (2 + 5 * 3, ("7 open actions",)),  # counted up to three
        "h": (2 + 4 + 3 + 2 * 5, ("overdue", "last result red", "2 open actions")),
        "i": (2, ("re-check booked",)),
    }


def test_the_same_seed_and_inputs_give_the_same_draw_whatever_their_order():
    pool = fixed(("a", 1), ("b", 2), ("c", 4), ("d", 8), ("e", 3), ("f", 5))

    first = draw(pool, 3, "seed-1")
    again = draw(list(reversed(pool)), 3, "seed-1")

    assert keys(first) == keys(again)
    assert len(set(keys(first))) == 3  # without replacement


def test_different_seeds_generally_give_different_draws():
    pool = fixed(*[(f"w{i:02d}", 1 + i % 4) for i in range(20)])

    draws = {tuple(keys(draw(pool, 3, f"seed-{n}"))) for n in range(50)}

    assert len(draws) > 40


def test_frequencies_follow_the_weights():
    """20,000 single draws, seeds from a fixed master seed: a chi-square goodness of fit."""
    pool = fixed(("a", 1), ("b", 2), ("c", 4), ("d", 8))
    master = random.Random(20261127)
    counts = dict.fromkeys("abcd", 0)
    n = 20_000
    for _ in range(n):
        counts[keys(draw(pool, 1, str(master.getrandbits(64))))[0]] += 1

    assert chi_square(counts, {"a": 1, "b": 2, "c": 4, "d": 8}, n) < CHI2_CRITICAL_DF3_P001
    # The same counts would fail against equal weights: the test can tell a biased draw.
    assert chi_square(counts, dict.fromkeys("abcd", 1), n) > CHI2_CRITICAL_DF3_P001


def chi_square(counts: dict, weights_: dict, n: int) -> float:
    total = sum(weights_.values())
    expected = {k: n * w / total for k, w in weights_.items()}
    return sum((counts[k] - expected[k]) ** 2 / expected[k] for k in counts)


def test_someone_drawn_last_time_sits_out_unless_they_must_be_checked():
    candidates = [
        Candidate("a", "Plain", "Up to date"),
        Candidate("b", "New", NEW_STARTER_STATUS),
        Candidate("c", "Overdue", "Overdue"),
        Candidate("d", "Red", "Due soon", last_band="red"),
        Candidate("e", "Re-check", RECHECK_STATUS),
        Candidate("f", "Other", "Up to date"),
    ]
    pool = weights(candidates, SELECTION_DEFAULTS)

    outcome = draw(pool, 4, "x", previous_pick=["a", "b", "c", "d", "e"])

    assert [(w.candidate.key, why) for w, why in outcome.excluded] == [
        ("a", "picked in the previous draw"),
        ("b", "picked in the previous draw"),
    ]
    assert sorted(keys(outcome)) == ["c", "d", "e", "f"]
    for seed in range(200):
        assert not {"a", "b"} & set(keys(draw(pool, 1, str(seed), previous_pick=["a", "b"])))


@pytest.mark.parametrize(
    ("k", "previous", "message"),
    [
        (0, None, "Draw at least one."),
        (-1, None, "Draw at least one."),
        (4, None, "Only 3 can be drawn; you asked for 4."),
        (3, ["a"], "Only 2 can be drawn (1 left out this time); you asked for 3."),
    ],
)
def test_impossible_draws_say_why(k, previous, message):
    with pytest.raises(TooFewCandidates, match=message.replace("(", r"\(").replace(")", r"\)")):
        draw(fixed(("a", 1), ("b", 1), ("c", 1)), k, "s", previous_pick=previous)


def test_a_recheck_due_after_red_is_booked_like_a_targeted_one():
    # The status alone (no band given) books the worker: no extra weight, a reason shown, and
    # drawn again straight after a draw, like a re-check an action booked.
    candidates = [
        Candidate("a", "Plain", coverage.UP_TO_DATE),
        Candidate("r", "After red", coverage.RECHECK_AFTER_RED),
        Candidate("t", "Targeted", coverage.RECHECK),
    ]

    pool = weights(candidates, SELECTION_DEFAULTS)
    outcome = draw(pool, 2, "x", previous_pick=["a", "r", "t"])

    assert [(w.candidate.key, w.weight, w.reasons) for w in pool] == [
        ("a", 1, ()),
        ("r", 1, ("re-check due after red",)),
        ("t", 1, ("re-check booked",)),
    ]
    assert [(w.candidate.key, why) for w, why in outcome.excluded] == [
        ("a", "picked in the previous draw")
    ]
    assert sorted(keys(outcome)) == ["r", "t"]
    assert must_check(candidates[1]) and not must_check(candidates[0])


def test_the_statuses_are_the_coverage_pages_own():
    assert OVERDUE_STATUSES == coverage.OVERDUE_STATUSES == ("Overdue", "Never checked")
    assert (NEW_STARTER_STATUS, RECHECK_STATUS) == (coverage.NEW_STARTER, coverage.RECHECK)
    assert RECHECK_AFTER_RED_STATUS == coverage.RECHECK_AFTER_RED


def test_people_have_no_exception_to_the_previous_pick_rule():
    # People carry no status or band: whoever was drawn last time sits out, always.
    people = [Weighted(Candidate(k, k.upper()), 1, ()) for k in ("p1", "p2", "p3")]

    for seed in range(50):
        outcome = draw(people, 1, str(seed), previous_pick=["p1", "p2"])
        assert keys(outcome) == ["p3"]
        assert [(w.candidate.key, why) for w, why in outcome.excluded] == [
            ("p1", "picked in the previous draw"),
            ("p2", "picked in the previous draw"),
        ]
