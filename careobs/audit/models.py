"""The append-only audit log: who did what to which record, when, and from where."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from careobs.audit import guards
from careobs.audit.chain import GENESIS
from careobs.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from careobs.accounts.models import User


class AuditEvent(Base):
    """One thing that happened. Rows are only ever inserted, never updated or deleted.

    ``seq`` is the event's place in one chain over every organisation (contiguous from 1) and
    ``hash`` covers its contents and ``prev_hash``, the hash of the event before it
    (careobs.audit.chain); careobs.audit.service assigns all three as the event is inserted.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_org_at", "organisation_id", "at"),
        sa.Index("ix_audit_events_entity", "entity_type", "entity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    entity_type: Mapped[str | None] = mapped_column(sa.String(40))
    entity_id: Mapped[str | None] = mapped_column(sa.String(64))
    summary: Mapped[str] = mapped_column(sa.String(300), default="")
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seq: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))

    actor: Mapped[User | None] = relationship()


class AuditChainHead(Base):
    """The chain's last link: one row (id 1), the ``seq`` and ``hash`` of the newest event.

    Writers take its row lock (by updating it) before chaining their events, so events are
    chained one transaction at a time; ``careobs audit verify`` compares it with the last event
    found, which is how a removed tail of the log shows.
    """

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(sa.BigInteger)
    hash: Mapped[str] = mapped_column(sa.String(64))


# A database built from the models (``create_all``) gets what the migration gives one: the
# triggers that refuse changes to audit events, and the head of an empty chain.
event.listen(
    AuditEvent.__table__, "after_create", lambda _t, connection, **_kw: guards.install(connection)
)
event.listen(
    AuditChainHead.__table__,
    "after_create",
    lambda table, connection, **_kw: connection.execute(
        table.insert().values(id=1, seq=0, hash=GENESIS)
    ),
)


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete an audit event."""


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _context, _instances) -> None:
    """The audit log is evidence: once written, an event is never changed or removed."""
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsAppendOnly("Audit events cannot be changed or deleted.")
