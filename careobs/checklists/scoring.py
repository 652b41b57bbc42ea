"""Scoring answers against a checklist (design §2.2): pure functions, no Flask or database.

Each item is rated Met (2), Partly met (1), Not met (0) or N/A (left out). The score is
points / (2 × applicable items). Bands are decided from the exact fraction, never from the score
rounded for display: 1799 of 2000 points is 89.95%, shown as "90.0%" but amber when green starts
at 90. A critical item Not met makes the result red whatever the score. Nothing applicable means
no score and no band ("unscored"). Monitoring visits (careobs.visits.scoring, with the
organisation's bands) and audits (careobs.audits.scoring, with their template's) both score this
way; static/js/visit-scoring.js does the same on the device, and tests/data/band_boundaries.json
holds the boundary cases both are tested against.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

RATINGS = {"met": "Met", "partly": "Partly met", "not_met": "Not met", "na": "N/A"}
POINTS = {"met": 2, "partly": 1, "not_met": 0}
BANDS = {"green": "Green", "amber": "Amber", "red": "Red"}


class Bands(Protocol):
    green_from: int  # score % at or above which the result is green
    amber_from: int  # at or above which it is amber (below: red)


@dataclass(frozen=True)
class Answer:
    rating: str  # one of RATINGS
    critical: bool = False


@dataclass(frozen=True)
class Score:
    score: float | None  # percent, one decimal, for display; None when every item was N/A
    points: int
    possible: int
    applicable: int
    band: str | None  # green / amber / red; None when nothing was applicable
    critical_failures: int


def score_percent(points: int, possible: int) -> float | None:
    """Points as a percentage of the possible points, rounded half up to one decimal."""
    if possible == 0:
        return None
    exact = Decimal(points * 100) / Decimal(possible)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def band_for(points: int, possible: int, bands: Bands) -> str | None:
    """Green, amber or red for ``points`` of ``possible``; None when nothing was possible.

    Compared in whole numbers (points / possible ≥ green_from / 100, multiplied out), so no
    rounding can lift 89.95% into green.
    """
    if possible == 0:
        return None
    if points * 100 >= bands.green_from * possible:
        return "green"
    if points * 100 >= bands.amber_from * possible:
        return "amber"
    return "red"


def score(answers: Iterable[Answer], bands: Bands) -> Score:
    """Score, band and critical failures of a set of answers."""
    answers = list(answers)
    for answer in answers:
        if answer.rating not in RATINGS:
            raise ValueError(f"unknown rating {answer.rating!r}")
    rated = [a for a in answers if a.rating != "na"]
    points = sum(POINTS[a.rating] for a in rated)
    possible = 2 * len(rated)
    critical_failures = sum(1 for a in rated if a.critical and a.rating == "not_met")
    band = "red" if critical_failures else band_for(points, possible, bands)
    return Score(
        score_percent(points, possible), points, possible, len(rated), band, critical_failures
    )
