"""The test database: where it is, emptying it between tests, and reading rows back."""

from __future__ import annotations

import os
import uuid

import sqlalchemy as sa

from careobs.audit.chain import GENESIS
from careobs.audit.models import AuditChainHead, AuditEvent
from careobs.models import Base


def test_database_url(tmp_path_factory) -> str:
    """CAREOBS_TEST_DATABASE_URL (PostgreSQL) if set, else a fresh SQLite file for the run.

    Under pytest-xdist each worker has a database of its own: SQLite's file is in the worker's
    own temporary folder; on PostgreSQL the worker's database is named after the given one and
    the worker ("test_gw0"), made on the same server when it is missing.
    """
    url = os.environ.get("CAREOBS_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'careobs-test.db'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    given = sa.make_url(url)
    own = given.set(database=f"{given.database}_{worker}")
    engine = sa.create_engine(given, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}
            )
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{own.database}"'))
    finally:
        engine.dispose()
    return own.render_as_string(hide_password=False)


def empty_all_tables(engine: sa.Engine) -> None:
    """Delete every row, children first, so the next test starts clean; on PostgreSQL every
    id sequence used since (even by an insert rolled back) starts again from 1, as in a fresh
    database.

    A DELETE per table, not one TRUNCATE … RESTART IDENTITY of them all: most tests leave most
    tables empty, and PostgreSQL's TRUNCATE of sixty tables costs 150 ms whatever they hold,
    once per test (a tenth of the suite's time there); this costs about 10 ms.

    The audit log is the exception: the database refuses to delete audit events (as it would
    refuse an attacker), so a test that wrote some gets a fresh audit table instead
    (:func:`fresh_audit_log`); never a DELETE, never a disabled trigger."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # A session a test left open would make the DROP of the audit table wait forever.
            conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
            # Nothing here needs to survive a crash of the server: the commit does not wait for
            # the disk, which halves the cost of the audit table's DDL (and of the DELETEs).
            conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
        fresh_audit_log(conn)
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in AUDIT_TABLES:
                conn.execute(table.delete())
        if engine.dialect.name == "postgresql":
            # setval, not ALTER SEQUENCE … RESTART: the same next value, in one statement for
            # every sequence used, without DDL.
            conn.execute(
                sa.text(
                    "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, "
                    "start_value, false) FROM pg_sequences "
                    "WHERE schemaname = current_schema() AND last_value IS NOT NULL"
                )
            )


AUDIT_TABLES = {AuditEvent.__tablename__, AuditChainHead.__tablename__}


def fresh_audit_log(conn: sa.Connection) -> None:
    """An empty audit log: the audit table dropped and built again from the models (its
    indexes, constraints and guarding triggers as the migration makes them: test_migrations
    checks they agree), and the chain's head back at the start. Nothing is done when nothing
    was written (most tests write something: building an organisation is audited)."""
    events = AuditEvent.__table__
    head = AuditChainHead.__table__
    written = conn.execute(sa.select(events.c.id).limit(1)).first() is not None
    at_start = conn.execute(
        sa.select(head.c.id).where(head.c.id == 1, head.c.seq == 0, head.c.hash == GENESIS)
    ).first()
    if written:
        events.drop(conn)
        events.create(conn)  # with the triggers (careobs.audit.models: after_create)
    if at_start is None:
        conn.execute(head.delete())
        conn.execute(head.insert().values(id=1, seq=0, hash=GENESIS))


def count(db, model, *where) -> int:
    """How many rows of ``model`` match (after expiring what the session holds)."""
    db.expire_all()
    return db.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def stored(db, model, document: dict):
    """The row stored for a document's id, freshly loaded."""
    db.expire_all()
    return db.scalar(sa.select(model).where(model.uuid == uuid.UUID(document["id"])))
