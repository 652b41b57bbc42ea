"""Reading QUIS sessions: the summary of one session.

Who may see which session is decided in careobs.permissions.quis; ``visible_sessions`` and
``get_visible`` are its old names, kept while careobs/quis/views.py still imports them.
"""

from __future__ import annotations

from careobs.permissions.quis import get_visible_quis_session as get_visible
from careobs.permissions.quis import visible_quis_sessions as visible_sessions
from careobs.quis import scoring
from careobs.quis.models import QuisSession

__all__ = ["get_visible", "summary", "visible_sessions"]


def summary(session: QuisSession) -> scoring.Summary:
    """The full set of metrics for one session, from its stored interactions."""
    interactions = [
        {"at": i.at, "category": i.category, "people": i.people} for i in session.interactions
    ]
    ended = session.ended_at or (interactions[-1]["at"] if interactions else session.started_at)
    return scoring.summarise(
        interactions, session.people, session.started_at, ended, session.frame_minutes
    )
