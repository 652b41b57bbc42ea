"""Who may see an action, update, cancel or add a note to it, and book a re-check from it.

Managers and supervisors of the action's service (admins: the whole organisation) see and
update it; only managers cancel. The owner (a user, or a care worker through their staff record)
sees it and adds progress notes — but an action agreed at a monitoring visit of the owner's own
practice is held back, like the visit itself, until the visit's feedback is released to them
(unless they work in that service).
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.actions.models import Action
from careobs.permissions.roles import (
    WORK,
    can_manage_service,
    can_work_in_service,
    in_query,
    service_ids_select,
    services_select,
)
from careobs.permissions.staff import own_staff_ids
from careobs.permissions.visits import feedback_released
from careobs.visits.models import MonitoringVisit


def owned_by(user) -> sa.ColumnElement[bool]:
    """Actions owned by the user, directly or through their staff record, that they may see.

    Actions agreed at a monitoring visit of the user's own practice wait, like the visit itself,
    until its feedback is released to them (unless they work in that service).
    """
    held_back = Action.visit_id.in_(
        sa.select(MonitoringVisit.id).where(
            MonitoringVisit.staff_id.in_(own_staff_ids(user)), ~feedback_released()
        )
    )
    return sa.and_(
        sa.or_(Action.owner_user_id == user.id, Action.owner_staff_id.in_(own_staff_ids(user))),
        sa.or_(~held_back, Action.service_id.in_(service_ids_select(user, WORK))),
    )


def visible_actions(user) -> sa.Select:
    """Actions the user may read: every action in services where they manage or supervise
    (admins: the whole organisation), and actions they own."""
    return sa.select(Action).where(
        Action.organisation_id == user.organisation_id,
        sa.or_(Action.service_id.in_(service_ids_select(user, WORK)), owned_by(user)),
    )


def my_actions(user) -> sa.Select:
    """The user's own actions ("my actions")."""
    return sa.select(Action).where(Action.organisation_id == user.organisation_id, owned_by(user))


def get_visible_action(db: Session, user, action_id: uuid.UUID) -> Action | None:
    """One action by its public id, if the user may read it (None: answer 404)."""
    return db.scalar(visible_actions(user).where(Action.uuid == action_id))


def may_view_action(user, action: Action) -> bool:
    """Whether the action is among :func:`visible_actions` for the user."""
    return in_query(visible_actions(user), action)


def is_owner(user, action: Action) -> bool:
    """The user owns the action, directly or through their staff record."""
    if action.organisation_id != user.organisation_id:
        return False
    if action.owner_user_id == user.id:
        return True
    return action.owner_staff is not None and action.owner_staff.user_id == user.id


def may_update_action(user, action: Action) -> bool:
    """Edit, change status (except cancel), add notes and book re-checks."""
    return can_work_in_service(user, action.service)


def may_cancel_action(user, action: Action) -> bool:
    """Cancelling drops a commitment, so it is the managers' call."""
    return can_manage_service(user, action.service)


def may_add_action_note(user, action: Action) -> bool:
    """Whoever updates the action, and its owner reporting progress."""
    return may_update_action(user, action) or is_owner(user, action)


def may_book_recheck(user, action: Action) -> bool:
    """A targeted re-check is booked from an action by whoever may update it."""
    return may_update_action(user, action)


def action_services(user) -> sa.Select:
    """The services whose actions the user lists and adds: where they manage or supervise."""
    return services_select(user, WORK)
