"""The audit log's hash chain: the canonical form of an event, its hash, and checking a chain.

Each event's hash covers its contents and the hash of the event before it, so changing,
removing or inserting an event anywhere breaks every link after it. Pure standard library: the
same rules serve the writers (careobs.audit.service), the migration that chained the events
written before the chain existed, and ``careobs audit verify``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS = "0" * 64  # the prev_hash of the first event

# What is hashed: every column but the surrogate id (which a database assigns after the hash is
# computed, and which says nothing about what happened).
HASHED_FIELDS = (
    "seq",
    "organisation_id",
    "actor_id",
    "action",
    "entity_type",
    "entity_id",
    "summary",
    "ip",
    "at",
    "prev_hash",
)
# What a writer gives: the event's own contents (its place in the chain is added when chained).
CONTENT_FIELDS = tuple(name for name in HASHED_FIELDS if name not in ("seq", "prev_hash"))


def canonical_time(at: datetime) -> str:
    """An instant as hashed: UTC, ISO 8601, always with microseconds
    ("2026-01-05T08:00:00.000000+00:00"), so equal instants always give equal text."""
    if at.tzinfo is None:
        raise ValueError("an audit event's time must be timezone-aware")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(event: Mapping) -> bytes:
    """The bytes hashed for one event: JSON of :data:`HASHED_FIELDS` with sorted keys, compact
    separators and ASCII escapes (so no text encoding question arises)."""
    fields = {name: event[name] for name in HASHED_FIELDS}
    fields["at"] = canonical_time(fields["at"])
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("ascii")


def event_hash(event: Mapping) -> str:
    """The hex SHA-256 of the event's canonical form (its ``prev_hash`` included)."""
    return hashlib.sha256(canonical(event)).hexdigest()


def chain(events: Iterable[dict], head_seq: int, head_hash: str) -> str:
    """Give each event, in order, its place after the head (``seq``, ``prev_hash``, ``hash``
    set in the dicts); returns the new head's hash."""
    seq, previous = head_seq, head_hash
    for event in events:
        seq += 1
        event["seq"] = seq
        event["prev_hash"] = previous
        previous = event["hash"] = event_hash(event)
    return previous


@dataclass(frozen=True)
class Break:
    """The first place where the stored chain is not what careobs wrote."""

    seq: int | None  # the event where it shows (None: at the head)
    event_id: int | None
    at: datetime | None
    problem: str

    def describe(self) -> str:
        """One sentence for the operator."""
        if self.seq is None:
            return self.problem
        when = canonical_time(self.at) if self.at is not None else "?"
        return f"event {self.seq} (id {self.event_id}, {when}): {self.problem}"


class ChainCheck:
    """Checks a chain fed event by event in seq order (constant memory), then its head.

    ``feed`` returns the first :class:`Break` found (and every later call returns it again);
    ``finish`` checks that the head names the last event.
    """

    def __init__(self) -> None:
        self.count = 0
        self.last_seq = 0
        self.last_hash = GENESIS
        self.broken: Break | None = None

    def feed(self, event: Mapping) -> Break | None:
        """Check one event against the one before it."""
        if self.broken is not None:
            return self.broken
        seq = event["seq"]
        if seq != self.last_seq + 1:
            if seq <= self.last_seq:  # the unique index makes this impossible; still, say so
                problem = f"its position repeats or goes back (after {self.last_seq})"
            elif self.last_seq == 0:
                problem = f"the events before it are missing (the chain starts at 1, not {seq})"
            else:
                problem = f"the events before it are missing ({self.last_seq + 1} to {seq - 1})"
            return self._break(event, problem)
        if event_hash(event) != event["hash"]:
            return self._break(event, "its contents were changed (its hash does not match them)")
        if event["prev_hash"] != self.last_hash:
            return self._break(
                event, "the event before it was changed or replaced (the link to it is broken)"
            )
        self.count += 1
        self.last_seq, self.last_hash = seq, event["hash"]
        return None

    def finish(self, head_seq: int, head_hash: str) -> Break | None:
        """After the last event: does the chain's head name it?"""
        if self.broken is not None:
            return self.broken
        if head_seq > self.last_seq:
            missing = head_seq - self.last_seq
            self.broken = Break(
                None,
                None,
                None,
                f"the last {missing} event{'s are' if missing != 1 else ' is'} missing "
                f"(the chain's head is at {head_seq}, the last event found is {self.last_seq})",
            )
        elif head_seq < self.last_seq:
            self.broken = Break(
                None,
                None,
                None,
                f"events after {head_seq} were not written by careobs "
                f"(the chain's head is at {head_seq}, the last event found is {self.last_seq})",
            )
        elif head_hash != self.last_hash:
            self.broken = Break(
                None, None, None, f"the chain's head does not match event {head_seq}"
            )
        return self.broken

    def _break(self, event: Mapping, problem: str) -> Break:
        self.broken = Break(event["seq"], event.get("id"), event.get("at"), problem)
        return self.broken
