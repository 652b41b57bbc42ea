"""The export's queries for observations and their outcomes: QUIS sessions and interactions,
monitoring visits with answers and actions, their addenda, and feedback (see ``tables``)."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.capture.addenda import Addendum
from careobs.checklists.models import ChecklistItem, ChecklistVersion
from careobs.feedback.models import Feedback
from careobs.org.models import Area, Service
from careobs.org.models import StaffMember as Staff
from careobs.quis.models import QuisInteraction, QuisSession
from careobs.visits.models import MonitoringVisit as Visit
from careobs.visits.models import VisitAction, VisitAnswer


def quis_sessions(org_id: int) -> sa.Select:
    """QUIS sessions with their stored aggregates; ``people_codes`` lists the codes observed."""
    s = QuisSession
    return (
        sa.select(
            s.uuid,
            Service.uuid.label("service_uuid"),
            Area.uuid.label("area_uuid"),
            User.uuid.label("observer_uuid"),
            s.context,
            s.started_at,
            s.ended_at,
            s.planned_minutes,
            s.frame_minutes,
            s.people.label("people_codes"),
            s.staff_on_duty,
            s.status,
            s.revision,
            s.notes,
            s.went_well,
            s.to_develop,
            s.privacy_flags,
            s.created_at,
            s.updated_at,
            s.submitted_at,
            s.n_ps,
            s.n_pc,
            s.n_n,
            s.n_np,
            s.n_nr,
            s.people_count,
            s.people_with_negative,
            s.observed_minutes,
            s.person_minutes,
        )
        .join(Service, s.service_id == Service.id)
        .outerjoin(Area, s.area_id == Area.id)
        .join(User, s.observer_id == User.id)
        .where(s.organisation_id == org_id)
        .order_by(s.id)
    )


def quis_interactions(org_id: int) -> sa.Select:
    """Every coded interaction, by session; the largest file of a big provider."""
    i = QuisInteraction
    return (
        sa.select(
            i.uuid,
            QuisSession.uuid.label("session_uuid"),
            i.position,
            i.at,
            i.people.label("people_codes"),
            Staff.uuid.label("staff_uuid"),
            i.category,
            i.initiated_by,
            i.communication,
            i.negative_reason,
            i.note,
        )
        .join(QuisSession, i.session_id == QuisSession.id)
        .outerjoin(Staff, i.staff_id == Staff.id)
        .where(QuisSession.organisation_id == org_id)
        .order_by(i.id)
    )


def addenda(record, link, record_uuid: str) -> Callable[[int], sa.Select]:
    """The query for one kind's addenda: ``record`` is its model, ``link`` the addendum's
    foreign key to it and ``record_uuid`` the column naming the record in the export."""

    def query(org_id: int) -> sa.Select:
        return (
            sa.select(
                record.uuid.label(record_uuid),
                User.uuid.label("author_uuid"),
                Addendum.reason,
                Addendum.text,
                Addendum.created_at,
            )
            .join(record, link == record.id)
            .join(User, Addendum.author_id == User.id)
            .where(record.organisation_id == org_id)
            .order_by(Addendum.id)
        )

    return query


# Corrections and additions to submitted QUIS sessions, and to submitted visits.
quis_addenda = addenda(QuisSession, Addendum.quis_session_id, "session_uuid")
visit_addenda = addenda(Visit, Addendum.visit_id, "visit_uuid")


def visits(org_id: int) -> sa.Select:
    """Monitoring visits with their stored outcome (score, band, counts, lateness)."""
    v = Visit
    return (
        sa.select(
            v.uuid,
            Service.uuid.label("service_uuid"),
            User.uuid.label("supervisor_uuid"),
            Staff.uuid.label("staff_uuid"),
            v.person_code,
            v.visit_type,
            v.consent,
            ChecklistVersion.uuid.label("checklist_version_uuid"),
            v.planned_at,
            v.planned_minutes,
            v.arrived_at,
            v.left_at,
            v.satisfaction,
            v.person_comment,
            v.went_well,
            v.to_develop,
            v.status,
            v.revision,
            v.privacy_flags,
            v.created_at,
            v.updated_at,
            v.submitted_at,
            v.score,
            v.band,
            v.outcome,
            v.points,
            v.possible,
            v.n_met,
            v.n_partly,
            v.n_not_met,
            v.n_na,
            v.critical_failures,
            v.minutes_late,
            v.late,
            v.shortfall_minutes,
            v.next_check_on,
        )
        .join(Service, v.service_id == Service.id)
        .join(User, v.supervisor_id == User.id)
        .join(Staff, v.staff_id == Staff.id)
        .join(ChecklistVersion, v.checklist_version_id == ChecklistVersion.id)
        .where(v.organisation_id == org_id)
        .order_by(v.id)
    )


def visit_answers(org_id: int) -> sa.Select:
    """The rating of each checklist item at each visit."""
    return (
        sa.select(
            Visit.uuid.label("visit_uuid"),
            ChecklistItem.uuid.label("item_uuid"),
            VisitAnswer.rating,
            VisitAnswer.comment,
        )
        .join(Visit, VisitAnswer.visit_id == Visit.id)
        .join(ChecklistItem, VisitAnswer.item_id == ChecklistItem.id)
        .where(Visit.organisation_id == org_id)
        .order_by(VisitAnswer.id)
    )


def visit_actions(org_id: int) -> sa.Select:
    """Actions agreed at visits, with their owner (a member of staff or a user)."""
    return (
        sa.select(
            VisitAction.uuid,
            Visit.uuid.label("visit_uuid"),
            VisitAction.position,
            VisitAction.description,
            Staff.uuid.label("owner_staff_uuid"),
            User.uuid.label("owner_user_uuid"),
            VisitAction.due_on,
        )
        .join(Visit, VisitAction.visit_id == Visit.id)
        .outerjoin(Staff, VisitAction.owner_staff_id == Staff.id)
        .outerjoin(User, VisitAction.owner_user_id == User.id)
        .where(Visit.organisation_id == org_id)
        .order_by(VisitAction.id)
    )


def feedback(org_id: int) -> sa.Select:
    """Feedback to care workers: status, timestamps, the texts and the worker's reply."""
    f = Feedback
    return (
        sa.select(
            f.uuid,
            Service.uuid.label("service_uuid"),
            Staff.uuid.label("staff_uuid"),
            User.uuid.label("author_uuid"),
            QuisSession.uuid.label("quis_session_uuid"),
            Visit.uuid.label("visit_uuid"),
            f.status,
            f.went_well,
            f.to_develop,
            f.actions,
            f.created_at,
            f.updated_at,
            f.released_at,
            f.read_at,
            f.acknowledged_at,
            f.reply,
            f.replied_at,
        )
        .join(Service, f.service_id == Service.id)
        .join(Staff, f.staff_id == Staff.id)
        .join(User, f.author_id == User.id)
        .outerjoin(QuisSession, f.quis_session_id == QuisSession.id)
        .outerjoin(Visit, f.visit_id == Visit.id)
        .where(f.organisation_id == org_id)
        .order_by(f.id)
    )
