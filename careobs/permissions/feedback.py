"""Who may see written feedback, edit and release it, and acknowledge or reply to it.

Its author and the managers of its service (admins: the whole organisation) see it in every
state and may edit or release a draft, except that feedback drafted from a compliment is
released only by a manager of its service or an admin (issue 16: "with the manager's
release"): the supervisor who logged the compliment may edit it, not release it. The care
worker it is about sees it only once released, and only they acknowledge it and reply.
Nobody else sees it.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.feedback.models import Feedback
from careobs.permissions.roles import can_manage_service, in_query, own_or_managed
from careobs.permissions.staff import own_staff_ids


def managed_feedback(user) -> sa.Select:
    """Feedback the user wrote, or in services they manage."""
    return own_or_managed(Feedback, Feedback.author_id == user.id, user)


def own_feedback(user) -> sa.Select:
    """Released feedback about the user's own practice ("My feedback")."""
    return sa.select(Feedback).where(
        Feedback.organisation_id == user.organisation_id,
        Feedback.staff_id.in_(own_staff_ids(user)),
        Feedback.status == "released",
    )


def visible_feedback(user) -> sa.Select:
    """Everything the user may read: what they manage and what is released to them."""
    own = own_feedback(user).with_only_columns(Feedback.id).order_by(None)
    managed = managed_feedback(user).with_only_columns(Feedback.id).order_by(None)
    return sa.select(Feedback).where(sa.or_(Feedback.id.in_(managed), Feedback.id.in_(own)))


def get_feedback_roles(
    db: Session, user, feedback_id: uuid.UUID
) -> tuple[Feedback | None, bool, bool]:
    """The feedback by public id, whether the user is the worker it is released to, and
    whether they manage it (None when they may not see it: answer 404)."""
    as_manager = db.scalar(managed_feedback(user).where(Feedback.uuid == feedback_id))
    as_worker = db.scalar(own_feedback(user).where(Feedback.uuid == feedback_id))
    return as_manager or as_worker, as_worker is not None, as_manager is not None


def may_view_feedback(user, feedback: Feedback) -> bool:
    """Whether the feedback is among :func:`visible_feedback` for the user."""
    return in_query(visible_feedback(user), feedback)


def may_edit_feedback(user, feedback: Feedback) -> bool:
    """A draft is edited (and released) by its author and its service's managers."""
    return feedback.status == "draft" and in_query(managed_feedback(user), feedback)


def may_release_feedback(user, feedback: Feedback) -> bool:
    """Releasing is done from the edit page, so it follows the same rule; feedback from a
    compliment also needs a manager of its service (or an admin)."""
    if not may_edit_feedback(user, feedback):
        return False
    return feedback.compliment_id is None or can_manage_service(user, feedback.service)


def may_acknowledge_feedback(user, feedback: Feedback) -> bool:
    """Only the worker it is released to acknowledges it (and replies with a reflection)."""
    return in_query(own_feedback(user), feedback)


def may_reply_to_feedback(user, feedback: Feedback) -> bool:
    """A reflection is the worker's own reply, so the same rule as acknowledging."""
    return may_acknowledge_feedback(user, feedback)
