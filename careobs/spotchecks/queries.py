"""Reading monitoring visits: who may see which."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.feedback.models import Feedback
from careobs.org.models import StaffMember
from careobs.permissions import MANAGE, service_ids_select
from careobs.spotchecks.models import MonitoringVisit


def feedback_released(visit=MonitoringVisit) -> sa.ColumnElement[bool]:
    """True for a visit whose feedback has been released to the worker it is about.

    Until then the supervisor may still be softening the wording, so the worker sees nothing of
    the visit: not its score, not its narrative.
    """
    return sa.exists().where(
        Feedback.visit_id == visit.id,
        Feedback.staff_id == visit.staff_id,
        Feedback.status == "released",
    )


def visible_visits(user) -> sa.Select:
    """Visits the user may read: their own as supervisor, visits of their own practice as a
    care worker once the feedback is released to them, and every visit in services they manage
    (admins: the whole organisation)."""
    own_staff = sa.select(StaffMember.id).where(StaffMember.user_id == user.id)
    return sa.select(MonitoringVisit).where(
        MonitoringVisit.organisation_id == user.organisation_id,
        sa.or_(
            MonitoringVisit.supervisor_id == user.id,
            sa.and_(
                MonitoringVisit.staff_id.in_(own_staff),
                MonitoringVisit.status == "submitted",
                feedback_released(),
            ),
            MonitoringVisit.service_id.in_(service_ids_select(user, MANAGE)),
        ),
    )


def get_visible(db: Session, user, visit_id: uuid.UUID) -> MonitoringVisit | None:
    """One visit by its document id, if the user may read it."""
    return db.scalar(visible_visits(user).where(MonitoringVisit.uuid == visit_id))
