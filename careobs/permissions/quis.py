"""Who may see a QUIS session and add an addendum to it, and who may see and join a pair.

A session is read by its observer and by managers of its service (admins: the whole
organisation); supervisors who did not observe it do not see it. A pair of sessions (issue 17)
is seen by its two observers (and whoever announced it) and by those who see its service's
sessions as a manager or admin; it is joined by someone who observes at its service and is not
already in it.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session

from careobs.permissions.roles import (
    MANAGE,
    WORK,
    in_query,
    own_or_managed,
    service_ids_select,
    services_select,
)
from careobs.quis.models import QuisPair, QuisSession

LINK_WINDOW = timedelta(hours=1)  # linking later: pairs whose lead started this near the session


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


def visible_quis_pairs(user) -> sa.Select:
    """Pairs the user may see: those they observed in or announced, and every pair at a service
    they manage (admins: the whole organisation)."""
    observed = sa.select(QuisSession.pair_id).where(
        QuisSession.observer_id == user.id, QuisSession.pair_id.is_not(None)
    )
    return sa.select(QuisPair).where(
        QuisPair.organisation_id == user.organisation_id,
        sa.or_(
            QuisPair.id.in_(observed),
            QuisPair.opened_by_id == user.id,
            QuisPair.service_id.in_(service_ids_select(user, MANAGE)),
        ),
    )


def get_visible_quis_pair(db: Session, user, pair_id: uuid.UUID) -> QuisPair | None:
    """One pair by its id, if the user may see it (None: answer 404, whether or not it exists)."""
    return db.scalar(visible_quis_pairs(user).where(QuisPair.uuid == pair_id))


def joinable_quis_pairs(user, opened_since: datetime | None) -> sa.Select:
    """Open pairs the user may join as the second observer: at a service where they observe,
    opened since ``opened_since`` (None: whenever), with no second session yet, and neither
    announced nor led by them."""
    taken = sa.select(QuisSession.pair_id).where(
        QuisSession.pair_id.is_not(None),
        sa.or_(QuisSession.pair_role == "second", QuisSession.observer_id == user.id),
    )
    stmt = sa.select(QuisPair).where(
        QuisPair.organisation_id == user.organisation_id,
        QuisPair.service_id.in_(service_ids_select(user, WORK)),
        QuisPair.id.not_in(taken),
        sa.or_(QuisPair.opened_by_id.is_(None), QuisPair.opened_by_id != user.id),
    )
    if opened_since is not None:
        stmt = stmt.where(QuisPair.created_at >= opened_since)
    return stmt


def may_link_quis_session(user, session: QuisSession) -> bool:
    """Whether the user may link this session to a pair as its second observer afterwards:
    their own session, submitted, in no pair yet, at a service where they still observe."""
    if session.observer_id != user.id or session.status != "submitted":
        return False
    if session.pair_id is not None:
        return False
    observes_there = sa.select(sa.literal(session.service_id).in_(service_ids_select(user, WORK)))
    return object_session(session).scalar(observes_there) is True


def linkable_quis_pairs(user, session: QuisSession) -> sa.Select:
    """Pairs the user may link their submitted ``session`` to afterwards, as its second
    observer: pairs they may join (:func:`joinable_quis_pairs`) at the session's service whose
    lead observer started within LINK_WINDOW of the session (a pair whose lead's session has
    not arrived yet: opened within that window). Whether the session itself may be linked is
    :func:`may_link_quis_session`."""
    lead = sa.select(QuisSession.started_at).where(
        QuisSession.pair_id == QuisPair.id, QuisSession.pair_role == "lead"
    )
    earliest = session.started_at - LINK_WINDOW
    latest = session.started_at + LINK_WINDOW
    return joinable_quis_pairs(user, None).where(
        QuisPair.service_id == session.service_id,
        sa.or_(
            lead.where(QuisSession.started_at.between(earliest, latest)).exists(),
            sa.and_(~lead.exists(), QuisPair.created_at.between(earliest, latest)),
        ),
    )
