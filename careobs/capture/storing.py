"""Storing a document the sync accepted, for every kind: one skeleton for a new document and one
for a newer revision of a draft, running the steps the kind declares (see ``DocumentKind``).

A kind writes only what is its own: how the document's fields and outcome are copied onto the
record (``apply``), the rows under it (``insert_children``) and its audit summary.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

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


# ---- A kind's ``insert``: the record's row straight to the driver ------------------------------


def insert_row(db: Session, record) -> None:
    """A new record's row with one INSERT … RETURNING id, straight to the driver, setting
    ``record.id`` (a kind's ``insert``). The object is not attached to the session; re-read it
    before changing it.

    An ORM flush per document was a third of the sync's time, and Core's execution of a cached
    statement (cache key, parameter processing, result) still 12 % of its profile
    (bench/sync_ingest.py). The row is the one Core would write: every column's value goes
    through the column's own bind processor, and a column left None takes the default Core
    would give it (or is NULL, as when Core leaves it out).
    """
    connection = db.connection()
    sql, names, columns = _row_insert(type(record).__table__, connection.dialect)
    values = {}
    for column, default, process in columns:
        value = getattr(record, column)
        if value is None and default is not None:
            value = default.arg(None) if default.is_callable else default.arg
        values[column] = value if value is None or process is None else process(value)
    parameters = tuple(values[name] for name in names) if names else values
    record.id = connection.exec_driver_sql(sql, parameters).scalar_one()


@cache
def _row_insert(table: sa.Table, dialect) -> tuple[str, tuple | None, list]:
    """The table's INSERT of every column but ``id`` … RETURNING id, compiled for the dialect;
    the parameter order when the driver takes them by position (else None); and each column's
    key, Python-side default and bind processor."""
    columns = [c for c in table.columns if c.key != "id"]
    for column in columns:
        if column.default is not None and not (
            column.default.is_scalar or column.default.is_callable
        ):
            raise ValueError(f"{table.name}.{column.key}: a SQL default cannot be sent as a value")
        if column.server_default is not None:
            raise ValueError(f"{table.name}.{column.key}: a server default would be overwritten")
    compiled = (
        table.insert()
        .returning(table.c.id)
        .compile(dialect=dialect, column_keys=[c.key for c in columns])
    )
    names = tuple(compiled.positiontup) if compiled.positional else None
    return (
        compiled.string,
        names,
        [(c.key, c.default, c.type.dialect_impl(dialect).bind_processor(dialect)) for c in columns],
    )


# ---- What every kind's ``apply`` does -----------------------------------------------------------


def privacy_flags(texts: Iterable[str]) -> list[str]:
    """What in the document's free texts may identify someone, each warning once, sorted."""
    return sorted({w for text in texts if text for w in identifier_warnings(text)})


def stamp(record: CapturedRecord, status: str) -> None:
    """Mark the record changed now and, the first time it arrives submitted, submitted now."""
    record.updated_at = utcnow()
    if status == "submitted" and record.submitted_at is None:
        record.submitted_at = record.updated_at
