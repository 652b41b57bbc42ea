"""Producing a worker's copy of their data and writing the download to the audit log.

The views and the command line both call :func:`produce`; the caller commits, so the copy is
handed over only once its audit event is stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from careobs.audit.service import record
from careobs.db import utcnow
from careobs.subject_access.archive import Cover, build_zip, filename
from careobs.subject_access.collect import Subject, collect
from careobs.wording import plural

AUDIT_ACTION = "subject_access_download"


@dataclass(frozen=True)
class Copy:
    """A produced archive: its bytes, its file name, and what it holds (for the audit log)."""

    content: bytes
    filename: str
    files: int
    rows: int


def produce(db: Session, subject: Subject, *, actor, complete: bool, how: str) -> Copy:
    """The ZIP for ``subject`` and its audit event (who, for whom, how many rows; no content).

    ``actor`` is the user asking (None from the command line); ``how`` says where from
    ("their own account page", "the admin's staff page", ...)."""
    made_at = utcnow()
    categories = collect(db, subject, complete)
    cover = Cover(made_at, subject.name, subject.organisation.name, complete)
    content = build_zip(cover, categories)
    rows = sum(len(c.rows) for c in categories)
    files = len(categories) + 2  # README.txt and data.json
    copy = Copy(content, filename(made_at), files, rows)
    scope = "complete copy" if complete else "own copy (released records only)"
    record(
        db,
        AUDIT_ACTION,
        organisation_id=subject.organisation.id,
        actor=actor,
        entity=subject.record,
        summary=f"{scope} from {how}: {plural(files, 'file', 'files')},"
        f" {plural(rows, 'row', 'rows')}",
    )
    return copy
