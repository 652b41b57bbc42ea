"""Who may carry out a self-assessment or a mock inspection of a service, and read one.

A **self-assessment** is the service's own: its managers and supervisors, and organisation
admins (the provider). A **mock inspection** is done by someone independent of the service, as
an inspector would be: an organisation admin, or a manager or supervisor of another service,
holding no role in the one inspected. Only an active service is assessed.

A self-assessment (or mock inspection) is read by whoever carried it out and by the managers of
its service (admins: the whole organisation), who also raise the actions for its gaps.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.org.models import Service
from careobs.permissions.roles import (
    WORK,
    can_manage_service,
    has_role,
    in_query,
    own_or_managed,
    roles_by_service,
)
from careobs.selfassess.models import TYPES, SelfAssessment

NOT_YOURS = (
    "A self-assessment is carried out by the service's managers and supervisors, or by an"
    " organisation admin."
)
NOT_INDEPENDENT = (
    "A mock inspection is done by someone independent of the service, and you work in it:"
    " record a self-assessment instead."
)
NO_MOCK = (
    "A mock inspection is done by an organisation admin, or by a manager or supervisor of"
    " another service."
)
CLOSED = "This service is closed: it is no longer assessed."


def assessment_refusal(user, service: Service, type_: str) -> str | None:
    """Why the user may not record an assessment of ``type_`` for ``service``, in words, or
    None when they may."""
    if type_ not in TYPES:
        raise ValueError(type_)
    if service.organisation_id != user.organisation_id:
        return NOT_YOURS
    if not service.active:
        return CLOSED
    role = roles_by_service(user).get(service.id)
    if type_ == "self_assessment":
        return None if user.is_org_admin or role in WORK else NOT_YOURS
    if role is not None:
        return NOT_INDEPENDENT
    return None if user.is_org_admin or has_role(user, WORK) else NO_MOCK


def assessable(db: Session, user) -> list[tuple[Service, list[str]]]:
    """Each active service of the organisation the user may assess, with the types they may
    record there (``self_assessment``, ``mock_inspection``), by name."""
    services = db.scalars(
        sa.select(Service)
        .where(Service.organisation_id == user.organisation_id, Service.active.is_(True))
        .order_by(Service.name)
    )
    found = []
    for service in services:
        types = [t for t in TYPES if assessment_refusal(user, service, t) is None]
        if types:
            found.append((service, types))
    return found


def may_assess_any(db: Session, user) -> bool:
    """Whether the user may record at least one self-assessment or mock inspection."""
    return bool(assessable(db, user))


def visible_self_assessments(user) -> sa.Select:
    """Self-assessments and mock inspections the user may read: their own, and every one of
    the services they manage (admins: the whole organisation)."""
    return own_or_managed(SelfAssessment, SelfAssessment.assessor_id == user.id, user)


def get_visible_self_assessment(
    db: Session, user, assessment_id: uuid.UUID
) -> SelfAssessment | None:
    """One by its document id, if the user may read it (None: answer 404)."""
    return db.scalar(visible_self_assessments(user).where(SelfAssessment.uuid == assessment_id))


def may_view_self_assessment(user, assessment: SelfAssessment) -> bool:
    """Whether it is among :func:`visible_self_assessments` for the user."""
    return in_query(visible_self_assessments(user), assessment)


def may_raise_gap_actions(user, assessment: SelfAssessment) -> bool:
    """Raising the action for a gap: the managers of the service (admins: any), once the
    assessment is submitted (a draft's scores may still change)."""
    return assessment.status == "submitted" and can_manage_service(user, assessment.service)


@dataclass(frozen=True)
class SelfAssessmentReach:
    """What the self-assessments are to one user: whether they may read any, and record one."""

    may_read_any: bool
    may_start: bool

    @property
    def opens(self) -> bool:
        """Whether the self-assessments list (and the home page's panel) is for them."""
        return self.may_read_any or self.may_start


def self_assessment_reach(db: Session, user) -> SelfAssessmentReach:
    """Whether the user may read at least one self-assessment, and record one somewhere (each
    worked out once, for a page that needs both)."""
    readable = db.scalar(sa.select(visible_self_assessments(user).exists())) is True
    return SelfAssessmentReach(readable, may_assess_any(db, user))
