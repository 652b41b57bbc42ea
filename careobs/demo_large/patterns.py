"""The shapes behind the large demo's numbers: its calendar, local clock and service trends.

Kept apart from the generators so the "story" (which services improve, when people work) can be
read and tuned in one place.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Europe/London")  # the organisation's default timezone

# How a service's quality moves over the two years: a multiplier on the chance of poor practice.
STEADY, IMPROVING, WORSENING = "steady", "improving", "worsening"


@dataclass(frozen=True)
class Window:
    """The generated period: ``days`` whole days ending the day before ``today``."""

    today: date
    days: int

    @property
    def first_day(self) -> date:
        return self.today - timedelta(days=self.days)

    def day(self, index: int) -> date:
        return self.first_day + timedelta(days=index)

    def progress(self, day: date) -> float:
        """0 at the start of the window, 1 at its end."""
        return min(1.0, max(0.0, (day - self.first_day).days / self.days))


def new_uuid(rng: random.Random) -> uuid.UUID:
    """A version-4 UUID drawn from the seeded generator, so reruns give the same ids."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def local_time(day: date, hour: int, minute: int, second: int = 0) -> datetime:
    """A wall-clock time in the organisation's timezone, as an aware UTC datetime."""
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=LOCAL).astimezone(
        UTC
    )


def trend_factor(trend: str, progress: float) -> float:
    """How much more (>1) or less (<1) poor practice than usual, at this point of the window.

    Improving services start poor and get steadily better; the worsening one is fine for a year
    and then slides, as after a change of manager.
    """
    if trend == IMPROVING:
        return 2.0 - 1.4 * progress
    if trend == WORSENING:
        return 0.8 if progress < 0.5 else 0.8 + 2.8 * (progress - 0.5)
    return 1.0


def pick_trends(count: int, improving: list[int], worsening: list[int]) -> list[str]:
    """Trend of each of ``count`` services; indices outside the range are ignored."""
    trends = [STEADY] * count
    for index in improving:
        if index < count:
            trends[index] = IMPROVING
    for index in worsening:
        if index < count:
            trends[index] = WORSENING
    return trends


def weekday_day(rng: random.Random, window: Window, weights: tuple[float, ...]) -> date:
    """A random day of the window, weighted by weekday (Monday first), by rejection."""
    top = max(weights)
    while True:
        day = window.day(rng.randrange(window.days))
        if rng.random() * top < weights[day.weekday()]:
            return day
