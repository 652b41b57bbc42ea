"""Paired QUIS sessions in test data in one line: two stored sessions made a pair directly
(pair row, pair_id and pair_role), with or without a stored calibration result."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa

from careobs.quis import calibration
from careobs.quis.models import QuisPair, QuisSession

WHEN = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def session_by_doc(db, doc: dict) -> QuisSession:
    """The stored session a sync document (``{"id": ...}``) became."""
    return db.scalar(sa.select(QuisSession).where(QuisSession.uuid == uuid.UUID(doc["id"])))


def make_pair(db, lead: QuisSession, second: QuisSession | None, *, code="K7P2QD") -> QuisPair:
    """A pair of ``lead`` and ``second`` (either stored session), no result yet; committed."""
    pair = QuisPair(
        uuid=uuid.uuid4(),
        organisation_id=lead.organisation_id,
        service_id=lead.service_id,
        area_id=lead.area_id,
        code=code,
        opened_by_id=lead.observer_id,
        created_at=lead.started_at,
    )
    db.add(pair)
    db.flush()
    lead.pair_id, lead.pair_role = pair.id, "lead"
    if second is not None:
        second.pair_id, second.pair_role = pair.id, "second"
    db.commit()
    return pair


def table_for(agree: int, disagree: int = 0) -> list[list[int]]:
    """A confusion table: ``agree`` pairs on the diagonal (spread over PS, PC, N) and
    ``disagree`` pairs one category apart (PS coded PC by the second observer)."""
    table = calibration.empty_matrix()
    for index in range(agree):
        table[index % 3][index % 3] += 1
    table[0][1] += disagree
    return table


def complete(db, pair: QuisPair, table, *, at=WHEN, lead_only=0, second_only=0) -> QuisPair:
    """Store a result on the pair as :func:`careobs.quis.pairs.complete_if_ready` would."""
    pair.completed_at = at
    pair.tolerance_seconds = 30
    pair.matched = calibration.total(table)
    pair.lead_only, pair.second_only = lead_only, second_only
    pair.confusion = table
    pair.kappa_a4 = calibration.kappa(table, calibration.A4).value
    db.commit()
    return pair
