"""The append-only audit log: who did what to which record, when, and from where."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from careobs.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from careobs.accounts.models import User


class AuditEvent(Base):
    """One thing that happened. Rows are only ever inserted, never updated or deleted."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_org_at", "organisation_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    entity_type: Mapped[str | None] = mapped_column(sa.String(40))
    entity_id: Mapped[str | None] = mapped_column(sa.String(64))
    summary: Mapped[str] = mapped_column(sa.String(300), default="")
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete an audit event."""


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _context, _instances) -> None:
    """The audit log is evidence: once written, an event is never changed or removed."""
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsAppendOnly("Audit events cannot be changed or deleted.")
