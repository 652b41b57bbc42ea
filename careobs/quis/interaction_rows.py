"""Writing a session's interactions straight to the database driver: the sync's hottest write
(a session carries hundreds of them), so each database gets the INSERT shape it runs fastest.

The rows stored are exactly those SQLAlchemy would store through the columns' types (UUIDs, UTC
times, JSON text): tests/quis/test_interaction_rows.py holds the conversions below to the
columns' own bind processors, and bench/sync_ingest.py compares every stored row with its
hand-written baseline.
"""

from __future__ import annotations

import json
from datetime import UTC

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from careobs.quis.models import QuisInteraction

COLUMNS = (
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
# Compiled from the table itself for SQLite's driver ("?" in COLUMNS' order); COPY names the
# same constant columns.
_SQLITE_SQL = (
    QuisInteraction.__table__.insert()
    .compile(dialect=sqlite.dialect(), column_keys=list(COLUMNS))
    .string
)
_COPY_SQL = f"COPY quis_interactions ({', '.join(COLUMNS)}) FROM STDIN"


def insert(connection: sa.Connection, session_id: int, interactions: list) -> None:
    """Insert ``interactions`` (CleanInteraction, in recorded order) under the session."""
    if not interactions:
        return
    # careobs runs on these two only (careobs.audit.guards refuses any other database).
    if connection.dialect.name == "postgresql":
        _insert_postgresql(connection, session_id, interactions)
    else:
        _insert_sqlite(connection, session_id, interactions)


def _people_text(interactions: list) -> dict[tuple, str]:
    """Each distinct list of people as JSON text, encoded once: a session names the same one or
    two people again and again. ``json.dumps`` with its defaults, as the column's type writes it
    (the engine is made without a JSON serializer of its own)."""
    texts: dict[tuple, str] = {}
    for item in interactions:
        key = tuple(item.people)
        if key not in texts:
            texts[key] = json.dumps(item.people)
    return texts


def sqlite_time(moment) -> str:
    """An aware time as SQLite stores it: naive UTC text with microseconds."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _rows(session_id: int, interactions: list, uuid_of, time_of):
    """The rows in COLUMNS' order, the id and time as ``uuid_of`` and ``time_of`` make them
    for the driver; each list of people encoded once (:func:`_people_text`)."""
    people = _people_text(interactions)
    for position, i in enumerate(interactions):
        yield (
            session_id,
            uuid_of(i.uuid),
            position,
            time_of(i.at),
            people[tuple(i.people)],
            i.staff_id,
            i.category,
            i.initiated_by,
            i.communication,
            i.negative_reason,
            i.note,
        )


def _as_is(value):
    return value


def _hex(value) -> str:
    return value.hex


def _insert_sqlite(connection: sa.Connection, session_id: int, interactions: list) -> None:
    """One executemany: sqlite3 runs it in C, so the time goes into building the rows (UUIDs
    as hex, times as naive UTC text, as the columns' types store them)."""
    rows = list(_rows(session_id, interactions, _hex, sqlite_time))
    connection.exec_driver_sql(_SQLITE_SQL, rows)


def _insert_postgresql(connection: sa.Connection, session_id: int, interactions: list) -> None:
    """COPY the rows in: psycopg formats them in C and sends them in one stream. Measured on
    50,000 interactions, COPY took 0.2 s of CPU where executemany (a round trip's worth of
    Python per row) took 0.75 s, and one INSERT … VALUES per session 1.1 s (psycopg parses a
    statement that long on every call). UUIDs and aware times go as they are; the people go
    as their JSON text, which the json column stores as it is.
    """
    cursor = connection.connection.cursor()
    try:
        with cursor.copy(_COPY_SQL) as copy:
            for row in _rows(session_id, interactions, _as_is, _as_is):
                copy.write_row(row)
    except connection.dialect.loaded_dbapi.Error as exc:
        # As SQLAlchemy raises it for a statement it runs, so the sync tells an id clash
        # (IntegrityError) or a deadlock (worth retrying) from any other failure.
        raise sa.exc.DBAPIError.instance(
            _COPY_SQL, None, exc, connection.dialect.loaded_dbapi.Error, dialect=connection.dialect
        ) from exc
    finally:
        cursor.close()
