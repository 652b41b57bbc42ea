"""Writing QUIS sessions received from devices: rows, stored aggregates and audit events."""

from __future__ import annotations

import uuid
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.audit.service import record as audit
from careobs.capture import storing
from careobs.capture.kinds import DocumentKind
from careobs.db import lock_for_writing
from careobs.feedback.models import Feedback
from careobs.quis import documents, export, pairs, scoring
from careobs.quis.documents import CleanSession
from careobs.quis.models import QuisInteraction, QuisPair, QuisSession
from careobs.wording import plural

KIND_NAME = "quis_session"  # the "kind" devices send; the app factory registers KIND below
_SESSION_COLUMNS = tuple(c.key for c in QuisSession.__table__.columns if c.key != "id")
_INSERT_SESSION = QuisSession.__table__.insert().returning(QuisSession.__table__.c.id)


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


INTERACTION_COLUMNS = (
    "session_id",
    "uuid",
    "position",
    "at",
    "people",
    "staff_id",
    "category",
    "initiated_by",
    "communication",
    "negative_reason",
    "note",
)


@cache
def _interaction_insert(dialect) -> tuple[str, list, bool]:
    """The interaction INSERT compiled for this dialect, the bind processors of the columns that
    have one (the conversions SQLAlchemy applies: UUIDs, UTC times, JSON) with their position in
    INTERACTION_COLUMNS, and whether the driver takes positional parameters."""
    table = QuisInteraction.__table__
    compiled = table.insert().compile(dialect=dialect, column_keys=list(INTERACTION_COLUMNS))
    if compiled.positional:
        assert tuple(compiled.positiontup) == INTERACTION_COLUMNS, compiled.positiontup
    processors = [
        (index, process)
        for index, name in enumerate(INTERACTION_COLUMNS)
        if (process := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
    ]
    return compiled.string, processors, compiled.positional


def _insert_interactions(db: Session, session_id: int, clean: CleanSession) -> None:
    """One executemany for all interactions: sessions carry hundreds of them.

    Straight to the driver with the columns' own bind processors: the ORM's bulk insert splits
    rows into separate statements whenever their empty fields differ, and Core's per-row
    bookkeeping cost as much as the driver's inserts (both measured by bench/sync_ingest.py).
    """
    if not clean.interactions:
        return
    connection = db.connection()
    sql, processors, positional = _interaction_insert(connection.dialect)
    rows = [
        [
            session_id,
            i.uuid,
            position,
            i.at,
            i.people,
            i.staff_id,
            i.category,
            i.initiated_by,
            i.communication,
            i.negative_reason,
            i.note,
        ]
        for position, i in enumerate(clean.interactions)
    ]
    for row in rows:
        for index, process in processors:
            if row[index] is not None:
                row[index] = process(row[index])
    if positional:
        connection.exec_driver_sql(sql, [tuple(row) for row in rows])
    else:
        connection.exec_driver_sql(
            sql, [dict(zip(INTERACTION_COLUMNS, row, strict=True)) for row in rows]
        )


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


def _insert_session(db: Session, session: QuisSession) -> None:
    """The session's row, with one Core INSERT … RETURNING rather than an ORM flush per
    document, which bench/sync_ingest.py showed to be a third of the sync time. The object is
    not attached to the session; re-read it before changing it.

    The values go in as execution parameters, not .values(): the statement is then compiled
    once per set of columns and cached, instead of being rebuilt for every document.
    """
    values = {
        key: value for key in _SESSION_COLUMNS if (value := getattr(session, key)) is not None
    }
    session.id = db.connection().execute(_INSERT_SESSION, values).scalar_one()


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
    insert=_insert_session,
    children=(QuisInteraction.session_id,),
    insert_children=lambda *args: _write_children(*args),
    audit_prefix="quis_session",
    summary=_summary,
    clash=lambda db, document_id, clean: pairs.clash(db, document_id, clean),
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
