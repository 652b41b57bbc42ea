"""Export queries for what follows the observations: feedback to care workers, actions, their
progress notes, the targeted re-checks they booked, and the stored random draws of whom to
check (the sessions and visits themselves are their kinds' own files)."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.actions.models import Action, ActionNote, RecheckBooking
from careobs.audits.models import Audit, AuditAction, CoAuditFollowUp
from careobs.capture.checklist_export import owner_uuids
from careobs.compliments.models import Compliment
from careobs.export.records import uuid_of
from careobs.feedback.models import Feedback
from careobs.org.models import Service
from careobs.org.models import StaffMember as Staff
from careobs.quis.models import QuisSession
from careobs.selection.models import SelectionDraw
from careobs.selfassess.models import SelfAssessment, SelfAssessmentStatement
from careobs.visits.models import MonitoringVisit as Visit
from careobs.visits.models import VisitAction


def feedback(org_id: int) -> sa.Select:
    """Feedback to care workers: status, timestamps, the texts and the worker's reply."""
    f = Feedback
    return (
        sa.select(
            f.uuid,
            uuid_of(Service, f.service_id, "service_uuid"),
            uuid_of(Staff, f.staff_id, "staff_uuid"),
            uuid_of(User, f.author_id, "author_uuid"),
            uuid_of(QuisSession, f.quis_session_id, "quis_session_uuid"),
            uuid_of(Visit, f.visit_id, "visit_uuid"),
            uuid_of(Compliment, f.compliment_id, "compliment_uuid"),
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
        .where(f.organisation_id == org_id)
        .order_by(f.id)
    )


def actions(org_id: int) -> sa.Select:
    """Actions with their owner, source and CQC quality-statement tags."""
    return (
        sa.select(
            Action.uuid,
            uuid_of(Service, Action.service_id, "service_uuid"),
            Action.description,
            *owner_uuids(Action),
            Action.due_on,
            Action.status,
            Action.cqc_tags,
            Action.source,
            uuid_of(QuisSession, Action.quis_session_id, "quis_session_uuid"),
            uuid_of(Visit, Action.visit_id, "visit_uuid"),
            uuid_of(VisitAction, Action.visit_action_id, "visit_action_uuid"),
            uuid_of(Audit, Action.audit_id, "audit_uuid"),
            uuid_of(AuditAction, Action.audit_action_id, "audit_action_uuid"),
            # A self-assessment's gap: the assessment and the statement's code.
            sa.select(SelfAssessment.uuid)
            .join(
                SelfAssessmentStatement,
                SelfAssessmentStatement.self_assessment_id == SelfAssessment.id,
            )
            .where(SelfAssessmentStatement.id == Action.self_assessment_statement_id)
            .correlate(Action)
            .scalar_subquery()
            .label("self_assessment_uuid"),
            sa.select(SelfAssessmentStatement.code)
            .where(SelfAssessmentStatement.id == Action.self_assessment_statement_id)
            .correlate(Action)
            .scalar_subquery()
            .label("self_assessment_statement"),
            uuid_of(User, Action.created_by_id, "created_by_uuid"),
            Action.created_at,
            Action.updated_at,
            Action.completed_at,
        )
        .where(Action.organisation_id == org_id)
        .order_by(Action.id)
    )


def action_notes(org_id: int) -> sa.Select:
    """Progress notes, with the status change each recorded."""
    return (
        sa.select(
            Action.uuid.label("action_uuid"),
            uuid_of(User, ActionNote.author_id, "author_uuid"),
            ActionNote.text,
            ActionNote.from_status,
            ActionNote.to_status,
            ActionNote.created_at,
        )
        .join(Action, ActionNote.action_id == Action.id)
        .where(Action.organisation_id == org_id)
        .order_by(ActionNote.id)
    )


def rechecks(org_id: int) -> sa.Select:
    """Targeted re-checks booked by actions or by red visits, and the visit that fulfilled
    each."""
    r = RecheckBooking
    return (
        sa.select(
            r.uuid,
            uuid_of(Action, r.action_id, "action_uuid"),
            uuid_of(Visit, r.after_visit_id, "after_visit_uuid"),
            uuid_of(Staff, r.staff_id, "staff_uuid"),
            r.due_by,
            r.focus_item_keys,
            uuid_of(User, r.booked_by_id, "booked_by_uuid"),
            r.created_at,
            uuid_of(Visit, r.fulfilled_by_visit_id, "fulfilled_by_visit_uuid"),
            r.fulfilled_at,
        )
        .where(r.organisation_id == org_id)
        .order_by(r.id)
    )


def selection_draws(org_id: int) -> sa.Select:
    """Every draw of workers to check or people to ask, with its place in the service's line
    of draws, its seed, inputs and result, and why it was drawn again that day (if it was)."""
    return (
        sa.select(
            SelectionDraw.uuid,
            uuid_of(Service, SelectionDraw.service_id, "service_uuid"),
            SelectionDraw.kind,
            SelectionDraw.sequence,
            SelectionDraw.repeat_reason,
            SelectionDraw.seed,
            SelectionDraw.inputs,
            SelectionDraw.result,
            uuid_of(User, SelectionDraw.requested_by_id, "requested_by_uuid"),
            SelectionDraw.created_at,
        )
        .where(SelectionDraw.organisation_id == org_id)
        .order_by(SelectionDraw.id)
    )


def co_audit_follow_ups(org_id: int) -> sa.Select:
    """The differences between co-audits and their staff audits that were followed up: the
    co-audit, the item (by its key, the same across template versions) and the action."""
    f = CoAuditFollowUp
    return (
        sa.select(
            Audit.uuid.label("co_audit_uuid"),
            f.item_key,
            uuid_of(Action, f.action_id, "action_uuid"),
            uuid_of(User, f.created_by_id, "created_by_uuid"),
            f.created_at,
        )
        .join(Audit, Audit.id == f.audit_id)
        .where(Audit.organisation_id == org_id)
        .order_by(f.id)
    )
