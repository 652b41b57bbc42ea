"""Reading QUIS sessions: the summary of one session (who may see which: careobs.permissions)."""

from __future__ import annotations

from careobs.quis import scoring
from careobs.quis.models import QuisSession


def summary(session: QuisSession) -> scoring.Summary:
    """The full set of metrics for one session, from its stored interactions."""
    interactions = [
        {"at": i.at, "category": i.category, "people": i.people} for i in session.interactions
    ]
    ended = session.ended_at or (interactions[-1]["at"] if interactions else session.started_at)
    return scoring.summarise(
        interactions, session.people, session.started_at, ended, session.frame_minutes
    )
