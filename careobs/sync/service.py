"""The sync contract (design §3.1): apply a batch of documents from a device, each on its own.

Every document gets exactly one result: created, updated, unchanged, stale, conflict, invalid or
forbidden. Validation happens before anything is written, so an invalid or forbidden document
writes nothing and never blocks the others in its batch.

Each document is applied in a transaction of its own, with the stored copy locked first, so for
every document id the database holds exactly one whole revision: the highest one acknowledged,
with the children and aggregates of that same revision. Two requests carrying revisions of one
document wait for each other; a deadlock or a lost race is retried; an error on one document is
that document's ``invalid``, never the batch's. This module owns those transactions (it commits,
unlike the services below it): the unit of work here is the document, not the request.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from careobs.audit.service import events_deferred, record
from careobs.notifications.service import alerts_deferred, managers_remembered
from careobs.sync import payload
from careobs.sync.fields import Errors, read_int, read_uuid
from careobs.sync.models import QuarantinedDocument
from careobs.sync.roster import Forbidden, Rosters

log = logging.getLogger(__name__)

MAX_DOCUMENTS = 100
MAX_REVISION = 2**31 - 1
ATTEMPTS = 5  # a document whose transaction lost a race or a deadlock is tried this often
# PostgreSQL's SQLSTATEs for "run the transaction again": serialization failure, deadlock,
# lock not available; SQLite says "database is locked" once its busy timeout has passed.
_RETRY_STATES = {"40001", "40P01", "55P03"}
_RETRY_SQLITE = {"SQLITE_BUSY", "SQLITE_LOCKED"}


class Busy(Exception):
    """The database stayed too busy to apply a document; the device should try again later."""


@dataclass(frozen=True)
class DocumentKind:
    """How one kind of document is stored, validated and written.

    ``model`` is the stored record: it has ``uuid``, ``organisation_id``, ``author_id``,
    ``revision``, ``content_hash`` and ``status``, which the revision rules read.
    """

    model: type
    validate: Callable  # (data, rosters) -> (clean | None, errors); raises Forbidden
    create: Callable  # (db, user, document_id, revision, clean, content_hash) -> record
    update: Callable  # (db, user, stored, revision, clean, content_hash) -> record


@dataclass(frozen=True)
class Envelope:
    """A document's id, kind and revision, read and checked before anything touches the
    database."""

    kind_name: str
    kind: DocumentKind
    id: uuid.UUID
    revision: int
    raw: dict


def _kinds() -> dict[str, DocumentKind]:
    from careobs.quis import documents as quis_documents
    from careobs.quis import service as quis_service
    from careobs.quis.models import QuisSession
    from careobs.spotchecks import documents as visit_documents
    from careobs.spotchecks import service as visit_service
    from careobs.spotchecks.models import MonitoringVisit

    return {
        "quis_session": DocumentKind(
            QuisSession,
            quis_documents.validate,
            quis_service.create,
            quis_service.update,
        ),
        "spot_check": DocumentKind(
            MonitoringVisit,
            visit_documents.validate,
            visit_service.create,
            visit_service.update,
        ),
    }


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
    """Apply each document in order, each in its own transaction; one result per document.

    Raises Busy when the database stays locked for one document through every retry: the
    documents before it are stored and answered again as ``unchanged`` when the device resends.
    """
    kinds = _kinds()
    rosters = Rosters(db, user)
    envelopes = [read_envelope(raw, kinds) for raw in documents]
    present = _present(db, [e for e in envelopes if isinstance(e, Envelope)])
    db.commit()  # each document starts a transaction of its own
    with managers_remembered(db):
        return [
            envelope
            if isinstance(envelope, dict)
            else _apply_once(db, user, envelope, rosters, present)
            for envelope in envelopes
        ]


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
    """Which of the batch's documents the server already holds: one query per kind.

    Only a hint for choosing the path: a document found here is locked and read again in its
    own transaction, and one that is not is inserted, which the unique id refuses if another
    request got there first (the document is then tried again, locked).
    """
    present = set()
    for kind_name in {e.kind_name for e in envelopes}:
        model = next(e.kind for e in envelopes if e.kind_name == kind_name).model
        ids = [e.id for e in envelopes if e.kind_name == kind_name]
        found = db.scalars(sa.select(model.uuid).where(model.uuid.in_(ids)))
        present.update((kind_name, document_id) for document_id in found)
    return present


def _apply_once(db: Session, user, envelope: Envelope, rosters: Rosters, present: set) -> dict:
    """Apply one document in a transaction of its own, trying again after a lost race."""
    key = (envelope.kind_name, envelope.id)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with events_deferred(db), alerts_deferred(db):
                outcome = process_document(
                    db, user, envelope, rosters, lock=key in present or attempt > 1
                )
            db.commit()
        except IntegrityError:
            # Another request stored this document first, or an id inside it (an interaction's,
            # an action's) belongs to another record: look again, with the document locked.
            db.rollback()
            if attempt >= 3:
                return result(
                    envelope.id,
                    "invalid",
                    errors={"id": ["An id in this document is already used by another record."]},
                )
        except DBAPIError as exc:
            db.rollback()
            if not _worth_retrying(exc):
                log.exception("Sync: %s %s could not be stored", envelope.kind_name, envelope.id)
                return _unstorable(envelope)
            time.sleep(0.01 * attempt)
        except Exception:
            db.rollback()
            log.exception("Sync: %s %s could not be processed", envelope.kind_name, envelope.id)
            return _unstorable(envelope)
        else:
            present.add(key)
            return outcome
    raise Busy(f"{envelope.kind_name} {envelope.id}")


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


def lock_stored(db: Session, model: type, document_id: uuid.UUID):
    """The stored record with this document id, locked until the transaction ends, or None.

    PostgreSQL locks the row (a second request waits for the first to commit, then reads what
    it wrote); SQLite has one writer at a time, so the transaction takes the write lock before
    it reads (BEGIN IMMEDIATE) and the read sees every committed revision.
    """
    connection = db.connection()
    if connection.dialect.name == "sqlite":
        driver = connection.connection.driver_connection
        if not driver.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    return db.scalar(
        sa.select(model)
        .where(model.uuid == document_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def process_document(db: Session, user, envelope: Envelope, rosters: Rosters, *, lock) -> dict:
    """Apply one document: the revision rules of design §3.1 in one place.

    With ``lock`` the stored copy is locked and read first; without, the document is taken to
    be new, and storing it fails on its unique id if it is not.
    """
    kind, document_id, revision = envelope.kind, envelope.id, envelope.revision
    data = envelope.raw["data"]
    stored = lock_stored(db, kind.model, document_id) if lock else None
    if stored is not None and stored.organisation_id != user.organisation_id:
        return result(
            document_id, "forbidden", errors={"id": ["This document belongs to someone else."]}
        )
    fingerprint = payload.fingerprint(data)
    if fingerprint is None:
        field, message = payload.problem(data) or ("data", "Cannot be stored.")
        return result(document_id, "invalid", errors={field: [message]})
    try:
        clean, errors = kind.validate(data, rosters)
    except Forbidden:
        return result(
            document_id, "forbidden", errors={"service_id": ["You cannot record for this service."]}
        )
    if clean is None:
        return result(document_id, "invalid", errors=errors)
    if stored is not None and stored.content_hash == fingerprint:
        return result(document_id, "unchanged", stored.revision)

    if stored is None:
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
    kind.update(db, user, stored, revision, clean, fingerprint)
    return result(document_id, "updated", revision)


def quarantine(
    db: Session, user, envelope: Envelope, clean, stored, fingerprint: str, reason: str
) -> dict:
    """Keep a conflicting copy for a manager to review; the stored document is left as it was.

    One copy per document and content: the same copy sent again (a device retrying) is
    answered the same way without keeping it twice. The stored document is locked, so two
    requests cannot both find the copy missing.
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
        data=envelope.raw["data"],
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
