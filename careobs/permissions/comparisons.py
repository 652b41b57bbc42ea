"""Who may see the comparison of a co-audit with its staff audit, and follow up a difference.

A comparison shows both audits' answers, so it is for whoever may read *both*
(:func:`careobs.permissions.audit_records.visible_audits`): a quality checker who may read their
co-audit but not the manager's audit does not see it, and nor does anyone of another
organisation (not found). Following a difference up raises an action in the service, which is
for whoever may follow up the co-audit (its author or the service's managers, admins) and may
see the comparison.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.audits.models import Audit
from careobs.permissions.audit_records import (
    get_visible_audit,
    may_follow_up_audit,
    may_view_audit,
    visible_audits,
)


@dataclass(frozen=True)
class ComparedPair:
    """A co-audit and the staff audit it names; ``staff`` None while that audit has not
    reached the server (or is another organisation's, which is the same to this user)."""

    co_audit: Audit
    staff: Audit | None


def staff_audit_of(db: Session, co_audit: Audit) -> Audit | None:
    """The staff audit a co-audit names, in its organisation, if it has arrived and is a staff
    audit (a co-audit naming another co-audit compares with nothing)."""
    return db.scalar(
        sa.select(Audit).where(
            Audit.uuid == co_audit.compare_with,
            Audit.organisation_id == co_audit.organisation_id,
            Audit.co_audit_with.is_(None),
        )
    )


def latest_co_audit_of(db: Session, user, staff: Audit) -> Audit | None:
    """The latest submitted co-audit the user may read that names ``staff`` (started last, then
    stored last): what a staff audit's id leads to when it has several."""
    return db.scalar(
        visible_audits(user)
        .where(
            Audit.compare_with == staff.uuid,
            Audit.co_audit_with.is_not(None),
            Audit.status == "submitted",
        )
        .order_by(Audit.started_at.desc(), Audit.id.desc())
        .limit(1)
    )


def get_visible_comparison(db: Session, user, audit_id: uuid.UUID) -> ComparedPair | None:
    """The comparison ``audit_id`` leads to — a co-audit's id: that co-audit; a staff audit's:
    its latest submitted co-audit — if the user may read both audits; None: answer 404. A pair
    whose staff audit has not arrived comes back with ``staff`` None (the API answers 409)."""
    audit = get_visible_audit(db, user, audit_id)
    if audit is None:
        return None
    if audit.is_co_audit:
        staff = staff_audit_of(db, audit)
        if staff is not None and not may_view_audit(user, staff):
            return None
        return ComparedPair(audit, staff)
    co_audit = latest_co_audit_of(db, user, audit)
    return None if co_audit is None else ComparedPair(co_audit, audit)


def may_view_comparison(user, co_audit: Audit, staff: Audit | None) -> bool:
    """Whether the user may read the co-audit and (once it has arrived) its staff audit."""
    if not may_view_audit(user, co_audit):
        return False
    return staff is None or may_view_audit(user, staff)


def may_follow_up_comparison(user, pair: ComparedPair) -> bool:
    """Raising an action from a difference: who may see both audits and follow the co-audit up
    (its author, the service's managers, admins), once both are submitted (a draft's answers
    may still change)."""
    return (
        pair.staff is not None
        and pair.staff.status == "submitted"
        and pair.co_audit.status == "submitted"
        and may_view_comparison(user, pair.co_audit, pair.staff)
        and may_follow_up_audit(user, pair.co_audit)
    )
