"""The migrations build exactly the models' schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa

from careobs import migrate
from careobs.db import make_engine
from careobs.models import Base


def test_upgrade_from_empty_gives_the_models_schema(database_url):
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            Base.metadata.drop_all(conn)
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        assert migrate.current_revision(engine) is None

        migrate.upgrade(engine)

        assert migrate.pending_differences(engine) == []
        tables = set(sa.inspect(engine).get_table_names())
        assert {t.name for t in Base.metadata.sorted_tables} <= tables
    finally:
        migrate.upgrade(engine)  # leave the schema at head for the rest of the suite
        engine.dispose()


def test_downgrade_to_base_and_back(database_url):
    engine = make_engine(database_url)
    try:
        migrate.downgrade(engine, "base")
        assert "users" not in sa.inspect(engine).get_table_names()
        migrate.upgrade(engine)
        assert migrate.pending_differences(engine) == []
    finally:
        migrate.upgrade(engine)
        engine.dispose()


def test_check_command_reports_agreement(runner):
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
    assert "agree" in result.output
