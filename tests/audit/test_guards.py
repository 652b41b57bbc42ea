"""The database itself refuses to change or remove an audit event, whatever the client."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from careobs.audit import guards
from tests.audit.tampering import as_attacker, stored_events


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET summary = 'rewritten history'",
        "UPDATE audit_events SET organisation_id = NULL WHERE seq = 1",
        "DELETE FROM audit_events WHERE seq = 1",
        "DELETE FROM audit_events",
    ],
)
def test_update_and_delete_are_refused_with_a_clear_error(data, db, engine, statement):
    data.organisation()
    before = stored_events(db)
    db.close()
    operation = statement.split()[0]
    with pytest.raises(sa.exc.DBAPIError) as refused, engine.begin() as conn:
        conn.exec_driver_sql(statement)
    message = str(refused.value.orig)
    assert f"{operation} refused on audit_events" in message
    assert "audit events are evidence: they cannot be changed or deleted" in message
    assert stored_events(db) == before


# Emptying the whole table at once: PostgreSQL's TRUNCATE (a statement trigger refuses it),
# SQLite's DELETE without WHERE (which it would otherwise do as a truncate, without row triggers).
EMPTYING = {
    "postgresql": (
        ("TRUNCATE audit_events", "TRUNCATE refused on audit_events"),
        ("TRUNCATE users, organisations CASCADE", "TRUNCATE refused on audit_events"),
    ),
    "sqlite": (("DELETE FROM audit_events", "DELETE refused on audit_events"),),
}


def test_emptying_the_whole_table_at_once_is_refused(data, db, engine):
    data.organisation()
    before = stored_events(db)
    db.close()
    for statement, message in EMPTYING[engine.dialect.name]:
        with pytest.raises(sa.exc.DBAPIError, match=message), engine.begin() as conn:
            conn.exec_driver_sql(statement)
    assert stored_events(db) == before


def test_inserting_is_still_allowed_and_the_attacker_route_exists(data, db, engine):
    """The guards stop changes, not writing; only getting round them (below) changes a row,
    which is what tests/audit/test_verify.py then catches."""
    data.organisation()
    db.close()
    with as_attacker(engine) as conn:
        conn.exec_driver_sql("UPDATE audit_events SET summary = 'x' WHERE seq = 1")
    assert stored_events(db)[0]["summary"] == "x"
    refused = pytest.raises(sa.exc.DBAPIError, match="UPDATE refused")  # guarded again after
    with refused, engine.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_events SET summary = 'y' WHERE seq = 1")


def test_another_database_is_refused_rather_than_left_unguarded():
    class Elsewhere:
        dialect = type("Dialect", (), {"name": "mysql"})()

    with pytest.raises(guards.UnguardedDatabase, match="on mysql its audit log could not be"):
        guards.install(Elsewhere())
