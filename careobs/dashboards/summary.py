"""The dashboard filters in one line ("1 Sep – 30 Nov 2026 · Rosewood House · by month"), shown on
a phone in place of the form, which it opens when tapped."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

SEPARATOR = " · "


def period(first: date, last: date) -> str:
    """``first`` to ``last`` as briefly as it can be read unambiguously: the year (and month) is
    written once when both ends share it."""
    if first == last:
        return f"{last:%-d %b %Y}"
    if first.year != last.year:
        return f"{first:%-d %b %Y} – {last:%-d %b %Y}"
    if first.month != last.month:
        return f"{first:%-d %b} – {last:%-d %b %Y}"
    return f"{first:%-d} – {last:%-d %b %Y}"


def services_shown(names: Sequence[str], every: bool) -> str:
    """The services a dashboard counts: one by name, several by number (a list of names would
    not fit a phone's line), "All n services" when they are all the user may see."""
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return f"All {len(names)} services" if every else f"{len(names)} services"


def filter_summary(
    services: Sequence[str],
    every: bool,
    first: date,
    last: date,
    grouping: str,
    extras: Sequence[str] = (),
) -> str:
    """The period first, then any narrower filter in use (``extras``: a context, an area, a visit
    type), then the services and the grouping: a phone's line may cut the end short, so what
    changes what the figures mean comes before what only arranges them (the whole line is the
    summary's accessible name all the same)."""
    parts = [period(first, last), *extras, services_shown(services, every), f"by {grouping}"]
    return SEPARATOR.join(part for part in parts if part)
