"""Counts and lengths in plain English: "1 visit", "2 visits", "9 seconds", "1 hour 5 minutes".

Every generated text (pages, flash messages, feedback drafts, notifications, the evidence pack)
says counts this way, never "visit(s)". static/js/wording.js is the same on the device; keep the
two in step, since the recorder's drafts and summaries must read exactly as the server's.
"""

from __future__ import annotations

import math


def plural(n: int, singular: str, plural_form: str) -> str:
    """The count with the word that fits it: ``plural(1, "visit", "visits") == "1 visit"``."""
    return f"{n} {singular if n == 1 else plural_form}"


def with_article(noun: str) -> str:
    """``noun`` after "a" or "an" by its first letter: "an audit", "a monitoring visit" (for the
    names of record kinds, which start as they sound)."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def duration_text(minutes: float) -> str:
    """A length of time for people to read: seconds under a minute, then minutes and hours.

    Whole seconds, then (from a minute up) whole minutes, always rounded down, so a length is
    never shown longer than it was: a session of 9 minutes 59 seconds reads "9 minutes", not
    "10 minutes" beside "too short to rate". 0.15 → "9 seconds", 65 → "1 hour 5 minutes",
    120 → "2 hours"; a negative length (a clock gone backwards) reads "0 seconds".
    """
    # The tiny allowance keeps a whole second whole after the trip through minutes (9 / 60 * 60
    # may land a hair below 9); static/js/wording.js does the same sums.
    seconds = math.floor(max(0.0, minutes) * 60 + 1e-9)
    if seconds < 60:
        return plural(seconds, "second", "seconds")
    hours, rest = divmod(seconds // 60, 60)
    parts = [plural(hours, "hour", "hours")] if hours else []
    if rest or not hours:
        parts.append(plural(rest, "minute", "minutes"))
    return " ".join(parts)
