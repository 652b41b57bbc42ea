"""The rest of a care worker's working record, one query per category: QUIS interactions that
name them, actions they own and their notes, re-checks booked for them, random draws they were a
candidate in, and compliments naming them (see careobs.subject_access.practice for the shape)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.accounts.models import User
from careobs.actions.models import Action, ActionNote, RecheckBooking
from careobs.compliments.models import Compliment, ComplimentSection, compliment_staff
from careobs.org.models import Area, Person, Service
from careobs.permissions import subject_access as rules
from careobs.quis.models import QuisInteraction, QuisSession
from careobs.selection.models import SelectionDraw
from careobs.subject_access.archive import Category
from careobs.subject_access.practice import category
from careobs.visits.models import MonitoringVisit


def quis_interactions(db: Session, staff_ids: list[int], complete: bool) -> Category:
    """Coded QUIS interactions that name them, with their session's time, place and observer."""
    i = QuisInteraction
    stmt = (
        sa.select(
            QuisSession.uuid.label("session_id"),
            Service.name.label("service"),
            Area.name.label("area"),
            QuisSession.context,
            QuisSession.status.label("session_status"),
            User.display_name.label("observed_by"),
            i.at,
            i.category,
            i.initiated_by,
            i.communication,
            i.negative_reason,
            i.people.label("people_codes"),
            i.note,
        )
        .join(QuisSession, QuisSession.id == i.session_id)
        .join(Service, Service.id == QuisSession.service_id)
        .outerjoin(Area, Area.id == QuisSession.area_id)
        .join(User, User.id == QuisSession.observer_id)
        .where(i.staff_id.in_(staff_ids))
        .order_by(i.at, i.id)
    )
    if not complete:
        stmt = stmt.where(rules.shown_interaction())
    return category(
        db,
        stmt,
        "quis_interactions",
        "QUIS observations naming you",
        "Each coded interaction (PS, PC, N, NP, NR) an observer recorded with you, the people"
        " in it as codes, and its note.",
    )


def _actions(staff_ids: list[int], user_id: int | None, complete: bool) -> sa.Select:
    owner = Action.owner_staff_id.in_(staff_ids)
    if user_id is not None:
        owner = sa.or_(owner, Action.owner_user_id == user_id)
    stmt = sa.select(Action.id).where(owner)
    return stmt if complete else stmt.where(rules.shown_action(staff_ids))


def actions(db: Session, staff_ids: list[int], user_id: int | None, complete: bool) -> Category:
    """Improvement actions they own, directly or through their staff record."""
    stmt = (
        sa.select(
            Action.uuid.label("id"),
            Service.name.label("service"),
            Action.description,
            Action.status,
            Action.due_on,
            Action.source,
            User.display_name.label("raised_by"),
            Action.created_at,
            Action.completed_at,
        )
        .join(Service, Service.id == Action.service_id)
        .join(User, User.id == Action.created_by_id)
        .where(Action.id.in_(_actions(staff_ids, user_id, complete)))
        .order_by(Action.created_at, Action.id)
    )
    return category(
        db,
        stmt,
        "actions",
        "Actions you own",
        "Improvement actions with you as their owner: what, by when, and where they stand.",
        entity_type="Action",
    )


def action_notes(
    db: Session, staff_ids: list[int], user_id: int | None, complete: bool
) -> Category:
    """Progress notes on those actions."""
    stmt = (
        sa.select(
            Action.uuid.label("action_id"),
            User.display_name.label("written_by"),
            ActionNote.created_at.label("written_at"),
            ActionNote.from_status,
            ActionNote.to_status,
            ActionNote.text,
        )
        .join(Action, Action.id == ActionNote.action_id)
        .join(User, User.id == ActionNote.author_id)
        .where(ActionNote.action_id.in_(_actions(staff_ids, user_id, complete)))
        .order_by(ActionNote.created_at, ActionNote.id)
    )
    return category(
        db,
        stmt,
        "action_notes",
        "Notes on those actions",
        "Progress notes and status changes; action_id is the action's id in actions.csv.",
    )


def rechecks(db: Session, staff_ids: list[int], complete: bool) -> Category:
    """Targeted re-checks booked for them."""
    reason = sa.case(
        (RecheckBooking.after_visit_id.is_not(None), "after a red visit"), else_="from an action"
    )
    stmt = (
        sa.select(
            RecheckBooking.uuid.label("id"),
            reason.label("reason"),
            User.display_name.label("booked_by"),
            RecheckBooking.created_at.label("booked_at"),
            RecheckBooking.due_by,
            RecheckBooking.fulfilled_at,
        )
        .join(User, User.id == RecheckBooking.booked_by_id)
        .where(RecheckBooking.staff_id.in_(staff_ids))
        .order_by(RecheckBooking.created_at, RecheckBooking.id)
    )
    if not complete:
        stmt = stmt.where(rules.shown_recheck(staff_ids))
    return category(
        db,
        stmt,
        "rechecks",
        "Re-checks booked for you",
        "Monitoring visits booked to re-check your practice by a date, and when one was done.",
        entity_type="RecheckBooking",
    )


DRAW_COLUMNS = ("draw_id", "service", "drawn_at", "picked", "pick_position", "weight", "reasons")


def selection_draws(db: Session, staff: list, staff_keys: set[str], complete: bool) -> Category:
    """Random draws of care workers to check in which they were a candidate, and their weight.

    A draw keeps its candidates as JSON (careobs.selection), keyed by the staff record's UUID,
    so the worker draws of their services are read (streamed) and each is searched for those
    keys. The worker's own copy leaves out the weight and reasons of draws made once a visit of
    theirs was held back: "last result red" would tell them its band before its feedback."""
    staff_ids = [s.id for s in staff]
    stmt = (
        sa.select(SelectionDraw, Service.name)
        .join(Service, Service.id == SelectionDraw.service_id)
        .where(
            SelectionDraw.service_id.in_({s.service_id for s in staff}),
            SelectionDraw.kind == "workers",
        )
        .order_by(SelectionDraw.created_at, SelectionDraw.id)
        .execution_options(yield_per=500)
    )
    held_back_since = None
    if not complete:
        held_back_since = db.scalar(
            sa.select(sa.func.min(MonitoringVisit.planned_at)).where(
                MonitoringVisit.id.in_(rules.unreleased_visits(staff_ids))
            )
        )
    rows = []
    for draw, service in db.execute(stmt):
        picks = [row.get("key") for row in draw.result or []]
        withheld = held_back_since is not None and draw.created_at >= held_back_since
        for candidate in (draw.inputs or {}).get("candidates", []):
            key = candidate.get("key")
            if key not in staff_keys:
                continue
            position = picks.index(key) + 1 if key in picks else None
            weight, reasons = candidate.get("weight"), candidate.get("reasons") or []
            if withheld:
                weight, reasons = None, ["shown once your latest feedback is released"]
            picked = position is not None
            rows.append((draw.uuid, service, draw.created_at, picked, position, weight, reasons))
    return Category(
        "selection_draws",
        "Random draws you were part of",
        "Draws of care workers to check: whether you were picked, in which place, and the"
        " weight and reasons behind your chance.",
        DRAW_COLUMNS,
        rows,
    )


def compliments(db: Session, staff_ids: list[int], complete: bool) -> Category:
    """Compliments (and, in the complete copy, concerns) that name them."""
    naming = sa.select(compliment_staff.c.compliment_id).where(
        compliment_staff.c.staff_id.in_(staff_ids)
    )
    stmt = (
        sa.select(
            Compliment.uuid.label("id"),
            Service.name.label("service"),
            Compliment.kind,
            ComplimentSection.label.label("section"),
            Compliment.received_on,
            Compliment.source.label("from"),
            Person.code.label("person_code"),
            Compliment.text,
            Compliment.response,
        )
        .join(Service, Service.id == Compliment.service_id)
        .join(ComplimentSection, ComplimentSection.id == Compliment.section_id)
        .outerjoin(Person, Person.id == Compliment.person_id)
        .where(Compliment.id.in_(naming))
        .order_by(Compliment.received_on, Compliment.id)
    )
    if not complete:
        stmt = stmt.where(rules.shown_compliment(staff_ids))
    return category(
        db,
        stmt,
        "compliments",
        "Compliments naming you",
        "What people said about the service that names you; who said it only as a category"
        " (person, family, professional, anonymous; a person supported by their code).",
        entity_type="Compliment",
    )
