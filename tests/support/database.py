"""The test database: where it is, emptying it between tests, and reading rows back."""

from __future__ import annotations

import os
import uuid

import sqlalchemy as sa

from careobs.models import Base


def test_database_url(tmp_path_factory) -> str:
    """CAREOBS_TEST_DATABASE_URL (PostgreSQL) if set, else a fresh SQLite file for the run."""
    url = os.environ.get("CAREOBS_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'careobs-test.db'}"


def empty_all_tables(engine: sa.Engine) -> None:
    """Delete every row, children first, so the next test starts clean."""
    tables = list(reversed(Base.metadata.sorted_tables))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(t.name for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


def count(db, model, *where) -> int:
    """How many rows of ``model`` match (after expiring what the session holds)."""
    db.expire_all()
    return db.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def stored(db, model, document: dict):
    """The row stored for a document's id, freshly loaded."""
    db.expire_all()
    return db.scalar(sa.select(model).where(model.uuid == uuid.UUID(document["id"])))
