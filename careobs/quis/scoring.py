"""QUIS scoring: turn coded interactions into the figures an observation report shows.

QUIS (Quality of Interaction Schedule) codes each staff/person interaction into one of five
ordered categories. These are pure, standard-library functions so the numbers can be tested in
isolation and reused by views and exports alike.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

CATEGORIES = ("PS", "PC", "N", "NP", "NR")
CATEGORY_LABELS = {
    "PS": "Positive social",
    "PC": "Positive care",
    "N": "Neutral",
    "NP": "Negative protective",
    "NR": "Negative restrictive",
}
POSITIVE = ("PS", "PC")
NEGATIVE = ("NP", "NR")

# Why a negative interaction happened; the order is the order observers are offered them.
NEGATIVE_REASONS = {
    "call_not_acknowledged": "Call for help not acknowledged",
    "task_focused": "Staff focused on the task, ignoring the person",
    "conversation_dismissed": "The person's own conversation dismissed",
    "stopped_without_explanation": "Stopped from doing something without explanation",
    "talked_over": "Staff talking over or past the person",
    "other": "Other",
}

# Short, concrete suggestions fed back to staff after an observation.
COACHING_PROMPTS = (
    "Approach from the front",
    "Introduce yourself",
    "Smile and make eye contact",
    "Involve the person in what is happening",
)

# The two-sided 95% normal quantile, to full precision so published intervals reproduce exactly.
Z_95 = 1.959963984540054
Interaction = Mapping[str, Any]  # e.g. {"at": datetime, "category": "PS", "people": ["A"]}


@dataclass(frozen=True)
class Interval:
    """A confidence interval for a proportion, both ends between 0 and 1."""

    low: float
    high: float


def wilson_interval(successes: int, n: int, z: float = Z_95) -> Interval | None:
    """Wilson score interval for successes/n; None when nothing was observed.

    Wilson rather than the textbook normal interval because observations are often small and
    shares near 0% or 100%, where the normal interval runs outside [0, 1] or collapses to a point.
    """
    if n == 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and {n}, got {successes}")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    # At 0 or n the bound is exactly 0 or 1 in theory; pin it so rounding error cannot show.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return Interval(low, high)


@dataclass(frozen=True)
class CategoryCounts:
    """How many interactions fell into each QUIS category."""

    PS: int = 0
    PC: int = 0
    N: int = 0
    NP: int = 0
    NR: int = 0

    @classmethod
    def from_categories(cls, codes: Iterable[str]) -> CategoryCounts:
        """Tally category codes; an unknown code is a data error, so it raises ValueError."""
        tally = Counter(codes)
        unknown = sorted(str(code) for code in set(tally) - set(CATEGORIES))
        if unknown:
            raise ValueError(f"unknown QUIS category: {', '.join(unknown)}")
        return cls(**tally)

    @property
    def total(self) -> int:
        """All interactions counted."""
        return sum(getattr(self, f.name) for f in fields(self))

    @property
    def positive(self) -> int:
        """Positive social plus positive care."""
        return self.PS + self.PC

    @property
    def neutral(self) -> int:
        """Neutral interactions."""
        return self.N

    @property
    def negative(self) -> int:
        """Negative protective plus negative restrictive."""
        return self.NP + self.NR

    def share(self, code: str) -> float | None:
        """One category's share of the total; None when there is nothing to divide by."""
        if code not in CATEGORIES:
            raise ValueError(f"unknown QUIS category: {code}")
        return getattr(self, code) / self.total if self.total else None

    def as_dict(self) -> dict[str, int]:
        """Counts keyed by code, in category order, for templates and JSON."""
        return {code: getattr(self, code) for code in CATEGORIES}


def _share(part: int, whole: int) -> float | None:
    # None, not 0, for an empty observation: "no data" must not read as "0% positive".
    return part / whole if whole else None


def positive_share(c: CategoryCounts) -> float | None:
    """Share of interactions that were positive."""
    return _share(c.positive, c.total)


def neutral_share(c: CategoryCounts) -> float | None:
    """Share of interactions that were neutral."""
    return _share(c.neutral, c.total)


def negative_share(c: CategoryCounts) -> float | None:
    """Share of interactions that were negative."""
    return _share(c.negative, c.total)


def ratio_text(c: CategoryCounts) -> str:
    """Positive-to-negative ratio as text, e.g. "15.5 : 1"; words when it cannot be computed."""
    if c.total == 0:
        return "no interactions"
    if c.negative == 0:
        return "no negatives"
    return f"{c.positive / c.negative:.1f} : 1"


def social_share(c: CategoryCounts) -> float | None:
    """Of the positive interactions, the share that were social rather than task-driven care."""
    return _share(c.PS, c.PS + c.PC)


# Below this much observed time a rate says more about chance than about care: a 9-second
# session with one interaction would read as hundreds an hour. Pages say "too short to rate".
MIN_RATED_MINUTES = 10
TOO_SHORT = "too short to rate"
RATE_RULE = f"Rates are shown for sessions of at least {MIN_RATED_MINUTES} minutes observed."


def interactions_per_person_hour(
    interactions: int, person_minutes: float, observed_minutes: float
) -> float | None:
    """Interaction rate normalised for group size and length, so sessions can be compared.

    None when nobody was observed, or when less than :data:`MIN_RATED_MINUTES` was observed
    (for several sessions: their observed minutes added up); :func:`rate_text` says which.
    """
    if person_minutes <= 0 or observed_minutes < MIN_RATED_MINUTES:
        return None
    return interactions / person_minutes * 60


def rate_text(interactions: int, person_minutes: float, observed_minutes: float) -> str:
    """The rate for display: one decimal, "too short to rate", or an em dash for nobody seen."""
    if person_minutes <= 0:
        return "—"
    if observed_minutes < MIN_RATED_MINUTES:
        return TOO_SHORT
    return f"{interactions / person_minutes * 60:.1f}"


def observed_minutes(started_at: datetime, ended_at: datetime) -> float:
    """Length of the observation in minutes; never negative, even if the clock went backwards."""
    return max(0.0, (ended_at - started_at).total_seconds() / 60)


def person_minutes(people_count: int, minutes: float) -> float:
    """Total exposure: each person observed contributes the whole observed time."""
    return people_count * minutes


def people_with_negative(interactions: Iterable[Interaction], people: Iterable[str]) -> list[str]:
    """Sorted codes of the observed people involved in at least one negative interaction."""
    negatives = (i for i in interactions if i["category"] in NEGATIVE)
    return sorted({code for i in negatives for code in i["people"]} & set(people))


def per_person_counts(
    interactions: Iterable[Interaction], people: Iterable[str]
) -> dict[str, CategoryCounts]:
    """Category counts per person, in the given order; a shared interaction counts for each."""
    tallies: dict[str, list[str]] = {code: [] for code in people}
    for interaction in interactions:
        for code in interaction["people"]:
            if code in tallies:
                tallies[code].append(interaction["category"])
    return {code: CategoryCounts.from_categories(cats) for code, cats in tallies.items()}


@dataclass(frozen=True)
class Frame:
    """One time slice of an observation: its 1-based number, start and counts."""

    number: int
    starts_at: datetime
    counts: CategoryCounts


def frame_timeline(
    interactions: Iterable[Interaction],
    started_at: datetime,
    frame_minutes: float,
    ended_at: datetime,
) -> list[Frame]:
    """Split the observation into fixed frames so changes over time (e.g. mealtimes) show up.

    A partial last frame still counts as a frame. An interaction exactly on a boundary starts the
    later frame; ones stamped outside the session are kept, in the first or last frame.
    """
    if frame_minutes <= 0:
        raise ValueError("frame_minutes must be positive")
    step = timedelta(minutes=frame_minutes)
    whole, rest = divmod(max(ended_at - started_at, timedelta(0)), step)
    count = max(1, whole + (1 if rest else 0))
    buckets: list[list[str]] = [[] for _ in range(count)]
    for interaction in interactions:
        # Timedelta floor division is exact, so a boundary never slips into the earlier frame.
        index = (interaction["at"] - started_at) // step
        buckets[min(max(index, 0), count - 1)].append(interaction["category"])
    return [
        Frame(i + 1, started_at + i * step, CategoryCounts.from_categories(cats))
        for i, cats in enumerate(buckets)
    ]


@dataclass(frozen=True)
class Summary:
    """Every figure for one observation, ready for a report."""

    counts: CategoryCounts
    positive_share: float | None
    neutral_share: float | None
    negative_share: float | None
    positive_interval: Interval | None
    negative_interval: Interval | None
    ratio: str
    social: float | None
    per_person_hour: float | None
    people_observed: int
    people_with_negative: list[str]
    people_with_negative_share: float | None
    minutes: float
    frames: list[Frame]
    per_person: dict[str, CategoryCounts]

    @property
    def rate(self) -> str:
        """Interactions per person-hour as a page shows it: a number, "too short to rate" or —."""
        return rate_text(
            self.counts.total, person_minutes(self.people_observed, self.minutes), self.minutes
        )


def summarise(
    interactions: Iterable[Interaction],
    people: Iterable[str],
    started_at: datetime,
    ended_at: datetime,
    frame_minutes: float,
) -> Summary:
    """Compute the full set of figures for one observation session."""
    interactions = list(interactions)  # walked several times below
    people = list(dict.fromkeys(people))  # a person listed twice is still one person
    counts = CategoryCounts.from_categories(i["category"] for i in interactions)
    minutes = observed_minutes(started_at, ended_at)
    negatives = people_with_negative(interactions, people)
    return Summary(
        counts=counts,
        positive_share=positive_share(counts),
        neutral_share=neutral_share(counts),
        negative_share=negative_share(counts),
        positive_interval=wilson_interval(counts.positive, counts.total),
        negative_interval=wilson_interval(counts.negative, counts.total),
        ratio=ratio_text(counts),
        social=social_share(counts),
        per_person_hour=interactions_per_person_hour(
            counts.total, person_minutes(len(people), minutes), minutes
        ),
        people_observed=len(people),
        people_with_negative=negatives,
        people_with_negative_share=_share(len(negatives), len(people)),
        minutes=minutes,
        frames=frame_timeline(interactions, started_at, frame_minutes, ended_at),
        per_person=per_person_counts(interactions, people),
    )


def percent(value: float | None, digits: int = 1) -> str:
    """A share as a percentage for display, e.g. "83.8%"; an em dash when there is no value."""
    return "—" if value is None else f"{value * 100:.{digits}f}%"
