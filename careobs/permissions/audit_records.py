"""Who may read a stored audit.

An audit is read by whoever completed it, by the managers of its service (admins: the whole
organisation) and — for an audit of a care worker's practice — by that care worker once it is
submitted. There is no feedback to release, as a monitoring visit has: a submitted audit is
final, and a worker sees what is recorded about their practice (design §2.4: per-staff results
are for that person and managers). Supervisors who did not complete it do not see it, as for
visits; an audit of a person, an area or the service is about nobody's practice.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.audits.models import Audit
from careobs.permissions.roles import can_manage_service, in_query, own_or_managed
from careobs.permissions.staff import own_staff_ids


def visible_audits(user) -> sa.Select:
    """Audits the user may read: their own, submitted audits of their own practice, and every
    audit in services they manage (admins: the whole organisation)."""
    own = sa.or_(
        Audit.auditor_id == user.id,
        sa.and_(
            Audit.subject_type == "staff",
            Audit.staff_id.in_(own_staff_ids(user)),
            Audit.status == "submitted",
        ),
    )
    return own_or_managed(Audit, own, user)


def get_visible_audit(db: Session, user, audit_id: uuid.UUID) -> Audit | None:
    """One audit by its document id, if the user may read it (None: answer 404)."""
    return db.scalar(visible_audits(user).where(Audit.uuid == audit_id))


def may_view_audit(user, audit: Audit) -> bool:
    """Whether the audit is among :func:`visible_audits` for the user."""
    return in_query(visible_audits(user), audit)


def may_follow_up_audit(user, audit: Audit) -> bool:
    """The auditor and the managers of the audit's service (admins: every service) follow it
    up: its page shows them its privacy flags and how to correct them, as a visit's page does."""
    return audit.auditor_id == user.id or can_manage_service(user, audit.service)
