"""Migration 0014 moves the QUIS and visit addenda into one table and back, keeping every
author, reason, text and time, each kind's order, and the QUIS addenda's ids."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from careobs import migrate
from careobs.capture.addenda import Addendum
from careobs.db import UTCDateTime, make_engine
from careobs.quis.models import QuisSession
from careobs.visits.models import MonitoringVisit
from tests.support.database import stored

BEFORE = "0013_unscored_and_red_backfill"
COLUMNS = ("author_id", "reason", "text", "created_at")


def _at(hour: int) -> datetime:
    return datetime(2026, 11, 2, hour, tzinfo=UTC)


def _old_tables(link_to_session: int, link_to_visit: int, author: int):
    quis = sa.table(
        "quis_addenda",
        sa.column("id"),
        sa.column("session_id"),
        *(sa.column(c) for c in COLUMNS[:3]),
        sa.column("created_at", UTCDateTime()),
    )
    visit = sa.table(
        "visit_addenda",
        sa.column("id"),
        sa.column("visit_id"),
        *(sa.column(c) for c in COLUMNS[:3]),
        sa.column("created_at", UTCDateTime()),
    )
    quis_rows = [
        {
            "id": 1,
            "session_id": link_to_session,
            "reason": "Q1",
            "text": "=1+1",
            "created_at": _at(9),
        },
        {
            "id": 2,
            "session_id": link_to_session,
            "reason": "Q2",
            "text": "two\nlines",
            "created_at": _at(7),
        },
    ]
    visit_rows = [
        {"id": 1, "visit_id": link_to_visit, "reason": "V1", "text": "café", "created_at": _at(8)},
        {"id": 2, "visit_id": link_to_visit, "reason": "V2", "text": "", "created_at": _at(6)},
        {
            "id": 3,
            "visit_id": link_to_visit,
            "reason": "V3",
            "text": "x" * 5000,
            "created_at": _at(10),
        },
    ]
    for row in (*quis_rows, *visit_rows):
        row["author_id"] = author
    return quis, quis_rows, visit, visit_rows


def test_addenda_of_both_kinds_move_to_one_table_and_back(db, records):
    session_id = stored(db, QuisSession, records.quis).id
    visit_id = stored(db, MonitoringVisit, records.visit).id
    org_id, author = records.acme.org.id, records.acme.supervisor.id
    db.close()
    engine = make_engine(str(db.get_bind().url.render_as_string(hide_password=False)))
    quis, quis_rows, visit, visit_rows = _old_tables(session_id, visit_id, author)
    try:
        migrate.downgrade(engine, BEFORE)
        assert "record_addenda" not in sa.inspect(engine).get_table_names()
        with engine.begin() as conn:
            conn.execute(quis.insert(), quis_rows)
            conn.execute(visit.insert(), visit_rows)

        migrate.upgrade(engine)
        with engine.connect() as conn:
            moved = conn.execute(sa.select(Addendum.__table__).order_by(Addendum.id)).all()

        # A new addendum is numbered after the moved ones (PostgreSQL's counter was moved on).
        with engine.begin() as conn:
            conn.execute(
                sa.insert(Addendum).values(
                    organisation_id=org_id,
                    record_kind="quis_session",
                    quis_session_id=session_id,
                    author_id=author,
                    reason="New",
                    text="t",
                    created_at=_at(11),
                )
            )
            assert conn.scalar(sa.select(sa.func.max(Addendum.id))) == 6

        migrate.downgrade(engine, BEFORE)
        with engine.connect() as conn:
            back_quis = conn.execute(sa.select(quis).order_by(quis.c.id)).mappings().all()
            back_visit = conn.execute(sa.select(visit).order_by(visit.c.id)).mappings().all()
    finally:
        migrate.upgrade(engine)
        engine.dispose()

    expected = [
        (1, org_id, "quis_session", session_id, None, author, "Q1", "=1+1", _at(9)),
        (2, org_id, "quis_session", session_id, None, author, "Q2", "two\nlines", _at(7)),
        (3, org_id, "monitoring_visit", None, visit_id, author, "V1", "café", _at(8)),
        (4, org_id, "monitoring_visit", None, visit_id, author, "V2", "", _at(6)),
        (5, org_id, "monitoring_visit", None, visit_id, author, "V3", "x" * 5000, _at(10)),
    ]
    columns = ("id", "organisation_id", "record_kind", "quis_session_id", "visit_id", *COLUMNS)
    assert [tuple(getattr(r, c) for c in columns) for r in moved] == expected

    assert [dict(r) for r in back_quis] == [
        *quis_rows,
        {
            "id": 6,
            "session_id": session_id,
            "author_id": author,
            "reason": "New",
            "text": "t",
            "created_at": _at(11),
        },
    ]
    # Visit addenda come back in their order, numbered as they were in the one table.
    assert [dict(r) for r in back_visit] == [
        {**row, "id": new_id} for row, new_id in zip(visit_rows, (3, 4, 5), strict=True)
    ]
