"""Scoring a homecare monitoring visit (design §2.2): pure functions, no Flask or database.

Each checklist item is rated Met (2), Partly met (1), Not met (0) or N/A (left out). The score is
points / (2 × applicable items). Bands come from the organisation's settings and are decided from
the exact fraction, never from the score rounded for display: 1799 of 2000 points is 89.95%,
shown as "90.0%" but amber when green starts at 90. A critical item Not met makes the visit red
whatever the score. A visit with nothing applicable has no score and no band ("unscored").
static/js/visit-scoring.js does the same on the device; tests/data/band_boundaries.json holds
the boundary cases both are tested against.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

RATINGS = {"met": "Met", "partly": "Partly met", "not_met": "Not met", "na": "N/A"}
POINTS = {"met": 2, "partly": 1, "not_met": 0}
BANDS = {"green": "Green", "amber": "Amber", "red": "Red"}

COMPETENT = "Competent"
DEVELOPMENT = "Competent — development agreed"
NOT_YET = "Not yet competent — re-check required"


@dataclass(frozen=True)
class Rules:
    """The organisation's settings that scoring depends on."""

    green_from: int = 90  # score % at or above which a visit is green
    amber_from: int = 75  # at or above which it is amber (below: red)
    recheck_days_after_red: int = 28
    frequency_days: int = 90


@dataclass(frozen=True)
class Answer:
    rating: str  # one of RATINGS
    critical: bool = False


@dataclass(frozen=True)
class Outcome:
    score: float | None  # percent, one decimal, for display; None when every item was N/A
    points: int
    possible: int
    applicable: int
    band: str | None  # green / amber / red; None when nothing was applicable
    critical_failures: int
    wording: str | None
    recheck_required: bool


def score_percent(points: int, possible: int) -> float | None:
    """Points as a percentage of the possible points, rounded half up to one decimal."""
    if possible == 0:
        return None
    exact = Decimal(points * 100) / Decimal(possible)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def band_for(points: int, possible: int, rules: Rules) -> str | None:
    """Green, amber or red for ``points`` of ``possible``; None when nothing was possible.

    Compared in whole numbers (points / possible ≥ green_from / 100, multiplied out), so no
    rounding can lift 89.95% into green.
    """
    if possible == 0:
        return None
    if points * 100 >= rules.green_from * possible:
        return "green"
    if points * 100 >= rules.amber_from * possible:
        return "amber"
    return "red"


def outcome(answers: Iterable[Answer], rules: Rules = Rules()) -> Outcome:
    """Score, band and outcome wording for a visit's answers."""
    answers = list(answers)
    for answer in answers:
        if answer.rating not in RATINGS:
            raise ValueError(f"unknown rating {answer.rating!r}")
    rated = [a for a in answers if a.rating != "na"]
    points = sum(POINTS[a.rating] for a in rated)
    possible = 2 * len(rated)
    score = score_percent(points, possible)
    critical_failures = sum(1 for a in rated if a.critical and a.rating == "not_met")
    band = "red" if critical_failures else band_for(points, possible, rules)
    if band is None:
        wording = None
    elif band == "red":
        wording = NOT_YET
    elif band == "amber":
        wording = DEVELOPMENT
    else:
        wording = COMPETENT
    return Outcome(
        score, points, possible, len(rated), band, critical_failures, wording, band == "red"
    )


def next_check_due(visit_day: date, band: str | None, rules: Rules = Rules()) -> date:
    """When this worker should next be checked: sooner after a red result."""
    days = rules.recheck_days_after_red if band == "red" else rules.frequency_days
    return visit_day + timedelta(days=days)


def minutes_late(planned_at: datetime, arrived_at: datetime | None) -> float | None:
    """How late the worker arrived (negative when early); None when arrival was not recorded."""
    if arrived_at is None:
        return None
    return (arrived_at - planned_at).total_seconds() / 60


def is_late(planned_at: datetime, arrived_at: datetime | None, tolerance_minutes: int) -> bool:
    """Late means later than the organisation's tolerance (default 10 minutes)."""
    late = minutes_late(planned_at, arrived_at)
    return late is not None and late > tolerance_minutes


def shortfall_minutes(
    planned_minutes: int, arrived_at: datetime | None, left_at: datetime | None
) -> float | None:
    """Minutes short of the planned duration (0 when the full time was given)."""
    if arrived_at is None or left_at is None:
        return None
    stayed = (left_at - arrived_at).total_seconds() / 60
    return max(0.0, planned_minutes - stayed)
