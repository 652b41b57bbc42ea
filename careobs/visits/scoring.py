"""Scoring a homecare monitoring visit (design §2.2): pure functions, no Flask or database.

A visit is scored as any checklist is (careobs.checklists.scoring), with the organisation's bands;
what is a visit's own is the outcome's wording ("Competent", …), when the worker is next due a
check, and the timekeeping.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from careobs.checklists.scoring import Answer, Score, score

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
class Outcome(Score):
    """A visit's score, with what it means for the worker."""

    wording: str | None  # COMPETENT, DEVELOPMENT or NOT_YET; None when unscored
    recheck_required: bool


def outcome(answers: Iterable[Answer], rules: Rules = Rules()) -> Outcome:
    """Score, band and outcome wording for a visit's answers."""
    result = score(answers, rules)
    wording = {"red": NOT_YET, "amber": DEVELOPMENT, "green": COMPETENT}.get(result.band)
    return Outcome(**vars(result), wording=wording, recheck_required=result.band == "red")


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
