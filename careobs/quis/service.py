"""Writing QUIS sessions received from devices: rows, stored aggregates and audit events."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.audit.service import record as audit
from careobs.capture import storing
from careobs.capture.kinds import DocumentKind
from careobs.db import lock_for_writing
from careobs.feedback.models import Feedback
from careobs.quis import documents, export, interaction_rows, pairs, scoring
from careobs.quis.documents import CleanSession
from careobs.quis.models import QuisInteraction, QuisPair, QuisSession
from careobs.wording import plural

KIND_NAME = "quis_session"  # the "kind" devices send; the app factory registers KIND below


def _summary(session: QuisSession, clean: CleanSession) -> str:
    """The audit event's summary, e.g. "Acme Care House: 1 interaction"."""
    count = plural(session.interaction_count, "interaction", "interactions")
    return f"{clean.roster.service.name}: {count}"


def _apply(db: Session, session: QuisSession, clean: CleanSession) -> None:
    """Copy the document's fields and recompute the stored aggregates."""
    session.service_id = clean.roster.service.id
    session.area_id = clean.area_id
    session.context = clean.context
    session.started_at = clean.started_at
    session.ended_at = clean.ended_at
    session.planned_minutes = clean.planned_minutes
    session.frame_minutes = clean.frame_minutes
    session.people = clean.people
    session.staff_on_duty = clean.staff_on_duty
    session.status = clean.status
    session.notes = clean.notes
    session.went_well = clean.went_well
    session.to_develop = clean.to_develop
    if clean.pair is not None:
        # pairs.clash found (or made) the pair and holds its lock; a stored session never
        # moves to another pair or role (clash refuses it).
        session.pair_id = clean.pair.row_id or db.scalar(
            sa.select(QuisPair.id).where(QuisPair.uuid == clean.pair.id)
        )
        session.pair_role = clean.pair.role
    session.privacy_flags = storing.privacy_flags(
        (
            clean.notes,
            clean.went_well,
            clean.to_develop,
            *(i.note for i in clean.interactions),
            *(text for f in clean.feedback for text in (f.went_well, f.to_develop)),
        )
    )
    counts = scoring.CategoryCounts.from_categories(i.category for i in clean.interactions)
    session.n_ps, session.n_pc, session.n_n = counts.PS, counts.PC, counts.N
    session.n_np, session.n_nr = counts.NP, counts.NR
    minutes = scoring.observed_minutes(clean.started_at, clean.ended_at) if clean.ended_at else 0
    session.observed_minutes = minutes
    session.people_count = len(clean.people)
    session.person_minutes = scoring.person_minutes(len(clean.people), minutes)
    negatives = scoring.people_with_negative(
        ({"category": i.category, "people": i.people} for i in clean.interactions), clean.people
    )
    session.people_with_negative = len(negatives)
    storing.stamp(session, clean.status)


def _insert_interactions(db: Session, session_id: int, clean: CleanSession) -> None:
    """All of a session's interactions at once, straight to the driver
    (careobs.quis.interaction_rows): the ORM's bulk insert splits rows into separate
    statements whenever their empty fields differ, and Core's per-row bookkeeping cost as much
    as the driver's inserts (both measured by bench/sync_ingest.py)."""
    interaction_rows.insert(db.connection(), session_id, clean.interactions)


def _write_children(db: Session, session_id: int, clean: CleanSession) -> None:
    """The interactions, then, for a paired session arriving submitted, the pair's result if
    the other session is submitted too (under the pair's lock, which clash took)."""
    _insert_interactions(db, session_id, clean)
    if clean.pair is not None and clean.status == "submitted":
        pair = db.scalar(
            sa.select(QuisPair)
            .where(QuisPair.uuid == clean.pair.id)
            .execution_options(populate_existing=True)
        )
        if pair is not None:
            pairs.complete_if_ready(db, pair)


def create(
    db: Session, user, document_id, revision: int, clean: CleanSession, content_hash: str
) -> QuisSession:
    """Store a new session document (its row goes in as ``_insert_session`` says)."""
    return storing.create(KIND, db, user, document_id, revision, clean, content_hash)


def update(
    db: Session, user, session: QuisSession, revision: int, clean: CleanSession, content_hash: str
) -> QuisSession:
    """Replace a draft with a newer revision from its author."""
    return storing.update(KIND, db, user, session, revision, clean, content_hash)


KIND = DocumentKind(
    name=KIND_NAME,
    model=QuisSession,
    # Looked up when called, so a function replaced in its module (tests do) is the one run.
    validate=lambda data, rosters: documents.validate(data, rosters),
    create=lambda *args: create(*args),
    update=lambda *args: update(*args),
    export_tables=export.TABLES,
    label="QUIS observation",
    page=("quis.detail", "session_id"),
    author="observer_id",
    apply=_apply,
    insert=storing.insert_row,
    children=(QuisInteraction.session_id,),
    insert_children=lambda *args: _write_children(*args),
    audit_prefix="quis_session",
    summary=_summary,
    clash=lambda db, document_id, clean, stored: pairs.clash(db, document_id, clean, stored),
    lock_keys=lambda data: pair_lock_keys(data),
)


def pair_lock_keys(data) -> list[str]:
    """The pair a session document names, as the sync's lock name (none when it names none or
    names it unreadably: validation refuses that document, and nothing is locked for it)."""
    pair = data.get("pair") if isinstance(data, dict) else None
    raw = pair.get("id") if isinstance(pair, dict) else None
    if not isinstance(raw, str) or len(raw) > 64:
        return []
    try:
        return [f"quis_pair:{uuid.UUID(raw)}"]
    except ValueError:
        return []


def link_second(db: Session, user, session: QuisSession, pair: QuisPair) -> str | None:
    """Make the user's submitted, unpaired ``session`` the second observer's record of ``pair``
    (recorded without the pair, linked afterwards); the refusal in words, or None when linked.

    The pair is locked first, as the sync's ``pairs.clash`` locks it, so a link and a
    session sent for the same role, or two links at once, are decided one after the other. The
    pair's result is written if its lead's session is submitted. The caller commits (or rolls
    back on a refusal).
    """
    lock_for_writing(db, QuisPair.id, pair.id)
    session = db.scalar(
        sa.select(QuisSession)
        .where(QuisSession.id == session.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    pair = db.scalar(
        sa.select(QuisPair).where(QuisPair.id == pair.id).execution_options(populate_existing=True)
    )
    if session.pair_id is not None:
        return "This session is already part of a paired observation."
    if session.status != "submitted":
        return "Only a submitted session can be linked to a pair."
    gave_feedback = db.scalar(sa.select(sa.exists().where(Feedback.quis_session_id == session.id)))
    if gave_feedback:
        return "This session gave feedback to staff, so it cannot be the second observer's record."
    if pair.organisation_id != session.organisation_id or pair.service_id != session.service_id:
        return "This paired observation is at another service."
    current = pairs.sessions_of(db, pair)
    if current.second is not None:
        return "Another observer is already the second observer of this pair."
    lead_id = current.lead.observer_id if current.lead is not None else pair.opened_by_id
    if lead_id == user.id:
        return "You are the lead observer of this pair: a pair needs two people."
    session.pair_id = pair.id
    session.pair_role = "second"
    db.flush()
    audit(
        db,
        "quis_session_paired",
        organisation_id=session.organisation_id,
        actor=user,
        entity=session,
        summary=f"Linked as the second observer of pair {pair.code or pair.uuid}",
    )
    pairs.complete_if_ready(db, pair)
    return None
