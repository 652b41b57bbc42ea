"""Who may see a monitoring visit, add an addendum to it, and see a worker's own page.

Privacy rule (design §2.4): the care worker a visit is about sees nothing of it — not its
score, not its narrative — until its feedback is released to them. The supervisor who made the
visit and the managers of its service (admins: the whole organisation) see it at once.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.feedback.models import Feedback
from careobs.org.models import StaffMember
from careobs.permissions.roles import can_manage_service, in_query, own_or_managed
from careobs.permissions.staff import own_staff_ids
from careobs.visits.models import MonitoringVisit


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
    own = sa.or_(
        MonitoringVisit.supervisor_id == user.id,
        sa.and_(
            MonitoringVisit.staff_id.in_(own_staff_ids(user)),
            MonitoringVisit.status == "submitted",
            feedback_released(),
        ),
    )
    return own_or_managed(MonitoringVisit, own, user)


def get_visible_visit(db: Session, user, visit_id: uuid.UUID) -> MonitoringVisit | None:
    """One visit by its document id, if the user may read it (None: answer 404)."""
    return db.scalar(visible_visits(user).where(MonitoringVisit.uuid == visit_id))


def may_view_visit(user, visit: MonitoringVisit) -> bool:
    """Whether the visit is among :func:`visible_visits` for the user."""
    return in_query(visible_visits(user), visit)


def may_follow_up_visit(user, visit: MonitoringVisit) -> bool:
    """The supervisor who made the visit and the managers of its service (admins: every
    service) follow it up: its page shows them its privacy flags and sends them to the service's
    actions. The worker it is about, once it is released to them, follows up their own actions."""
    return visit.supervisor_id == user.id or can_manage_service(user, visit.service)


def may_view_worker_page(user, member: StaffMember) -> bool:
    """A worker's own page (scores over time, feedback history): the worker themselves, and
    managers of their service (admins: every service); per-worker figures go nowhere else."""
    if member.organisation_id != user.organisation_id:
        return False
    return member.user_id == user.id or can_manage_service(user, member.service)


def sees_unreleased_visits_of(user, member: StaffMember) -> bool:
    """On a worker's page, managers of the service see every submitted visit and when the
    next check is due; the worker sees only visits whose feedback is released to them."""
    return can_manage_service(user, member.service)


def visits_on_worker_page(user, member: StaffMember) -> sa.ColumnElement[bool]:
    """Which of a worker's submitted visits their page shows ``user``: every one to managers
    of the service, only those whose feedback is released to the worker themselves."""
    return sa.true() if sees_unreleased_visits_of(user, member) else feedback_released()
