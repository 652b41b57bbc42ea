"""The sync contract (design §3.1): apply a batch of documents from a device, each on its own.

Every document gets exactly one result: created, updated, unchanged, stale, conflict, invalid or
forbidden. Validation happens before anything is written, so an invalid or forbidden document
writes nothing and never blocks the others in its batch.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from careobs.audit.service import events_deferred, record
from careobs.notifications.service import alerts_deferred
from careobs.sync.fields import Errors, read_int, read_uuid
from careobs.sync.models import QuarantinedDocument
from careobs.sync.roster import Forbidden, Rosters

MAX_DOCUMENTS = 100
MAX_REVISION = 2**31 - 1
CREATED_IN_BATCH = object()  # marks a document this batch has just stored


@dataclass(frozen=True)
class DocumentKind:
    """How one kind of document is found, validated and written."""

    find_many: Callable  # (db, [document_id]) -> {document_id: stored record}
    validate: Callable  # (data, rosters) -> (clean | None, errors); raises Forbidden
    create: Callable  # (db, user, document_id, revision, clean, content_hash) -> record
    update: Callable  # (db, user, stored, revision, clean, content_hash) -> record


def _kinds() -> dict[str, DocumentKind]:
    from careobs.quis import documents as quis_documents
    from careobs.quis import service as quis_service
    from careobs.spotchecks import documents as visit_documents
    from careobs.spotchecks import service as visit_service

    return {
        "quis_session": DocumentKind(
            quis_service.find_many,
            quis_documents.validate,
            quis_service.create,
            quis_service.update,
        ),
        "spot_check": DocumentKind(
            visit_service.find_many,
            visit_documents.validate,
            visit_service.create,
            visit_service.update,
        ),
    }


def content_hash(data) -> str:
    """A fingerprint of a document's content, so an identical resend is recognised."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def result(document_id, status: str, revision: int | None = None, errors=None) -> dict:
    """One entry of the response's ``results``."""
    entry = {"id": str(document_id) if document_id else None, "status": status}
    if revision is not None:
        entry["revision"] = revision
    if errors:
        entry["errors"] = errors
    return entry


def process_batch(db: Session, user, documents: list) -> list[dict]:
    """Apply each document in order and return one result per document."""
    kinds = _kinds()
    rosters = Rosters(db, user)
    stored = _stored_documents(db, kinds, documents)
    with events_deferred(db), alerts_deferred(db):
        return [process_document(db, user, raw, kinds, rosters, stored) for raw in documents]


def _stored_documents(db: Session, kinds, documents: list) -> dict:
    """What the server already holds for the batch, loaded with one query per kind."""
    wanted: dict[str, list[uuid.UUID]] = {}
    for raw in documents:
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            continue
        if isinstance(raw.get("kind"), str) and raw["kind"] in kinds:
            try:
                wanted.setdefault(raw["kind"], []).append(uuid.UUID(raw["id"]))
            except ValueError:
                continue
    stored = {}
    for kind_name, ids in wanted.items():
        for doc_id, row in kinds[kind_name].find_many(db, ids).items():
            stored[(kind_name, doc_id)] = row
    return stored


def process_document(db: Session, user, raw, kinds, rosters: Rosters, stored_docs) -> dict:
    """Apply one document: the revision rules of design §3.1 in one place."""
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
        echoed_id = raw_id if isinstance(raw_id, str) else None
        return result(document_id or echoed_id, "invalid", errors=errors)

    data = raw["data"]
    key = (kind_name, document_id)
    stored = stored_docs.get(key)
    if stored is CREATED_IN_BATCH:
        # The same document twice in one batch: read back what the first copy stored.
        stored = stored_docs[key] = kind.find_many(db, [document_id]).get(document_id)
    if stored is not None and stored.organisation_id != user.organisation_id:
        return result(
            document_id, "forbidden", errors={"id": ["This document belongs to someone else."]}
        )
    try:
        clean, errors = kind.validate(data, rosters)
    except Forbidden:
        return result(
            document_id, "forbidden", errors={"service_id": ["You cannot record for this service."]}
        )
    if clean is None:
        return result(document_id, "invalid", errors=errors)

    fingerprint = content_hash(data)
    if stored is None:
        kind.create(db, user, document_id, revision, clean, fingerprint)
        stored_docs[key] = CREATED_IN_BATCH
        return result(document_id, "created", revision)
    if stored.content_hash == fingerprint:
        return result(document_id, "unchanged", stored.revision)
    if stored.author_id != user.id:
        return quarantine(db, user, raw, clean, stored, "Another person's document.")
    if stored.status == "submitted":
        return quarantine(
            db,
            user,
            raw,
            clean,
            stored,
            "The document was already submitted with different content.",
        )
    if revision < stored.revision:
        return result(document_id, "stale", stored.revision)
    if revision == stored.revision:
        return quarantine(
            db, user, raw, clean, stored, "Different content under the same revision."
        )
    kind.update(db, user, stored, revision, clean, fingerprint)
    return result(document_id, "updated", revision)


def quarantine(db: Session, user, raw: dict, clean, stored, reason: str) -> dict:
    """Keep a conflicting copy for a manager to review; the stored document is left as it was."""
    service = clean.roster.service
    kept = QuarantinedDocument(
        organisation_id=user.organisation_id,
        service_id=service.id,
        kind=raw["kind"],
        document_id=uuid.UUID(raw["id"]),
        author_id=user.id,
        revision=raw["revision"],
        reason=reason,
        data=raw["data"],
    )
    db.add(kept)
    db.flush()
    record(
        db,
        "sync_conflict",
        organisation_id=user.organisation_id,
        actor=user,
        entity=kept,
        summary=f"{raw['kind']} {raw['id']}: {reason}",
    )
    return result(
        raw["id"],
        "conflict",
        stored.revision,
        errors={"id": [f"{reason} Your copy was kept for a manager to review."]},
    )
