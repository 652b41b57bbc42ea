"""The records about a care worker's practice, one query per category: feedback to them,
monitoring visits and audits of their practice, with their answers and addenda.

Each query's labelled columns are the CSV's header and data.json's keys (one definition, so the
two cannot disagree). ``complete`` False (the worker's own download) applies
careobs.permissions.subject_access's ``shown_*`` rules.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from careobs.accounts.models import User
from careobs.audits.models import Audit, AuditAnswer
from careobs.capture.addenda import Addendum
from careobs.checklists.models import Checklist, ChecklistDomain, ChecklistItem, ChecklistVersion
from careobs.feedback.models import Feedback
from careobs.org.models import Service
from careobs.permissions import subject_access as rules
from careobs.subject_access.archive import Category
from careobs.visits.models import MonitoringVisit, VisitAnswer


def category(db: Session, stmt: sa.Select, *words: str, entity_type: str | None = None):
    """A category from a query: its labelled columns name the file's columns. ``words`` are the
    category's name, title and one sentence about it."""
    result = db.execute(stmt)
    columns = tuple(result.keys())
    return Category(*words, columns, [tuple(row) for row in result], entity_type)


FEEDBACK_SOURCE = sa.case(
    (Feedback.compliment_id.is_not(None), "compliment"),
    (Feedback.visit_id.is_not(None), "monitoring visit"),
    else_="QUIS observation",
)


def feedback(db: Session, staff_ids: list[int], complete: bool) -> Category:
    """Written feedback to them, with their read receipt, acknowledgement and reflection."""
    stmt = (
        sa.select(
            Feedback.uuid.label("id"),
            Service.name.label("service"),
            FEEDBACK_SOURCE.label("from"),
            Feedback.status,
            User.display_name.label("written_by"),
            Feedback.created_at,
            Feedback.released_at,
            Feedback.went_well,
            Feedback.to_develop,
            Feedback.actions,
            Feedback.read_at,
            Feedback.acknowledged_at,
            Feedback.reply.label("your_reply"),
            Feedback.replied_at,
        )
        .join(Service, Service.id == Feedback.service_id)
        .join(User, User.id == Feedback.author_id)
        .where(Feedback.staff_id.in_(staff_ids))
        .order_by(Feedback.created_at, Feedback.id)
    )
    if not complete:
        stmt = stmt.where(rules.shown_feedback())
    return category(
        db,
        stmt,
        "feedback",
        "Feedback to you",
        "Written feedback about your practice, who wrote it, and when you read, acknowledged"
        " and replied to it.",
        entity_type="Feedback",
    )


def _visits(staff_ids: list[int], complete: bool) -> sa.Select:
    stmt = sa.select(MonitoringVisit.id).where(MonitoringVisit.staff_id.in_(staff_ids))
    return stmt if complete else stmt.where(rules.shown_visit())


def visits(db: Session, staff_ids: list[int], complete: bool) -> Category:
    """Monitoring visits of their practice: when, to whom (a code), by whom, and the outcome."""
    v = MonitoringVisit
    stmt = (
        sa.select(
            v.uuid.label("id"),
            Service.name.label("service"),
            v.status,
            v.visit_type,
            v.person_code,
            User.display_name.label("visited_by"),
            v.planned_at,
            v.planned_minutes,
            v.arrived_at,
            v.left_at,
            v.late,
            v.minutes_late,
            v.score,
            v.band,
            v.outcome,
            v.critical_failures,
            v.went_well,
            v.to_develop,
            v.satisfaction.label("person_satisfaction"),
            v.person_comment,
            v.submitted_at,
            v.next_check_on,
        )
        .join(Service, Service.id == v.service_id)
        .join(User, User.id == v.supervisor_id)
        .where(v.id.in_(_visits(staff_ids, complete)))
        .order_by(v.planned_at, v.id)
    )
    return category(
        db,
        stmt,
        "monitoring_visits",
        "Monitoring visits of your practice",
        "Spot checks of your practice: the person visited (a code), who made the visit, the"
        " times, the score and band, and what went well or could be developed.",
        entity_type="MonitoringVisit",
    )


def _answers(answer, parent_column, parent, record_ids: sa.Select) -> sa.Select:
    return (
        sa.select(
            parent.uuid.label("record_id"),
            ChecklistDomain.name.label("heading"),
            ChecklistItem.text.label("item"),
            answer.rating,
            answer.comment,
        )
        .join(parent, parent.id == parent_column)
        .join(ChecklistItem, ChecklistItem.id == answer.item_id)
        .join(ChecklistDomain, ChecklistDomain.id == ChecklistItem.domain_id)
        .where(parent_column.in_(record_ids))
        .order_by(parent.id, ChecklistDomain.position, ChecklistItem.position)
    )


def visit_answers(db: Session, staff_ids: list[int], complete: bool) -> Category:
    """Each checklist item's rating and comment at those visits."""
    visit_ids = _visits(staff_ids, complete)
    return category(
        db,
        _answers(VisitAnswer, VisitAnswer.visit_id, MonitoringVisit, visit_ids),
        "monitoring_visit_answers",
        "Answers at those visits",
        "Each checklist item's rating (met, partly, not_met, na) and comment; record_id is the"
        " visit's id in monitoring_visits.csv.",
    )


def _audits(staff_ids: list[int], complete: bool) -> sa.Select:
    stmt = sa.select(Audit.id).where(Audit.subject_type == "staff", Audit.staff_id.in_(staff_ids))
    return stmt if complete else stmt.where(rules.shown_audit())


def audits(db: Session, staff_ids: list[int], complete: bool) -> Category:
    """Audits whose subject is them (co-audits of their practice too)."""
    stmt = (
        sa.select(
            Audit.uuid.label("id"),
            Service.name.label("service"),
            Checklist.name.label("template"),
            Audit.status,
            User.display_name.label("audited_by"),
            Audit.co_audit_with,
            Audit.started_at,
            Audit.ended_at,
            Audit.score,
            Audit.band,
            Audit.critical_fail,
            Audit.went_well,
            Audit.to_develop,
            Audit.submitted_at,
        )
        .join(Service, Service.id == Audit.service_id)
        .join(ChecklistVersion, ChecklistVersion.id == Audit.checklist_version_id)
        .join(Checklist, Checklist.id == ChecklistVersion.checklist_id)
        .join(User, User.id == Audit.auditor_id)
        .where(Audit.id.in_(_audits(staff_ids, complete)))
        .order_by(Audit.started_at, Audit.id)
    )
    return category(
        db,
        stmt,
        "audits",
        "Audits of your practice",
        "Audits whose subject is you: the template, who completed it, the score and band.",
        entity_type="Audit",
    )


def audit_answers(db: Session, staff_ids: list[int], complete: bool) -> Category:
    """Each template item's rating and comment in those audits."""
    audit_ids = _audits(staff_ids, complete)
    return category(
        db,
        _answers(AuditAnswer, AuditAnswer.audit_id, Audit, audit_ids),
        "audit_answers",
        "Answers in those audits",
        "Each item's rating and comment; record_id is the audit's id in audits.csv.",
    )


def addenda(db: Session, staff_ids: list[int], complete: bool) -> Category:
    """Corrections and additions made to those visits and audits after they were submitted."""
    visit, audit = aliased(MonitoringVisit), aliased(Audit)
    stmt = (
        sa.select(
            Addendum.record_kind,
            sa.func.coalesce(visit.uuid, audit.uuid).label("record_id"),
            User.display_name.label("added_by"),
            Addendum.created_at.label("added_at"),
            Addendum.reason,
            Addendum.text,
        )
        .outerjoin(visit, visit.id == Addendum.visit_id)
        .outerjoin(audit, audit.id == Addendum.audit_id)
        .join(User, User.id == Addendum.author_id)
        .where(
            sa.or_(
                Addendum.visit_id.in_(_visits(staff_ids, complete)),
                Addendum.audit_id.in_(_audits(staff_ids, complete)),
            )
        )
        .order_by(Addendum.created_at, Addendum.id)
    )
    return category(
        db,
        stmt,
        "addenda",
        "Corrections to those records",
        "Addenda added to a visit or audit of your practice after it was submitted (a submitted"
        " record is corrected this way; its text changes only to remove personal data).",
    )
