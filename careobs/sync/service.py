"""The sync contract (design §3.1): apply a batch of documents from a device, each on its own.

Every document gets exactly one result: created, updated, unchanged, stale, conflict, invalid or
forbidden. Validation happens before anything is written, so an invalid or forbidden document
writes nothing and never blocks the others in its batch.

A batch is one transaction that locks its documents before reading them, so for every document
id the database holds exactly one whole revision: the highest one acknowledged, with the
children and aggregates of that same revision. Two requests carrying revisions of one document
wait for each other; a deadlock is retried; an error while one document is written undoes that
document's writes alone and is its ``invalid``, never the batch's. This module owns the
transaction (it commits, unlike the services below it), because retrying it is part of the
contract.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from careobs.audit.service import events_deferred, record
from careobs.capture.kinds import DocumentKind, registered
from careobs.db import advisory_key, advisory_locks, sqlite_write_lock
from careobs.notifications.service import alerts_deferred, managers_remembered
from careobs.redaction.service import masked_copy
from careobs.retention.late import past_retention
from careobs.sync import payload
from careobs.sync.fields import Errors, read_int, read_uuid
from careobs.sync.models import QuarantinedDocument
from careobs.sync.roster import Forbidden, Rosters

log = logging.getLogger(__name__)

MAX_DOCUMENTS = 100
MAX_REVISION = 2**31 - 1
ATTEMPTS = 5  # a batch the database aborted (deadlock, serialization, busy) is run this often
# PostgreSQL's SQLSTATEs for "run the transaction again": serialization failure, deadlock,
# lock not available; SQLite says "database is locked" once its busy timeout has passed.
_RETRY_STATES = {"40001", "40P01", "55P03"}
_RETRY_SQLITE = {"SQLITE_BUSY", "SQLITE_LOCKED"}


class Busy(Exception):
    """The database stayed too busy to apply a batch; the device should send it again later."""


@dataclass(frozen=True)
class Envelope:
    """A document's id, kind and revision, read and checked before anything touches the
    database."""

    kind_name: str
    kind: DocumentKind
    id: uuid.UUID
    revision: int
    raw: dict


def content_hash(data) -> str:
    """A fingerprint of a document's content, so an identical resend is recognised."""
    fingerprint = payload.fingerprint(data)
    if fingerprint is None:
        raise ValueError("the data cannot be stored; see payload.problem()")
    return fingerprint


def result(document_id, status: str, revision: int | None = None, errors=None) -> dict:
    """One entry of the response's ``results``."""
    entry = {"id": str(document_id) if document_id else None, "status": status}
    if revision is not None:
        entry["revision"] = revision
    if errors:
        entry["errors"] = errors
    return entry


def process_batch(db: Session, user, documents: list) -> list[dict]:
    """Apply each document in order and commit the batch; one result per document.

    The batch's documents are locked first, in one order whatever order they came in, so two
    requests carrying the same documents wait for each other instead of deadlocking; each
    document that fails while it is written is answered ``invalid`` with its writes undone and
    the others stand (see _apply_one). A batch the database aborts (a deadlock on shared rows
    such as the per-period sums, a serialization failure, SQLite staying locked) is run again
    from the start, at most ATTEMPTS times, then Busy is raised with nothing written.
    """
    kinds = registered()
    envelopes = [read_envelope(raw, kinds) for raw in documents]
    wanted = [e for e in envelopes if isinstance(e, Envelope)]
    careful = False
    for attempt in range(1, ATTEMPTS + 1):
        db.rollback()  # start the batch's transaction afresh (and end any read one)
        try:
            _lock_documents(db, wanted)
            rosters = Rosters(db, user)
            present = _present(db, wanted)
            with events_deferred(db), alerts_deferred(db), managers_remembered(db):
                results = [
                    envelope
                    if isinstance(envelope, dict)
                    else _apply_one(db, user, envelope, rosters, present, careful)
                    for envelope in envelopes
                ]
            db.commit()
            return results
        except _DocumentFailed:
            db.rollback()
            careful = True
        except DBAPIError as exc:
            db.rollback()
            if not _worth_retrying(exc):
                raise
            log.warning("Sync batch tried again (attempt %d): %s", attempt, exc.orig)
            time.sleep(0.05 * attempt)
    raise Busy(f"{len(wanted)} documents")


def _lock_documents(db: Session, envelopes: list[Envelope]) -> None:
    """Take the batch's document locks before anything is read or written.

    PostgreSQL: a transaction-level advisory lock per document id, taken in the ids' order, so
    requests sending [A, B] and [B, A] queue behind each other on A; a new document is then
    never inserted by two requests at once. SQLite has one writer at a time: the transaction
    takes the write lock now (BEGIN IMMEDIATE), so what it reads next is what it writes over.
    """
    connection = db.connection()
    if sqlite_write_lock(connection):
        return
    keys = {lock_key(e.kind_name, e.id) for e in envelopes}
    # Rows that several documents may lock in their kind's clash (a pair shared by two
    # sessions) are locked here too, in the same sorted order: whatever order a batch names
    # them in, the batches queue on the first instead of each holding what the other waits for.
    for e in envelopes:
        if e.kind.lock_keys is not None:
            keys.update(lock_key("shared", name) for name in e.kind.lock_keys(e.raw["data"]))
    advisory_locks(connection, keys)


def lock_key(kind_name: str, document_id) -> int:
    """A signed 64-bit advisory lock key for a document (a clash only makes two wait)."""
    return advisory_key(f"{kind_name}:{document_id}")


def read_envelope(raw, kinds: dict[str, DocumentKind]) -> Envelope | dict:
    """The document's envelope, or its ``invalid`` result when the envelope is malformed."""
    errors = Errors()
    if not isinstance(raw, dict):
        errors.add("document", "Each document must be an object.")
        return result(None, "invalid", errors=errors)
    raw_id = raw.get("id")
    document_id = read_uuid(raw_id, "id", errors)
    kind_name = raw.get("kind")
    kind = kinds.get(kind_name) if isinstance(kind_name, str) else None
    if kind is None:
        errors.add("kind", f"Must be one of: {', '.join(kinds)}.")
    revision = read_int(raw.get("revision"), "revision", errors, 1, MAX_REVISION)
    if "data" not in raw:
        errors.add("data", "Required.")
    if errors:
        echoed_id = raw_id if isinstance(raw_id, str) and payload.problem(raw_id) is None else None
        return result(document_id or echoed_id, "invalid", errors=errors)
    return Envelope(kind_name, kind, document_id, revision, raw)


def _present(db: Session, envelopes: list[Envelope]) -> set[tuple[str, uuid.UUID]]:
    """Which of the batch's documents the server already holds: one query per kind (exact,
    as the documents are locked)."""
    present = set()
    for kind_name in {e.kind_name for e in envelopes}:
        model = next(e.kind for e in envelopes if e.kind_name == kind_name).model
        ids = [e.id for e in envelopes if e.kind_name == kind_name]
        found = db.scalars(sa.select(model.uuid).where(model.uuid.in_(ids)))
        present.update((kind_name, document_id) for document_id in found)
    return present


class _DocumentFailed(Exception):
    """A document failed while it was written, in a batch applied without savepoints."""


def _apply_one(
    db: Session, user, envelope: Envelope, rosters: Rosters, present: set, careful: bool
) -> dict:
    """Apply one document; ``careful`` puts it under a savepoint of its own.

    A batch first runs without savepoints (one per document costs a tenth of a batch's time,
    measured by bench/sync_ingest.py) and nearly always succeeds. A document that fails while
    it is written raises _DocumentFailed: the batch is rolled back and run again carefully,
    where a failure undoes only that document's writes and answers it ``invalid``.
    """
    key = (envelope.kind_name, envelope.id)
    savepoint = db.begin_nested() if careful else None
    try:
        with events_deferred(db), alerts_deferred(db):  # its events go if it fails
            outcome = process_document(db, user, envelope, rosters, stored=key in present)
        if savepoint is not None:
            savepoint.commit()
    except Exception as exc:
        if savepoint is None:
            if isinstance(exc, DBAPIError) and _worth_retrying(exc):
                raise
            raise _DocumentFailed from exc
        savepoint.rollback()
        return _failed(envelope, exc)
    if outcome["status"] in ("created", "updated"):
        present.add(key)
    return outcome


def _failed(envelope: Envelope, exc: Exception) -> dict:
    """The answer for a document that failed while it was written (its writes undone)."""
    if isinstance(exc, IntegrityError):
        # The document is locked, so this is not a race: an id inside it (an interaction's,
        # an action's) belongs to another record.
        return result(
            envelope.id,
            "invalid",
            errors={"id": ["An id in this document is already used by another record."]},
        )
    if isinstance(exc, DBAPIError) and _worth_retrying(exc):
        raise exc  # the whole batch runs again
    log.error("Sync: %s %s could not be stored", envelope.kind_name, envelope.id, exc_info=exc)
    return _unstorable(envelope)


def _worth_retrying(exc: DBAPIError) -> bool:
    """Whether the database asked for the transaction to be run again (or was busy)."""
    original = exc.orig
    return (
        getattr(original, "sqlstate", None) in _RETRY_STATES
        or getattr(original, "sqlite_errorname", None) in _RETRY_SQLITE
    )


def _unstorable(envelope: Envelope) -> dict:
    return result(
        envelope.id,
        "invalid",
        errors={"data": ["The server could not store this record as it stands."]},
    )


def read_stored(db: Session, model: type, document_id: uuid.UUID):
    """The stored record with this document id, read afresh and row-locked, or None.

    The batch already holds the document's lock; the row lock also keeps out writers that do
    not go through the sync (PostgreSQL; SQLite's write lock covers everything).
    """
    return db.scalar(
        sa.select(model)
        .where(model.uuid == document_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def process_document(db: Session, user, envelope: Envelope, rosters: Rosters, *, stored) -> dict:
    """Apply one document: the revision rules of design §3.1 in one place.

    ``stored`` says whether the server holds the document (known exactly, as the batch has
    locked it): only then is the stored copy read.
    """
    kind, document_id, revision = envelope.kind, envelope.id, envelope.revision
    data = envelope.raw["data"]
    stored = read_stored(db, kind.model, document_id) if stored else None
    if stored is not None and stored.organisation_id != user.organisation_id:
        return result(
            document_id, "forbidden", errors={"id": ["This document belongs to someone else."]}
        )
    fingerprint = payload.fingerprint(data)
    if fingerprint is None:
        field, message = payload.problem(data) or ("data", "Cannot be stored.")
        return result(document_id, "invalid", errors={field: [message]})
    if stored is not None and stored.author_id == user.id and stored.content_hash == fingerprint:
        # Its author sending again what the server holds (the answer was lost): answered as the
        # first time, even if their rights changed since (a champion removed, a role changed) —
        # nothing is written, and a new revision is checked in full below.
        return result(document_id, "unchanged", stored.revision)
    try:
        clean, errors = kind.validate(data, rosters)
    except Forbidden as refused:
        return result(document_id, "forbidden", errors={refused.field: [refused.message]})
    if clean is None:
        return result(document_id, "invalid", errors=errors)
    if stored is not None and stored.content_hash == fingerprint:
        return result(document_id, "unchanged", stored.revision)
    # A copy dated before its retention cut-off is never written, new, revised or kept for
    # review: the purge removes such records, and a late copy must not bring one back.
    late = past_retention(
        db,
        envelope.kind_name,
        clean,
        user.organisation_id,
        rosters.lookups.setdefault("retention", {}),
    )
    if late:
        return result(document_id, "invalid", errors=late)

    # ``kind.clash`` runs only for a copy that is about to be written (new, or a newer revision
    # of its author's draft): it may write (a paired session makes its pair's row) and lock
    # rows, and an older or conflicting copy must be answered stale or kept for review, not
    # refused for what its newer revision settled. The rows a clash locks that other documents
    # share (``DocumentKind.lock_keys``) were locked with the batch's documents, in one sorted
    # order, before any document was applied.
    if stored is None:
        clashing = _clash(db, kind, document_id, clean, None)
        if clashing:
            return result(document_id, "invalid", errors=clashing)
        kind.create(db, user, document_id, revision, clean, fingerprint)
        return result(document_id, "created", revision)
    if stored.author_id != user.id:
        return quarantine(
            db, user, envelope, clean, stored, fingerprint, "Another person's document."
        )
    if revision <= stored.revision:
        # An older copy, or one forked from the same revision on another tab or device: the
        # stored one stays (a device may send the forked copy again as a new revision).
        return result(document_id, "stale", stored.revision)
    if stored.status == "submitted":
        return quarantine(
            db,
            user,
            envelope,
            clean,
            stored,
            fingerprint,
            "The document was already submitted with different content.",
        )
    clashing = _clash(db, kind, document_id, clean, stored)
    if clashing:
        return result(document_id, "invalid", errors=clashing)
    kind.update(db, user, stored, revision, clean, fingerprint)
    return result(document_id, "updated", revision)


def _clash(db: Session, kind: DocumentKind, document_id: uuid.UUID, clean, stored) -> dict | None:
    """The kind's refusal of a copy about to be written (see DocumentKind.clash), or None.
    ``stored`` is the record the copy replaces, None for a new document."""
    return kind.clash(db, document_id, clean, stored) if kind.clash is not None else None


def quarantine(
    db: Session, user, envelope: Envelope, clean, stored, fingerprint: str, reason: str
) -> dict:
    """Keep a conflicting copy for a manager to review; the stored document is left as it was.

    One copy per document and content: the same copy sent again (a device retrying) is
    answered the same way without keeping it twice. The stored document is locked, so two
    requests cannot both find the copy missing. Text a manager redacted in the stored record
    stays redacted in the copy kept (careobs.redaction.service.masked_copy); the copy's
    fingerprint is still the one the device sent.
    """
    answer = result(
        envelope.id,
        "conflict",
        stored.revision,
        errors={"id": [f"{reason} Your copy was kept for a manager to review."]},
    )
    already_kept = db.scalar(
        sa.select(QuarantinedDocument.id).where(
            QuarantinedDocument.document_id == envelope.id,
            QuarantinedDocument.content_hash == fingerprint,
        )
    )
    if already_kept is not None:
        return answer
    kept = QuarantinedDocument(
        organisation_id=user.organisation_id,
        service_id=clean.roster.service.id,
        kind=envelope.kind_name,
        document_id=envelope.id,
        author_id=user.id,
        revision=envelope.revision,
        reason=reason,
        data=masked_copy(envelope.kind_name, stored, envelope.raw["data"]),
        content_hash=fingerprint,
    )
    db.add(kept)
    db.flush()
    record(
        db,
        "sync_conflict",
        organisation_id=user.organisation_id,
        actor=user,
        entity=kept,
        summary=f"{envelope.kind_name} {envelope.id}: {reason}",
    )
    return answer
