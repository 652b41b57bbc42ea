"""Storing a document the sync accepted, for every kind: one skeleton for a new document and one
for a newer revision of a draft, running the steps the kind declares (see ``DocumentKind``).

A kind writes only what is its own: how the document's fields and outcome are copied onto the
record (``apply``), the rows under it (``insert_children``) and its audit summary.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.audit.service import record as audit
from careobs.capture import events
from careobs.capture.kinds import DocumentKind
from careobs.capture.records import CapturedRecord
from careobs.db import utcnow
from careobs.privacy import identifier_warnings


def create(
    kind: DocumentKind, db: Session, user, document_id, revision: int, clean, content_hash: str
):
    """Store a new document of ``kind`` by ``user`` (the sync's ``DocumentKind.create``)."""
    record = kind.model(
        uuid=document_id,
        organisation_id=user.organisation_id,
        revision=revision,
        content_hash=content_hash,
        **{kind.author: user.id},
    )
    kind.apply(db, record, clean)
    if kind.insert is None:
        db.add(record)
        db.flush()
    else:
        kind.insert(db, record)
    kind.insert_children(db, record.id, clean)
    _after_writing(kind, db, user, record, clean, previous_status=None)
    return record


def update(kind: DocumentKind, db: Session, user, record, revision: int, clean, content_hash: str):
    """Replace a draft with a newer revision from its author: the rows under it are written
    again from the new revision (the sync's ``DocumentKind.update``)."""
    previous_status = record.status
    for link in kind.children:
        db.execute(sa.delete(link.class_).where(link == record.id))
    record.revision = revision
    record.content_hash = content_hash
    kind.apply(db, record, clean)
    db.flush()
    kind.insert_children(db, record.id, clean)
    _after_writing(kind, db, user, record, clean, previous_status=previous_status)
    return record


def _after_writing(kind: DocumentKind, db: Session, user, record, clean, *, previous_status):
    if kind.written_with_core:
        db.expire(record, list(kind.written_with_core))  # the ORM has not seen those rows
    after_writing(
        db,
        user,
        record,
        clean,
        kind=kind.name,
        audit_prefix=kind.audit_prefix,
        summary=kind.summary(record, clean),
        previous_status=previous_status,
    )


def after_writing(
    db: Session,
    user,
    written: CapturedRecord,
    clean,
    *,
    kind: str,
    audit_prefix: str,
    summary: str,
    previous_status: str | None,
) -> None:
    """Log a stored document in the audit trail and, when it is submitted, send
    ``record_submitted`` so its subscribers (feedback, actions, alerts) act in the same
    transaction.

    ``previous_status`` is the stored status before this write (None: a new document). The
    audit action is ``<audit_prefix>_submitted`` the first time the document arrives submitted,
    otherwise ``_saved`` for a new document and ``_updated`` for a new revision.
    """
    submitted = clean.status == "submitted"
    if submitted and previous_status != "submitted":
        action = "submitted"
    else:
        action = "saved" if previous_status is None else "updated"
    audit(
        db,
        f"{audit_prefix}_{action}",
        organisation_id=user.organisation_id,
        actor=user,
        entity=written,
        summary=summary,
    )
    if submitted:
        events.submitted(kind, db, user, written, clean)


# ---- What every kind's ``apply`` does -----------------------------------------------------------


def privacy_flags(texts: Iterable[str]) -> list[str]:
    """What in the document's free texts may identify someone, each warning once, sorted."""
    return sorted({w for text in texts if text for w in identifier_warnings(text)})


def stamp(record: CapturedRecord, status: str) -> None:
    """Mark the record changed now and, the first time it arrives submitted, submitted now."""
    record.updated_at = utcnow()
    if status == "submitted" and record.submitted_at is None:
        record.submitted_at = record.updated_at
