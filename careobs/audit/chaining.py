"""Chaining audit events as they are inserted, one transaction at a time, on both write paths
(an event added to the session is written at the end of the flush: see ``_AFTER_FLUSH``).

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

from careobs.audit.chain import CONTENT_FIELDS, chain
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


def write(connection: sa.Connection, events: list[dict]) -> None:
    """Chain ``events`` after the head and insert them, with one INSERT."""
    append(connection, events)
    # Core, not the ORM's bulk insert: no ids are read back, and it costs less per row.
    connection.execute(AuditEvent.__table__.insert(), events)


# The ORM path. An event added to the session is taken out of it at the flush and written at
# the flush's end, after the rows it describes: the head's lock is then the last one the
# transaction takes. Inserted with the other rows, the head was locked first, and a request
# that locked it while waiting for a row a sync batch held (an addendum's foreign key to the
# audit the batch was changing), as the batch waited for the head, deadlocked.
_AFTER_FLUSH = "careobs.audit_events_after_flush"


@event.listens_for(Session, "before_flush")
def _take_new_events(session: Session, _context, _instances) -> None:
    """Take the new events out of the flush, in the order they were added; written now when
    nothing else is to be flushed (the flush would then not reach its end)."""
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
        values.append({name: getattr(obj, name) for name in CONTENT_FIELDS})
        session.expunge(obj)
    if _other_work(session):
        session.info.setdefault(_AFTER_FLUSH, []).extend(values)
    else:
        write(session.connection(), values)


@event.listens_for(Session, "after_flush")
def _write_after_flush(session: Session, _context) -> None:
    _write_taken(session)


@event.listens_for(Session, "before_commit")
def _write_before_commit(session: Session) -> None:
    """A safety net: a flush that found nothing to write after all ends without after_flush."""
    _write_taken(session)


@event.listens_for(Session, "after_soft_rollback")
def _forget_taken(session: Session, _previous) -> None:
    """A flush that failed: its events go with its rows."""
    session.info.pop(_AFTER_FLUSH, None)


def _write_taken(session: Session) -> None:
    taken = session.info.pop(_AFTER_FLUSH, None)
    if taken:
        write(session.connection(), taken)


def _other_work(session: Session) -> bool:
    return bool(
        session.new or session.deleted or any(session.is_modified(obj) for obj in session.dirty)
    )
