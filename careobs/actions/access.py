"""Who may do what to an action, in the terms of careobs.permissions.

Admins and the service's managers manage (including cancelling); supervisors of the service
create and update; the owner of an action (a care worker, perhaps) may add progress notes.
"""

from __future__ import annotations

from careobs.actions.models import Action
from careobs.permissions import can_manage_service, can_work_in_service


def is_owner(user, action: Action) -> bool:
    """The user owns the action, directly or through their staff record."""
    if action.organisation_id != user.organisation_id:
        return False
    if action.owner_user_id == user.id:
        return True
    return action.owner_staff is not None and action.owner_staff.user_id == user.id


def may_update(user, action: Action) -> bool:
    """Edit, change status (except cancel), add notes and book re-checks."""
    return can_work_in_service(user, action.service)


def may_cancel(user, action: Action) -> bool:
    """Cancelling drops a commitment, so it is the managers' call."""
    return can_manage_service(user, action.service)


def may_add_note(user, action: Action) -> bool:
    """Whoever updates the action, and its owner reporting progress."""
    return may_update(user, action) or is_owner(user, action)
