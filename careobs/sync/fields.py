"""Reading untrusted JSON document fields, collecting every error under its field path."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from careobs.db import utcnow

# Times a device may send: nothing in careobs happened before 2000, and a phone's clock may run a
# little fast, but a record dated next year is a broken clock or a hostile client. The window
# also keeps every time far from the calendar's ends, where converting between offsets overflows.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
AHEAD = timedelta(days=1)
LATEST_DAY = date(2100, 12, 31)  # for dates that may lie ahead, such as an action's due date


class Errors(dict):
    """Field path → list of messages, in the shape the sync API returns."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)


def read_uuid(value, field: str, errors: Errors) -> uuid.UUID | None:
    """A UUID given as a string, or None with an error."""
    if isinstance(value, str):
        try:
            return uuid.UUID(value)
        except ValueError:
            pass
    errors.add(field, "Must be a UUID.")
    return None


def latest_time(ahead: timedelta = AHEAD) -> datetime:
    """The latest time a device may send now: the server's clock plus ``ahead``."""
    return utcnow() + ahead


def in_window(moment: datetime, latest: datetime) -> bool:
    """Whether an aware time lies between EARLIEST and ``latest`` (False at the calendar's ends,
    where comparing times with different offsets cannot even be computed)."""
    try:
        return EARLIEST <= moment <= latest
    except OverflowError:
        return False


def read_time(
    value, field: str, errors: Errors, *, required: bool = True, ahead: timedelta = AHEAD
) -> datetime | None:
    """An ISO 8601 time with a UTC offset, from 2000 to ``ahead`` of the server's clock.

    Naive times are refused (the zone is unknown), and so are times outside the window.
    """
    if value is None:
        if required:
            errors.add(field, "Required.")
        return None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None:
            if parsed.tzinfo is None:
                errors.add(field, "Give the time with its UTC offset, e.g. 2026-11-27T12:30:00Z.")
                return None
            if not in_window(parsed, latest_time(ahead)):
                errors.add(field, _outside_window(ahead))
                return None
            return parsed
    errors.add(field, "Must be an ISO 8601 date and time.")
    return None


def _outside_window(ahead: timedelta) -> str:
    days = ahead.days
    return (
        f"Must be between 2000-01-01 and {days} day{'s' if days != 1 else ''} after the "
        "server's time; check the device's date and time."
    )


def read_date(value, field: str, errors: Errors) -> date | None:
    """A date like 2026-12-31 between 2000 and 2100, or None when not given."""
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        errors.add(field, "Must be a date like 2026-12-31.")
        return None
    if not EARLIEST.date() <= day <= LATEST_DAY:
        errors.add(field, f"Must be between 2000-01-01 and {LATEST_DAY.isoformat()}.")
        return None
    return day


def read_int(value, field: str, errors: Errors, low: int, high: int, *, required=True):
    """A whole number within [low, high]."""
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add(field, "Must be a whole number.")
        return None
    if not low <= value <= high:
        errors.add(field, f"Must be between {low} and {high}.")
        return None
    return value


def read_choice(value, field: str, errors: Errors, choices, *, required=True):
    """One of ``choices`` (None allowed when not required)."""
    if value is None and not required:
        return None
    if value not in choices:
        errors.add(field, f"Must be one of: {', '.join(choices)}.")
        return None
    return value


def read_text(value, field: str, errors: Errors, max_length: int) -> str:
    """Free text (None counts as empty), at most ``max_length`` characters."""
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.add(field, "Must be text.")
        return ""
    if len(value) > max_length:
        errors.add(field, f"Must be at most {max_length} characters.")
    return value
