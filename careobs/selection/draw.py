"""Weighted random draws of whom to check next: pure functions, so anyone can re-run a draw.

A draw is fully determined by its seed and its inputs (the candidates, their weights and who was
left out), so a stored draw can be recomputed later to show it was not cherry-picked.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from careobs.dashboards import coverage

# The coverage statuses the weights and the previous-pick rule read (stored draws keep the
# status text they were made with, so these words must not change meaning).
OVERDUE_STATUSES = coverage.OVERDUE_STATUSES  # count as "overdue" for the weights
NEW_STARTER_STATUS = coverage.NEW_STARTER
RECHECK_STATUS = coverage.RECHECK  # a targeted re-check booked by an action
RECHECK_AFTER_RED_STATUS = coverage.RECHECK_AFTER_RED  # booked by a red result
# A booked re-check of either kind: drawn again even straight after a draw.
BOOKED_RECHECKS = {
    RECHECK_STATUS: "re-check booked",
    RECHECK_AFTER_RED_STATUS: "re-check due after red",
}
# More open actions than this add no more weight: one worker with many actions should not
# crowd everyone else out of the draw.
MAX_COUNTED_ACTIONS = 3
WEIGHT_KEYS = (
    "weight_base",
    "weight_overdue",
    "weight_new_starter",
    "weight_red",
    "weight_open_actions",
)


class TooFewCandidates(ValueError):
    """The draw asked for more than can be drawn (or for none); the message says why."""


@dataclass(frozen=True)
class Candidate:
    """Someone who may be drawn, with the facts their weight comes from."""

    key: str  # a stable id: the staff member's or person's UUID
    label: str  # what the page shows: a name, or a person's code
    status: str = ""
    last_band: str | None = None
    open_actions: int = 0

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "status": self.status,
            "last_band": self.last_band,
            "open_actions": self.open_actions,
        }

    @classmethod
    def from_dict(cls, row: Mapping) -> Candidate:
        return cls(row["key"], row["label"], row["status"], row["last_band"], row["open_actions"])


class Weighted(NamedTuple):
    candidate: Candidate
    weight: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """Who was drawn (in draw order) and who was left out of the draw, with why."""

    picked: list[Weighted]
    excluded: list[tuple[Weighted, str]]


def weights(candidates: Iterable[Candidate], settings: Mapping[str, int]) -> list[Weighted]:
    """Each candidate's weight: the base plus an extra for every reason to check them sooner.

    Weights add up rather than multiply, so the reasons shown explain the number exactly.
    """
    result = []
    for c in candidates:
        weight, reasons = settings["weight_base"], []
        if c.status in OVERDUE_STATUSES:
            weight += settings["weight_overdue"]
            reasons.append(c.status.lower())
        if c.status == NEW_STARTER_STATUS:
            weight += settings["weight_new_starter"]
            reasons.append("new starter")
        if c.last_band == "red":
            weight += settings["weight_red"]
            reasons.append("last result red")
        if c.status in BOOKED_RECHECKS:
            reasons.append(BOOKED_RECHECKS[c.status])
        if c.open_actions:
            weight += settings["weight_open_actions"] * min(c.open_actions, MAX_COUNTED_ACTIONS)
            plural = "s" if c.open_actions != 1 else ""
            reasons.append(f"{c.open_actions} open action{plural}")
        result.append(Weighted(c, weight, tuple(reasons)))
    return result


def must_check(c: Candidate) -> bool:
    """Overdue, red or booked for a re-check: picked again even straight after a draw.

    People supported have no status or band, so none of them must be checked: the rule
    "nobody twice in a row" holds for them without exception."""
    return c.status in OVERDUE_STATUSES or c.status in BOOKED_RECHECKS or c.last_band == "red"


def draw(
    weighted: Iterable[Weighted],
    k: int,
    seed: str,
    previous_pick: Iterable[str] | None = None,
) -> Outcome:
    """Draw ``k`` different candidates, each pick with chance proportional to its weight.

    Candidates in ``previous_pick`` (keys drawn last time) sit this draw out unless
    :func:`must_check` says otherwise, so nobody is checked twice in a row by chance alone.
    Candidates are sorted by key first and integers drawn with ``random.Random(seed)``, so the
    same seed and inputs always give the same result, on any machine.
    """
    if k <= 0:
        raise TooFewCandidates("Draw at least one.")
    previous = set(previous_pick or ())
    pool, excluded = [], []
    for w in sorted(weighted, key=lambda w: w.candidate.key):
        if w.candidate.key in previous and not must_check(w.candidate):
            excluded.append((w, "picked in the previous draw"))
        elif w.weight <= 0:
            excluded.append((w, "weight 0"))
        else:
            pool.append(w)
    if k > len(pool):
        left_out = f" ({len(excluded)} left out this time)" if excluded else ""
        raise TooFewCandidates(f"Only {len(pool)} can be drawn{left_out}; you asked for {k}.")
    rng = random.Random(seed)
    picked = []
    for _ in range(k):
        ticket = rng.randrange(sum(w.weight for w in pool))
        for index, w in enumerate(pool):
            if ticket < w.weight:
                picked.append(pool.pop(index))
                break
            ticket -= w.weight
    return Outcome(picked, excluded)
