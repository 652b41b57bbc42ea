"""Paired QUIS sessions on the server: the pair row and its calibration result.

The result is written once, when the second of the two sessions is submitted (or a submitted
session is linked to a pair whose other session is submitted), under the pair's row lock, with
the organisation's tolerance of the day; it never changes after. Everything that reads a
result (the pair's page and API, calibration over time, the evidence pack) reads it from here.
Pair rows are made in one place, :func:`open_pair` (the sync's :func:`clash` and the lead's
device announcing a pair both call it).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.db import insert_for, lock_for_writing, utcnow
from careobs.org.settings import settings_for
from careobs.quis import calibration
from careobs.quis.documents import ROLE_WORDS, CleanSession
from careobs.quis.models import QuisInteraction, QuisPair, QuisSession


def open_pair(
    db: Session,
    service,
    pair_id: uuid.UUID,
    area_id: int | None,
    code: str | None,
    opened_by: int | None,
    *,
    fill: bool = True,
) -> tuple[QuisPair, bool]:
    """The pair with this id, made if it is new (the one writer of quis_pairs rows), then
    locked for the rest of the transaction; returns it and whether it was made now.

    Whichever arrives first makes it: the lead's device announcing it, or either observer's
    session (both may have recorded offline). ``fill``: a pair found at the same service gets
    the area, code and opener it lacks (a second observer's session made it first); the sync
    fills them only once the session is accepted (:func:`fill_in`). A pair found at another
    service or organisation is returned untouched: the caller refuses it.
    """
    made = db.execute(
        insert_for(db)(QuisPair.__table__)
        .on_conflict_do_nothing(index_elements=["uuid"])
        .returning(QuisPair.__table__.c.id),
        {
            "uuid": pair_id,
            "organisation_id": service.organisation_id,
            "service_id": service.id,
            "area_id": area_id,
            "code": code,
            "opened_by_id": opened_by,
            "created_at": utcnow(),
        },
    ).scalar()
    row_id = made or db.scalar(sa.select(QuisPair.id).where(QuisPair.uuid == pair_id))
    lock_for_writing(db, QuisPair.id, row_id)
    pair = db.scalar(
        sa.select(QuisPair).where(QuisPair.id == row_id).execution_options(populate_existing=True)
    )
    if made is None and fill and at_service(pair, service):
        fill_in(db, pair, area_id, code, opened_by)
    return pair, made is not None


def at_service(pair: QuisPair, service) -> bool:
    return pair.organisation_id == service.organisation_id and pair.service_id == service.id


def fill_in(
    db: Session, pair: QuisPair, area_id: int | None, code: str | None, opened_by: int | None
) -> None:
    """Give a locked pair the area, code and opener it lacks (never replacing one it has)."""
    changed = False
    for name, value in (("area_id", area_id), ("code", code), ("opened_by_id", opened_by)):
        if value is not None and getattr(pair, name) is None:
            setattr(pair, name, value)
            changed = True
    if changed:
        db.flush()


def clash(
    db: Session, document_id: uuid.UUID, clean: CleanSession, stored: QuisSession | None
) -> dict | None:
    """The errors that keep a paired session out of its pair, None when it may join it.

    The sync calls it only for a copy it is about to write (a new session, or a newer revision
    of its observer's draft). The pair's row is made if this is the first of its sessions to
    reach the server, then locked for the rest of the sync's transaction, so two sessions
    claiming one role, or the two sessions submitted at once, are decided one after the other.
    Refused: a pair of another organisation or service, a role another session already holds,
    one observer in both roles, and a stored session moving to another pair or role (a session
    joins one pair, once).

    Lock order: one batch may carry several paired sessions, and the sync applies them in the
    order sent; the sync takes every pair's advisory lock first, sorted, before any document is
    applied (service.KIND's ``lock_keys``), so two batches naming the same pairs in opposite
    orders queue on the first instead of deadlocking on these row locks.

    ``stored`` is the session the copy replaces, as the sync read it under the document's lock
    (None: a new session, so nothing stored can hold a pair, and nothing is looked up for it).
    """
    user = clean.sender
    pair = clean.pair
    stored_pair = None
    if stored is not None and stored.pair_id is not None:
        stored_pair = db.scalar(sa.select(QuisPair.uuid).where(QuisPair.id == stored.pair_id))
    if stored_pair is not None:
        if pair is None:
            return {"pair": ["This observation is part of a paired observation and stays so."]}
        if pair.id != stored_pair:
            return {"pair.id": ["This observation already belongs to another paired observation."]}
        if pair.role != stored.pair_role:
            was = ROLE_WORDS[stored.pair_role]
            return {"pair.role": [f"This observation was sent as the {was}; that cannot change."]}
    if pair is None:
        return None
    service = clean.roster.service
    opener = user.id if pair.role == "lead" else None
    row, _ = open_pair(db, service, pair.id, clean.area_id, pair.code, opener, fill=False)
    if not at_service(row, service):
        return {"pair.id": ["This paired observation is at another service."]}
    holders = db.execute(
        sa.select(QuisSession.observer_id, QuisSession.pair_role).where(
            QuisSession.pair_id == row.id, QuisSession.uuid != document_id
        )
    ).all()
    both = "You are already the other observer of this pair: a pair needs two people."
    if pair.role == "second" and row.opened_by_id == user.id:
        return {"pair.role": [both]}  # the pair this user's device announced as its lead
    for holder in holders:
        if holder.pair_role == pair.role:
            role = ROLE_WORDS[pair.role]
            return {"pair.role": [f"Another observer is already the {role} of this pair."]}
        if holder.observer_id == user.id:
            return {"pair.role": [both]}
    fill_in(db, row, clean.area_id, pair.code, opener)
    pair.row_id = row.id
    return None


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


def result_json(pair: QuisPair) -> dict:
    """The contract's JSON for a pair: "waiting" (every figure null) until its result exists."""
    body: dict = {"id": str(pair.uuid), "status": "waiting"}
    if pair.completed_at is None:
        body.update(
            matched=None, unmatched=None, agreement=None, kappa=None, ci95=None, confusion=None
        )
        return body
    table = pair.confusion
    found = calibration.kappas(table)
    body.update(
        status="complete",
        matched=pair.matched,
        unmatched={"lead": pair.lead_only, "second": pair.second_only},
        agreement=calibration.agreement(table),
        kappa={name: k.value for name, k in found.items()},
        ci95={name: None if k.value is None else [k.low, k.high] for name, k in found.items()},
        confusion=table,
        tolerance_seconds=pair.tolerance_seconds,
    )
    return body
