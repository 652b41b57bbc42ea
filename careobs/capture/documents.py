"""Reading the parts of a device's document that every kind's validation reads the same way."""

from __future__ import annotations

from collections.abc import Iterator

from careobs.sync.fields import Errors


def each_object(entries: list, field: str, errors: Errors) -> Iterator[tuple[str, dict]]:
    """Each entry of the list ``field`` with its path (``answers[2]``) for error messages; an
    entry that is not an object is an error under its path, and skipped."""
    for index, entry in enumerate(entries):
        path = f"{field}[{index}]"
        if not isinstance(entry, dict):
            errors.add(path, "Must be an object.")
            continue
        yield path, entry
