"""Export queries for actions, their progress notes, the targeted re-checks they booked, and
the stored random draws of whom to check."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from careobs.accounts.models import User
from careobs.actions.models import Action, ActionNote, RecheckBooking
from careobs.org.models import Service
from careobs.org.models import StaffMember as Staff
from careobs.quis.models import QuisSession
from careobs.selection.models import SelectionDraw
from careobs.visits.models import MonitoringVisit as Visit
from careobs.visits.models import VisitAction


def actions(org_id: int) -> sa.Select:
    """Actions with their owner, source and CQC quality-statement tags."""
    owner, creator = aliased(User), aliased(User)
    return (
        sa.select(
            Action.uuid,
            Service.uuid.label("service_uuid"),
            Action.description,
            Staff.uuid.label("owner_staff_uuid"),
            owner.uuid.label("owner_user_uuid"),
            Action.due_on,
            Action.status,
            Action.cqc_tags,
            Action.source,
            QuisSession.uuid.label("quis_session_uuid"),
            Visit.uuid.label("visit_uuid"),
            VisitAction.uuid.label("visit_action_uuid"),
            creator.uuid.label("created_by_uuid"),
            Action.created_at,
            Action.updated_at,
            Action.completed_at,
        )
        .join(Service, Action.service_id == Service.id)
        .outerjoin(Staff, Action.owner_staff_id == Staff.id)
        .outerjoin(owner, Action.owner_user_id == owner.id)
        .outerjoin(QuisSession, Action.quis_session_id == QuisSession.id)
        .outerjoin(Visit, Action.visit_id == Visit.id)
        .outerjoin(VisitAction, Action.visit_action_id == VisitAction.id)
        .join(creator, Action.created_by_id == creator.id)
        .where(Action.organisation_id == org_id)
        .order_by(Action.id)
    )


def action_notes(org_id: int) -> sa.Select:
    """Progress notes, with the status change each recorded."""
    return (
        sa.select(
            Action.uuid.label("action_uuid"),
            User.uuid.label("author_uuid"),
            ActionNote.text,
            ActionNote.from_status,
            ActionNote.to_status,
            ActionNote.created_at,
        )
        .join(Action, ActionNote.action_id == Action.id)
        .join(User, ActionNote.author_id == User.id)
        .where(Action.organisation_id == org_id)
        .order_by(ActionNote.id)
    )


def rechecks(org_id: int) -> sa.Select:
    """Targeted re-checks booked by actions or by red visits, and the visit that fulfilled
    each."""
    red = aliased(Visit)
    return (
        sa.select(
            RecheckBooking.uuid,
            Action.uuid.label("action_uuid"),
            red.uuid.label("after_visit_uuid"),
            Staff.uuid.label("staff_uuid"),
            RecheckBooking.due_by,
            RecheckBooking.focus_item_keys,
            User.uuid.label("booked_by_uuid"),
            RecheckBooking.created_at,
            Visit.uuid.label("fulfilled_by_visit_uuid"),
            RecheckBooking.fulfilled_at,
        )
        .outerjoin(Action, RecheckBooking.action_id == Action.id)
        .outerjoin(red, RecheckBooking.after_visit_id == red.id)
        .join(Staff, RecheckBooking.staff_id == Staff.id)
        .join(User, RecheckBooking.booked_by_id == User.id)
        .outerjoin(Visit, RecheckBooking.fulfilled_by_visit_id == Visit.id)
        .where(RecheckBooking.organisation_id == org_id)
        .order_by(RecheckBooking.id)
    )


def selection_draws(org_id: int) -> sa.Select:
    """Every draw of workers to check or people to ask, with its place in the service's line
    of draws, its seed, inputs and result, and why it was drawn again that day (if it was)."""
    return (
        sa.select(
            SelectionDraw.uuid,
            Service.uuid.label("service_uuid"),
            SelectionDraw.kind,
            SelectionDraw.sequence,
            SelectionDraw.repeat_reason,
            SelectionDraw.seed,
            SelectionDraw.inputs,
            SelectionDraw.result,
            User.uuid.label("requested_by_uuid"),
            SelectionDraw.created_at,
        )
        .join(Service, SelectionDraw.service_id == Service.id)
        .join(User, SelectionDraw.requested_by_id == User.id)
        .where(SelectionDraw.organisation_id == org_id)
        .order_by(SelectionDraw.id)
    )
