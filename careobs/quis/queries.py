"""Reading QUIS sessions: the summary of one session (who may see which: careobs.permissions)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from careobs.permissions import linkable_quis_pairs
from careobs.quis import scoring
from careobs.quis.models import QuisPair, QuisSession


def summary(session: QuisSession) -> scoring.Summary:
    """The full set of metrics for one session, from its stored interactions."""
    interactions = [
        {"at": i.at, "category": i.category, "people": i.people} for i in session.interactions
    ]
    ended = session.ended_at or (interactions[-1]["at"] if interactions else session.started_at)
    return scoring.summarise(
        interactions, session.people, session.started_at, ended, session.frame_minutes
    )


def link_candidates(db, user, session: QuisSession) -> list[tuple[QuisPair, QuisSession]]:
    """The pairs offered on a session's page to link it to (permissions.linkable_quis_pairs)
    whose lead's session has arrived, each with that session, earliest first."""
    lead = aliased(QuisSession)
    stmt = (
        linkable_quis_pairs(user, session)
        .add_columns(lead)
        .join(lead, sa.and_(lead.pair_id == QuisPair.id, lead.pair_role == "lead"))
        .order_by(lead.started_at)
        .limit(20)
    )
    return [(row[0], row[1]) for row in db.execute(stmt)]
