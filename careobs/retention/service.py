"""Changing an organisation's retention period for one type of record (audited, old → new)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from careobs.audit.service import record
from careobs.db import utcnow
from careobs.retention.models import RetentionPeriod
from careobs.retention.periods import BY_KEY


def set_period(db: Session, organisation_id: int, record_type: str, old: int, new: int, actor):
    """Keep ``record_type`` for ``new`` months from now on (``old``: the period it replaces, as
    the caller read it under the purge lock); the caller commits."""
    saved = db.get(RetentionPeriod, (organisation_id, record_type), populate_existing=True)
    if saved is None:
        saved = RetentionPeriod(organisation_id=organisation_id, record_type=record_type)
        db.add(saved)
    saved.months, saved.updated_at = new, utcnow()
    record(
        db,
        "retention_changed",
        organisation_id=organisation_id,
        actor=actor,
        summary=f"{BY_KEY[record_type].label} ({record_type}): {old} → {new} months"
        + (" (shorter: confirmed)" if new < old else ""),
    )
