"""Refusing a late copy: a synced document dated before its type's retention cut-off is answered
``invalid`` and never stored, so a device that held an old record offline cannot bring back what
the purge removed (nor a record the purge is about to remove)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from careobs.retention.periods import BY_KEY, SYNCED, describe_months
from careobs.retention.queries import cutoff_for, periods_for


def past_retention(
    db: Session, kind_name: str, clean, organisation_id: int, cache: dict | None = None
) -> dict | None:
    """The document's ``invalid`` errors when its date is past its type's retention period, or
    None (a kind with no retention type, or a copy within its period). ``cache`` keeps the
    cut-offs for one batch (a dict the caller owns)."""
    if kind_name not in SYNCED:
        return None
    type_key, field = SYNCED[kind_name]
    dated = getattr(clean, field, None)
    if dated is None:
        return None
    cache = {} if cache is None else cache
    if type_key not in cache:
        months = periods_for(db, organisation_id)[type_key]
        cache[type_key] = (months, cutoff_for(db, organisation_id, months))
    months, cutoff = cache[type_key]
    if dated >= cutoff.instant:
        return None
    label = BY_KEY[type_key].label
    return {
        field: [
            f"This record is past its retention period: {label} are kept "
            f"{describe_months(months)}, so nothing dated before {cutoff.day.isoformat()} is "
            "stored. It was not saved; remove it from this device."
        ]
    }


def past_its_period(db: Session, type_key: str, organisation_id: int, dated) -> bool:
    """Whether a record of this type dated ``dated`` is past its retention period today: the
    purge has removed it (or will tonight), and the sync refuses a copy of it."""
    months = periods_for(db, organisation_id)[type_key]
    return dated < cutoff_for(db, organisation_id, months).instant
