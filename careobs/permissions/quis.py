"""Who may see a QUIS session and add an addendum to it.

A session is read by its observer and by managers of its service (admins: the whole
organisation); supervisors who did not observe it do not see it.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.permissions.roles import WORK, in_query, own_or_managed, services_select
from careobs.quis.models import QuisSession


def visible_quis_sessions(user) -> sa.Select:
    """Sessions the user may read: their own, and every session in services they manage."""
    return own_or_managed(QuisSession, QuisSession.observer_id == user.id, user)


def get_visible_quis_session(db: Session, user, session_id: uuid.UUID) -> QuisSession | None:
    """One session by its document id, if the user may read it (None: answer 404)."""
    return db.scalar(visible_quis_sessions(user).where(QuisSession.uuid == session_id))


def may_view_quis_session(user, session: QuisSession) -> bool:
    """Whether the session is among :func:`visible_quis_sessions` for the user."""
    return in_query(visible_quis_sessions(user), session)


def may_write_quis_feedback(user, session: QuisSession) -> bool:
    """Feedback (per worker or to the team) is drafted by whoever may read the session."""
    return may_view_quis_session(user, session)


def observable_services(user) -> sa.Select:
    """The services (active or not) where the user observes: the QUIS list's service filter."""
    return services_select(user, WORK)
