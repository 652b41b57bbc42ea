"""The database layer: declarative base, portable column types and the per-request session."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Now, timezone-aware in UTC: the only clock the models use."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored in UTC that refuses naive input and always comes back aware.

    SQLite returns naive datetimes even for ``DateTime(timezone=True)``; PostgreSQL returns aware
    ones. This type makes both behave the same, so comparisons never mix naive and aware values.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """The one declarative base; its naming convention lets Alembic name every constraint."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class PublicIdMixin:
    """An integer primary key for joins plus a random UUID, the only id shown in URLs and APIs."""

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True, default=uuid.uuid4)


def _configure_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Reports read a lot of rows: a larger page cache and memory-mapped reads spare a system
    # call per page (both are upper bounds; small databases use what they need).
    cursor.execute("PRAGMA cache_size=-32768")  # KiB, i.e. 32 MiB per connection
    cursor.execute("PRAGMA mmap_size=268435456")  # 256 MiB
    cursor.close()


def make_engine(url: str) -> sa.Engine:
    """Build an engine; SQLite gets foreign keys, WAL and a busy timeout on every connection."""
    kwargs: dict = {"future": True}
    if url.startswith("sqlite"):
        if ":memory:" in url or url in ("sqlite://", "sqlite:///"):
            kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
        else:
            kwargs["connect_args"] = {"check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
    engine = sa.create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _configure_sqlite)
    return engine


def init_app(app: Flask) -> None:
    """Create the engine for this app; sessions close when their request or context ends."""
    use_engine(app, make_engine(app.config["DATABASE_URL"]))
    app.teardown_request(_close_request_session)
    app.teardown_appcontext(_close_context_session)


def use_engine(app: Flask, engine: sa.Engine) -> None:
    """Serve ``app`` from ``engine`` and its pool (the test suite shares one between apps)."""
    app.extensions["careobs.engine"] = engine
    app.extensions["careobs.sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)


def get_engine() -> sa.Engine:
    """The current app's engine."""
    return current_app.extensions["careobs.engine"]


_REQUEST_KEY = "careobs.db_session"


def get_session() -> Session:
    """The session for this request (or, outside requests, this app context).

    Each request gets its own session even when an app context is shared (as in tests and CLI
    runs), so a request never sees another unit of work's uncommitted state.
    """
    make = current_app.extensions["careobs.sessionmaker"]
    if has_request_context():
        environ = request.environ
        if _REQUEST_KEY not in environ:
            environ[_REQUEST_KEY] = make()
        return environ[_REQUEST_KEY]
    if "db_session" not in g:
        g.db_session = make()
    return g.db_session


def opened_request_session() -> Session | None:
    """This request's session if the request has opened one; never opens one."""
    return request.environ.get(_REQUEST_KEY)


def _close_request_session(_exc) -> None:
    session = request.environ.pop(_REQUEST_KEY, None)
    if session is not None:
        session.close()


def _close_context_session(_exc) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def refresh_statistics(db: Session, *, vacuum: bool = False) -> None:
    """After a bulk load (the demo): PostgreSQL plans each query from table statistics that
    autovacuum refreshes only a minute or more later. Until then it takes the new rows for
    empty tables and may pick a plan that runs for minutes (the co-audit comparison did, right
    after the demo loaded). So: ANALYZE now, committed. SQLite keeps no such statistics.

    ``vacuum``: VACUUM ANALYZE instead, for millions of rows (the large demo). Until a table is
    vacuumed its visibility map is empty, so an index-only scan still reads every row's page
    (the dashboards' covering indexes gain nothing); autovacuum would do it in time, where it
    is on."""
    if db.get_bind().dialect.name != "postgresql":
        return
    db.commit()
    if vacuum:  # not inside a transaction: on a connection of its own, in autocommit
        with db.get_bind().connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                sa.text("VACUUM ANALYZE")
            )
        return
    db.execute(sa.text("ANALYZE"))
    db.commit()


def lock_for_writing(db: Session, column: sa.ColumnElement, row_id: int) -> None:
    """Make the transactions that change what hangs off one row wait for each other, so each
    reads what the one before wrote (``lock_for_writing(db, Organisation.id, org_id)``).

    PostgreSQL: the row is locked (``SELECT … FOR UPDATE``) until the transaction ends. SQLite
    has one writer at a time: the transaction takes the write lock now (``BEGIN IMMEDIATE``),
    as the sync does, so what it reads next is what it writes after.
    """
    if sqlite_write_lock(db.connection()):
        return
    db.execute(sa.select(column).where(column == row_id).with_for_update())


def sqlite_write_lock(connection: sa.Connection) -> bool:
    """On SQLite, take the database's write lock now (``BEGIN IMMEDIATE``, unless a transaction
    is already open) and say True: one writer at a time, so what the transaction reads next is
    what it writes after. False on PostgreSQL, where the caller locks what it needs."""
    if connection.dialect.name != "sqlite":
        return False
    if not connection.connection.driver_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    return True


def advisory_key(name: str) -> int:
    """A signed 64-bit PostgreSQL advisory lock key for ``name`` (a clash only makes two
    transactions wait for each other)."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def advisory_locks(connection: sa.Connection, keys) -> None:
    """Take PostgreSQL transaction-level advisory locks on ``keys``, always in sorted order, so
    two transactions naming the same keys queue on the first instead of deadlocking.

    One round trip for them all (a sync batch locks each of its documents): the statements of
    one simple query run one after the other, in the order written. The keys are integers,
    written into the text as such.
    """
    ordered = sorted({int(key) for key in keys})
    if not ordered:
        return
    statements = "; ".join(f"SELECT pg_advisory_xact_lock({key})" for key in ordered)
    # No parameters: psycopg then sends the text as one simple query, which may hold several.
    connection.exec_driver_sql(statements, execution_options={"no_parameters": True})


def take_turns(db: Session, name: str) -> None:
    """Make the transactions taking a turn on ``name`` run one at a time, each seeing what the
    one before wrote (``take_turns(db, f"retention-purge:{org_id}")``).

    PostgreSQL: a transaction-level advisory lock on the name (nothing else waits for it).
    SQLite has one writer at a time: the transaction takes the write lock now (``BEGIN
    IMMEDIATE``), as the sync does.
    """
    connection = db.connection()
    if not sqlite_write_lock(connection):
        advisory_locks(connection, [advisory_key(name)])


def insert_for(db: Session):
    """The dialect's INSERT, which knows ON CONFLICT DO NOTHING (SQLite and PostgreSQL)."""
    if db.get_bind().dialect.name == "postgresql":
        return postgresql.insert
    return sqlite.insert
