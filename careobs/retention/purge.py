"""The purge: remove what is past its retention period, in batches, and log what it removed.

A run leaves its trail in the audit log whatever becomes of it: a "retention_purge_started"
event (what is to be removed, in counts) is committed before the first batch, and the
"retention_purge" event with what was removed is written at the end, also when the run stops
early (an error, a stopped process), saying so and why in fixed words. A run killed outright
(SIGKILL, the machine failing) leaves a started event with no outcome after it, which the
retention page reports.

Each batch is its own transaction (at most ``batch_size`` top-level records, with the rows that
go with them), committed before the next is chosen, so a large provider's database is never
held by one long transaction. Every batch first takes the organisation's purge lock, then the
sync's lock on each document it removes (the same keys, in the same sorted order, as
careobs.sync.service takes them), and only then chooses its records afresh: two purges at once
take turns and never count a record twice, and a device syncing a copy of a record being
removed waits for the batch and then finds it gone — its copy is past its retention period, so
the sync refuses it (careobs.retention.late) rather than storing it again. The batch's records
themselves are then locked in id order before any row that goes with them is written, as a
redaction locks a record before its family, so the two never wait for each other in a circle.
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
from careobs.db import advisory_locks, take_turns, utcnow
from careobs.retention.periods import LOGIN_FAILURE_DAYS
from careobs.retention.queries import TypeReport, cutoffs_for, removable, report
from careobs.retention.targets import TARGETS, Target
from careobs.sync.service import lock_key

log = logging.getLogger(__name__)

BATCH_SIZE = 500
ATTEMPTS = 5
_RETRY_STATES = {"40001", "40P01", "55P03"}
_RETRY_SQLITE = {"SQLITE_BUSY", "SQLITE_LOCKED"}


@dataclass
class RunResult:
    """What one run removed in one organisation (``stopped``: why it stopped early, if it did)."""

    organisation_id: int
    records: Counter = field(default_factory=Counter)  # record type -> top-level records
    rows: Counter = field(default_factory=Counter)  # table -> rows (dependants included)
    batches: int = 0
    stopped: str | None = None

    def summary(self) -> str:
        """The audit event's summary (at most 300 characters)."""
        parts = [f"{key} {n}" for key, n in self.records.items() if n]
        if self.stopped:
            removed = ", ".join(parts) or "nothing"
            text = f"Stopped early ({self.stopped}). Removed before it stopped: {removed}"
            text += f"; {sum(self.rows.values())} rows in {self.batches} batches."
            return text[:300]
        if not parts:
            return "Nothing was past its retention period."
        text = f"Removed past retention: {', '.join(parts)}; {sum(self.rows.values())} rows"
        text += f" in {self.batches} batches."
        return text[:300]


def planned_summary(lines: list[TypeReport]) -> str:
    """The started event's summary: what the run is to remove, per type, in counts."""
    parts = [f"{line.key} {line.total}" for line in lines if line.total]
    if not parts:
        return "Starting: nothing is past its retention period."
    return f"Starting: past retention, to remove: {', '.join(parts)}."[:300]


def why_stopped(exc: BaseException) -> str:
    """Why a run stopped, in fixed words: never the exception's message, which may quote a
    record's content."""
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    if isinstance(exc, SystemExit):
        return "the process was stopped"
    if isinstance(exc, DBAPIError):
        return f"a database error, {type(exc.orig).__name__}"
    return f"an error, {type(exc).__name__}"


def purge_lock(db: Session, organisation_id: int) -> None:
    """Make purges of one organisation take turns."""
    take_turns(db, f"retention-purge:{organisation_id}")


def _lock_documents(db: Session, target: Target, ids: list) -> None:
    """Take the sync's locks on the batch's documents (PostgreSQL), in its sorted order."""
    if target.sync_kind is None or db.connection().dialect.name != "postgresql":
        return
    uuids = db.scalars(sa.select(target.model.uuid).where(target.model.id.in_(ids))).all()
    advisory_locks(db.connection(), [lock_key(target.sync_kind, u) for u in uuids])


def _lock_records(db: Session, target: Target, ids: list) -> None:
    """Lock the batch's records in id order (PostgreSQL; SQLite's write lock is already held),
    before any row that goes with them is written: a redaction locks the record first, then its
    family, and so the purge takes them in the same order."""
    if db.connection().dialect.name != "postgresql":
        return
    db.execute(
        sa.select(target.model.id)
        .where(target.model.id.in_(ids))
        .order_by(target.model.id)
        .with_for_update()
    ).all()


def _batch(db: Session, target: Target, organisation_id: int, cutoff, size: int) -> Counter:
    """Remove one batch of ``target``; an empty Counter when nothing is left."""
    purge_lock(db, organisation_id)
    ids = db.scalars(removable(target, organisation_id, cutoff).limit(size)).all()
    if not ids:
        return Counter()
    _lock_documents(db, target, ids)
    _lock_records(db, target, ids)
    # Chosen again under the locks: a record changed meanwhile (a late copy refused, a new
    # action opened) is judged as it now stands.
    ids = db.scalars(
        removable(target, organisation_id, cutoff).where(target.model.id.in_(ids))
    ).all()
    if not ids:
        return Counter({"nothing": 0})
    counts = target.remove(db, organisation_id, ids)
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
    db: Session,
    organisation_id: int,
    *,
    batch_size: int = BATCH_SIZE,
    now=None,
    actor=None,
    planned: list[TypeReport] | None = None,
) -> RunResult:
    """Remove everything of one organisation past its retention period, batch by batch.

    Commits a "retention_purge_started" event first (``planned``: the report the caller already
    read, or read here), and the "retention_purge" event with the counts at the end, also when
    the run stops early (the exception then goes on)."""
    run = RunResult(organisation_id)
    db.rollback()
    lines = planned if planned is not None else report(db, organisation_id, now)
    record(
        db,
        "retention_purge_started",
        organisation_id=organisation_id,
        actor=actor,
        summary=planned_summary(lines),
    )
    db.commit()
    try:
        _remove_all(db, run, cutoffs_for(db, organisation_id, now), batch_size)
    except BaseException as exc:
        run.stopped = why_stopped(exc)
        _finish(db, run, actor)
        raise
    _finish(db, run, actor)
    return run


def _remove_all(db: Session, run: RunResult, cutoffs: dict, batch_size: int) -> None:
    db.rollback()
    for target in TARGETS:
        cutoff = cutoffs[target.key]
        while True:
            counts = _committed_batch(db, target, run.organisation_id, cutoff, batch_size)
            if not counts:
                break
            done = counts.pop(f"records:{target.key}", 0)
            counts.pop("nothing", None)
            if done:
                run.batches += 1
                run.records[target.key] += done
                run.rows.update({k: v for k, v in counts.items() if v and k != "links cleared"})


def _finish(db: Session, run: RunResult, actor) -> None:
    """Write the run's outcome in a transaction of its own. When the run stopped early and even
    this fails (the database gone), it is logged and the run's own error goes on."""
    try:
        db.rollback()
        record(
            db,
            "retention_purge",
            organisation_id=run.organisation_id,
            actor=actor,
            summary=run.summary(),
        )
        db.commit()
    except Exception:
        if run.stopped is None:
            raise
        log.exception("The purge's outcome could not be written to the audit log")


def purge_login_failures(db: Session, now=None) -> int:
    """Remove failed logins older than LOGIN_FAILURE_DAYS, with their audit event in the same
    transaction (they belong to no organisation: the event has none)."""
    since = (now or utcnow()) - timedelta(days=LOGIN_FAILURE_DAYS)
    db.rollback()
    removed = db.execute(sa.delete(LoginFailure).where(LoginFailure.at < since)).rowcount
    record(
        db,
        "retention_purge",
        organisation_id=None,
        summary=f"Removed past retention: login_failures {removed} (older than "
        f"{LOGIN_FAILURE_DAYS} days).",
    )
    db.commit()
    return removed
