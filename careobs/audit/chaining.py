"""Chaining audit events as they are inserted, one transaction at a time, on both write paths.

The chain's head row (AuditChainHead) is the lock: a writer first moves the head on by the number
of events it adds (``UPDATE … SET seq = seq + n``), which takes the row's write lock on
PostgreSQL and the database's write lock on SQLite until the transaction ends; only then does it
read the head, so what it reads is the last committed link. (Reading first would not do: on
SQLite a deferred transaction that has read cannot then write once another has committed.) The
lock is held to commit, so audit events belong late in a transaction, as they already are.

Everything happens in the writer's own transaction, so a rolled-back savepoint (a sync document
refused after its event was written) rolls the head back with the events.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from careobs.audit.chain import chain
from careobs.audit.models import AuditChainHead, AuditEvent
from careobs.db import utcnow

_HEAD = AuditChainHead.__table__


class ChainHeadMissing(RuntimeError):
    """The audit_chain_head row is missing: the database was not migrated to this version."""


def append(connection: sa.Connection, events: list[dict]) -> None:
    """Give ``events`` (column values, in order) their ``seq``, ``prev_hash`` and ``hash`` after
    the chain's head, and move the head on to the last of them; the caller inserts them in the
    same transaction."""
    if not events:
        return
    moved = connection.execute(
        sa.update(_HEAD)
        .where(_HEAD.c.id == 1)
        .values(seq=_HEAD.c.seq + len(events))
        .returning(_HEAD.c.seq, _HEAD.c.hash)
    ).one_or_none()
    if moved is None:
        raise ChainHeadMissing("The audit log has no chain head; run `careobs db upgrade`.")
    last_hash = chain(events, moved.seq - len(events), moved.hash)
    connection.execute(sa.update(_HEAD).where(_HEAD.c.id == 1).values(hash=last_hash))


@event.listens_for(Session, "before_flush")
def _chain_new_events(session: Session, _context, _instances) -> None:
    """The ORM path: events added to the session are chained just before they are inserted, in
    the order they were added."""
    new = [obj for obj in session.new if isinstance(obj, AuditEvent)]
    if not new:
        return
    values = []
    for obj in new:
        # Hashed as stored: what the column defaults would fill in at the insert is set now.
        if obj.at is None:
            obj.at = utcnow()
        if obj.summary is None:
            obj.summary = ""
        values.append({name: getattr(obj, name) for name in _HASHED_COLUMNS})
    append(session.connection(), values)
    for obj, linked in zip(new, values, strict=True):
        obj.seq, obj.prev_hash, obj.hash = linked["seq"], linked["prev_hash"], linked["hash"]


_HASHED_COLUMNS = (
    "organisation_id",
    "actor_id",
    "action",
    "entity_type",
    "entity_id",
    "summary",
    "ip",
    "at",
)
