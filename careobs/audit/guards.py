"""The database's own refusal to change the audit log: triggers that stop UPDATE and DELETE of an
audit event (and TRUNCATE on PostgreSQL), whatever the client.

One definition serves the migration that installs them, ``Base.metadata.create_all`` (the models
attach it to the table's creation) and the test suite's fresh audit table. The ORM's own refusal
(careobs.audit.models) stays: it names the mistake in the code that made it, before any SQL.
Nothing in careobs updates or deletes an audit event, the purge included; an attacker with the
rights to drop these triggers is caught by the hash chain instead (``careobs audit verify``).
"""

from __future__ import annotations

import sqlalchemy as sa

TABLE = "audit_events"
MESSAGE = "audit events are evidence: they cannot be changed or deleted"

_POSTGRESQL_INSTALL = (
    f"""
    CREATE OR REPLACE FUNCTION careobs_refuse_audit_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING
            MESSAGE = TG_OP || ' refused on {TABLE}: {MESSAGE}',
            ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    f"""
    CREATE TRIGGER audit_events_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION careobs_refuse_audit_change()
    """,
    f"""
    CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION careobs_refuse_audit_change()
    """,
)
_POSTGRESQL_REMOVE = (
    f"DROP TRIGGER IF EXISTS audit_events_no_truncate ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_events_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS careobs_refuse_audit_change()",
)
_SQLITE_INSTALL = tuple(
    f"""
    CREATE TRIGGER audit_events_no_{operation.lower()}
    BEFORE {operation} ON {TABLE}
    BEGIN
        SELECT RAISE(ABORT, '{operation} refused on {TABLE}: {MESSAGE}');
    END
    """
    for operation in ("UPDATE", "DELETE")
)
_SQLITE_REMOVE = tuple(
    f"DROP TRIGGER IF EXISTS audit_events_no_{operation}" for operation in ("update", "delete")
)


# Each database careobs runs on: the statements that install, and that remove, its guards.
GUARDS = {
    "postgresql": (_POSTGRESQL_INSTALL, _POSTGRESQL_REMOVE),
    "sqlite": (_SQLITE_INSTALL, _SQLITE_REMOVE),
}


class UnguardedDatabase(RuntimeError):
    """careobs was pointed at a database it cannot guard the audit log on."""


def install(connection: sa.Connection) -> None:
    """Add the triggers to the audit table (the table must exist)."""
    for statement in _guards(connection)[0]:
        connection.exec_driver_sql(statement)


def remove(connection: sa.Connection) -> None:
    """Take the triggers away again (a migration's downgrade)."""
    for statement in _guards(connection)[1]:
        connection.exec_driver_sql(statement)


def _guards(connection: sa.Connection) -> tuple[tuple, tuple]:
    """The dialect's guards. Another database is refused rather than left with an audit log
    anyone could change (careobs runs on SQLite and PostgreSQL only)."""
    name = connection.dialect.name
    if name not in GUARDS:
        raise UnguardedDatabase(
            f"careobs runs on SQLite or PostgreSQL; on {name} its audit log could not be"
            " guarded against changes"
        )
    return GUARDS[name]
