"""Checking the stored audit log against its hash chain (``careobs audit verify``).

The events are read in seq order, a batch at a time (a large provider's log has millions), in
one snapshot of the database, so events written while the check runs neither break it nor
show as strays after the head.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa

from careobs.audit.chain import GENESIS, Break, ChainCheck
from careobs.audit.models import AuditChainHead, AuditEvent

BATCH = 5000

_EVENTS = AuditEvent.__table__
_HEAD = AuditChainHead.__table__


@dataclass(frozen=True)
class Verdict:
    """What ``careobs audit verify`` found."""

    events: int  # events checked and found intact (up to the first break)
    last_hash: str  # the head's hash (the last intact event's when broken)
    broken: Break | None

    @property
    def intact(self) -> bool:
        return self.broken is None

    def describe(self) -> str:
        """The line for the operator."""
        if self.broken is None:
            return f"Audit log intact: {self.events} events, last hash {self.last_hash}"
        return f"Audit log BROKEN: {self.broken.describe()}"

    def as_json(self) -> dict:
        """For ``--json``: machines watching the log."""
        broken = self.broken
        return {
            "intact": self.intact,
            "events": self.events,
            "last_hash": self.last_hash,
            "broken": None
            if broken is None
            else {
                "seq": broken.seq,
                "event_id": broken.event_id,
                "at": broken.at.isoformat() if broken.at else None,
                "problem": broken.problem,
                "message": broken.describe(),
            },
        }


def verify(engine: sa.Engine, batch: int = BATCH) -> Verdict:
    """Recompute every event's hash and link, check the seq has no gap and that the head names
    the last event; the first break found is reported."""
    with _snapshot(engine) as connection:
        head = connection.execute(
            sa.select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1)
        ).one_or_none()
        if head is None:
            return Verdict(0, GENESIS, Break(None, None, None, "the chain's head is missing"))
        head_seq, head_hash = head
        check = ChainCheck()
        for event in _events(connection, batch):
            if check.feed(event) is not None:
                break
        check.finish(head_seq, head_hash)
    last = check.last_hash if check.broken else head_hash
    return Verdict(check.count, last, check.broken)


def _events(connection: sa.Connection, batch: int) -> Iterator[dict]:
    """Every event in seq order, ``batch`` at a time (keyset, on the unique seq index)."""
    after = None
    while True:
        stmt = sa.select(_EVENTS).order_by(_EVENTS.c.seq).limit(batch)
        if after is not None:
            stmt = stmt.where(_EVENTS.c.seq > after)
        rows = [dict(row._mapping) for row in connection.execute(stmt)]
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1]["seq"]


@contextmanager
def _snapshot(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A read-only connection that sees one moment of the database throughout."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        else:
            # SQLite in WAL mode: a read transaction reads one snapshot until it ends.
            connection.exec_driver_sql("BEGIN")
        try:
            yield connection
        finally:
            connection.rollback()
