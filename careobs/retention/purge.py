"""The purge: remove what is past its retention period, in batches, and log one audit event per
organisation per run with what it removed.

Each batch is its own transaction (at most ``batch_size`` top-level records, with the rows that
go with them), committed before the next is chosen, so a large provider's database is never
held by one long transaction. Every batch first takes the organisation's purge lock, then the
sync's lock on each document it removes (the same keys, in the same sorted order, as
careobs.sync.service takes them), and only then chooses its records afresh: two purges at once
take turns and never count a record twice, and a device syncing a copy of a record being
removed waits for the batch and then finds it gone — its copy is past its retention period, so
the sync refuses it (careobs.retention.late) rather than storing it again.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from careobs.accounts.models import LoginFailure
from careobs.audit.service import record
from careobs.db import take_turns, utcnow
from careobs.retention.periods import LOGIN_FAILURE_DAYS
from careobs.retention.queries import cutoffs_for, removable
from careobs.retention.targets import TARGETS, Target
from careobs.sync.service import lock_key

log = logging.getLogger(__name__)

BATCH_SIZE = 500
ATTEMPTS = 5
_RETRY_STATES = {"40001", "40P01", "55P03"}
_RETRY_SQLITE = {"SQLITE_BUSY", "SQLITE_LOCKED"}


@dataclass
class RunResult:
    """What one run removed in one organisation."""

    organisation_id: int
    records: Counter = field(default_factory=Counter)  # record type -> top-level records
    rows: Counter = field(default_factory=Counter)  # table -> rows (dependants included)
    batches: int = 0

    def summary(self) -> str:
        """The audit event's summary (at most 300 characters)."""
        if not self.records:
            return "Nothing was past its retention period."
        parts = [f"{key} {n}" for key, n in self.records.items() if n]
        text = f"Removed past retention: {', '.join(parts)}; {sum(self.rows.values())} rows"
        text += f" in {self.batches} batches."
        return text[:300]


def purge_lock(db: Session, organisation_id: int) -> None:
    """Make purges of one organisation take turns."""
    take_turns(db, f"retention-purge:{organisation_id}")


def _lock_documents(db: Session, target: Target, ids: list) -> None:
    """Take the sync's locks on the batch's documents (PostgreSQL), in its sorted order."""
    if target.sync_kind is None or db.connection().dialect.name != "postgresql":
        return
    uuids = db.scalars(sa.select(target.model.uuid).where(target.model.id.in_(ids))).all()
    for key in sorted(lock_key(target.sync_kind, u) for u in uuids):
        db.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))


def _batch(db: Session, target: Target, organisation_id: int, cutoff, size: int) -> Counter:
    """Remove one batch of ``target``; an empty Counter when nothing is left."""
    purge_lock(db, organisation_id)
    ids = db.scalars(removable(target, organisation_id, cutoff).limit(size)).all()
    if not ids:
        return Counter()
    _lock_documents(db, target, ids)
    # Chosen again under the documents' locks: a record a sync changed meanwhile (a late copy
    # refused, a new action opened) is judged as it now stands.
    ids = db.scalars(
        removable(target, organisation_id, cutoff).where(target.model.id.in_(ids))
    ).all()
    if not ids:
        return Counter({"nothing": 0})
    counts = target.remove(db, ids)
    counts[f"records:{target.key}"] = len(ids)
    return counts


def _worth_retrying(exc: DBAPIError) -> bool:
    original = exc.orig
    return (
        getattr(original, "sqlstate", None) in _RETRY_STATES
        or getattr(original, "sqlite_errorname", None) in _RETRY_SQLITE
    )


def _committed_batch(db: Session, target: Target, organisation_id: int, cutoff, size) -> Counter:
    """One batch in its own transaction, run again if the database asks (a deadlock with a
    sync, SQLite busy)."""
    for attempt in range(1, ATTEMPTS + 1):
        db.rollback()
        try:
            counts = _batch(db, target, organisation_id, cutoff, size)
            db.commit()
            return counts
        except DBAPIError as exc:
            db.rollback()
            if not _worth_retrying(exc) or attempt == ATTEMPTS:
                raise
            log.warning("Purge batch tried again (attempt %d): %s", attempt, exc.orig)
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


def purge_organisation(
    db: Session, organisation_id: int, *, batch_size: int = BATCH_SIZE, now=None, actor=None
) -> RunResult:
    """Remove everything of one organisation past its retention period, batch by batch, then
    write the run's audit event (committed)."""
    run = RunResult(organisation_id)
    cutoffs = cutoffs_for(db, organisation_id, now)
    db.rollback()
    for target in TARGETS:
        while True:
            counts = _committed_batch(db, target, organisation_id, cutoffs[target.key], batch_size)
            if not counts:
                break
            done = counts.pop(f"records:{target.key}", 0)
            counts.pop("nothing", None)
            if done:
                run.batches += 1
                run.records[target.key] += done
                run.rows.update({k: v for k, v in counts.items() if v and k != "links cleared"})
    record(
        db, "retention_purge", organisation_id=organisation_id, actor=actor, summary=run.summary()
    )
    db.commit()
    return run


def purge_login_failures(db: Session, now=None) -> int:
    """Remove failed logins older than LOGIN_FAILURE_DAYS (they belong to no organisation)."""
    since = (now or utcnow()) - timedelta(days=LOGIN_FAILURE_DAYS)
    removed = db.execute(sa.delete(LoginFailure).where(LoginFailure.at < since)).rowcount
    db.commit()
    return removed
