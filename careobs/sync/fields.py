"""Reading untrusted JSON document fields, collecting every error under its field path."""

from __future__ import annotations

import uuid
from datetime import datetime


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


def read_time(value, field: str, errors: Errors, *, required: bool = True) -> datetime | None:
    """An ISO 8601 time with a UTC offset; naive times are refused (the zone is unknown)."""
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
            return parsed
    errors.add(field, "Must be an ISO 8601 date and time.")
    return None


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
