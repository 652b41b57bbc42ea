"""Paired QUIS sessions on the server: the pair row and its calibration result.

The result is written once, when the second of the two sessions is submitted (or a submitted
session is linked to a pair whose other session is submitted), under the pair's row lock, with
the organisation's tolerance of the day; it never changes after. Everything that reads a
result (the pair's page and API, calibration over time, the evidence pack) reads it from here.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.db import utcnow
from careobs.org.settings import settings_for
from careobs.quis import calibration
from careobs.quis.models import QuisInteraction, QuisPair, QuisSession


@dataclass(frozen=True)
class PairSessions:
    lead: QuisSession | None
    second: QuisSession | None

    @property
    def both_submitted(self) -> bool:
        return all(s is not None and s.status == "submitted" for s in (self.lead, self.second))


def sessions_of(db: Session, pair: QuisPair) -> PairSessions:
    """The pair's lead and second sessions as stored now (either may be missing)."""
    by_role = {
        s.pair_role: s
        for s in db.scalars(
            sa.select(QuisSession)
            .where(QuisSession.pair_id == pair.id)
            .execution_options(populate_existing=True)
        )
    }
    return PairSessions(by_role.get("lead"), by_role.get("second"))


def coded(db: Session, session: QuisSession) -> list[calibration.Coded]:
    """A session's interactions as the alignment reads them, in recorded order."""
    rows = db.execute(
        sa.select(
            QuisInteraction.uuid,
            QuisInteraction.at,
            QuisInteraction.people,
            QuisInteraction.staff_id,
            QuisInteraction.category,
        )
        .where(QuisInteraction.session_id == session.id)
        .order_by(QuisInteraction.position)
    )
    return [
        calibration.Coded(row.uuid, row.at, frozenset(row.people), row.staff_id, row.category)
        for row in rows
    ]


def alignment(db: Session, pair: QuisPair, sessions: PairSessions) -> calibration.Alignment:
    """The two sessions matched under the tolerance the pair's result was (or is) written with."""
    tolerance = pair.tolerance_seconds
    if tolerance is None:
        tolerance = settings_for(db, pair.organisation_id).pair_tolerance_seconds
    return calibration.align(coded(db, sessions.lead), coded(db, sessions.second), tolerance)


def complete_if_ready(db: Session, pair: QuisPair) -> bool:
    """Write the pair's result if both sessions are submitted and it has none yet.

    The caller holds the pair's lock (``careobs.db.lock_for_writing(db, QuisPair.id, pair.id)``)
    so that the two sessions' submissions, arriving at once, are decided one after the other:
    whichever comes second finds the first and writes the result. Returns whether it wrote it.
    """
    if pair.completed_at is not None:
        return False
    sessions = sessions_of(db, pair)
    if not sessions.both_submitted:
        return False
    pair.tolerance_seconds = settings_for(db, pair.organisation_id).pair_tolerance_seconds
    aligned = alignment(db, pair, sessions)
    table = aligned.table
    pair.matched = len(aligned.matched)
    pair.lead_only = len(aligned.lead_only)
    pair.second_only = len(aligned.second_only)
    pair.confusion = table
    pair.kappa_a4 = calibration.kappa(table, calibration.A4).value
    pair.completed_at = utcnow()
    db.flush()
    return True
