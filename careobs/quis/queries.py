"""Reading QUIS sessions: who may see which, and the summary of one session."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.permissions import MANAGE, service_ids_select
from careobs.quis import scoring
from careobs.quis.models import QuisSession


def visible_sessions(user) -> sa.Select:
    """Sessions the user may read: their own, and every session in services they manage."""
    return sa.select(QuisSession).where(
        QuisSession.organisation_id == user.organisation_id,
        sa.or_(
            QuisSession.observer_id == user.id,
            QuisSession.service_id.in_(service_ids_select(user, MANAGE)),
        ),
    )


def get_visible(db: Session, user, session_id: uuid.UUID) -> QuisSession | None:
    """One session by its document id, if the user may read it."""
    return db.scalar(visible_sessions(user).where(QuisSession.uuid == session_id))


def summary(session: QuisSession) -> scoring.Summary:
    """The full set of metrics for one session, from its stored interactions."""
    interactions = [
        {"at": i.at, "category": i.category, "people": i.people} for i in session.interactions
    ]
    ended = session.ended_at or (interactions[-1]["at"] if interactions else session.started_at)
    return scoring.summarise(
        interactions, session.people, session.started_at, ended, session.frame_minutes
    )
