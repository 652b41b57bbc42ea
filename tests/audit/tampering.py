"""Reading the audit chain back, and tampering with it as an attacker with database rights."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from careobs.audit import guards
from careobs.audit.models import AuditChainHead, AuditEvent


def stored_events(db) -> list[dict]:
    """Every audit event as stored, in seq order (freshly read)."""
    db.expire_all()
    return [dict(r._mapping) for r in db.execute(sa.select(AuditEvent.__table__).order_by("seq"))]


def head(db) -> tuple[int, str]:
    """The chain head's (seq, hash)."""
    db.expire_all()
    return tuple(db.execute(sa.select(AuditChainHead.seq, AuditChainHead.hash)).one())


@contextmanager
def as_attacker(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection on which the guarding triggers do not fire, as for someone with the rights
    to get round them (the only way to change the log; careobs never does): on PostgreSQL the
    superuser's ``session_replication_role = replica`` (ordinary triggers off, in this
    connection only); on SQLite the triggers are dropped, and put back afterwards."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        else:
            guards.remove(conn)
        yield conn
        if conn.dialect.name == "sqlite":
            guards.install(conn)
