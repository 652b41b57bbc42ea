"""What a manager asks a quality checker to do: co-audit one staff audit, or hold the
conversation with one person a draw of people picked.

A quality checker sees and completes only what is assigned to them here, in services where they
hold the role (careobs.permissions.checkers decides); they never see staff names, feedback or
dashboards.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from careobs.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from careobs.accounts.models import User
    from careobs.audits.models import Audit
    from careobs.org.models import Person, Service
    from careobs.selection.models import SelectionDraw

KINDS = {"co_audit": "Co-audit", "conversation": "Conversation"}


class CheckerAssignment(Base):
    """One piece of work for one quality checker in one service.

    ``co_audit``: co-audit the staff audit ``audit_id`` (same template, same subject);
    ``conversation``: talk with ``person_id``, picked by the draw ``draw_id``. A staff audit may
    be given to several checkers, a drawn person to one.
    """

    __tablename__ = "checker_assignments"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('co_audit', 'conversation')", name="kind_allowed"),
        sa.CheckConstraint(
            "(kind = 'co_audit' AND audit_id IS NOT NULL AND draw_id IS NULL"
            " AND person_id IS NULL)"
            " OR (kind = 'conversation' AND audit_id IS NULL AND draw_id IS NOT NULL"
            " AND person_id IS NOT NULL)",
            name="one_task",
        ),
        sa.UniqueConstraint("audit_id", "user_id"),
        sa.UniqueConstraint("draw_id", "person_id"),
        sa.Index("ix_checker_assignments_user_service", "user_id", "service_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    audit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("audits.id", ondelete="CASCADE"))
    draw_id: Mapped[int | None] = mapped_column(sa.ForeignKey("selection_draws.id"))
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    service: Mapped[Service] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    audit: Mapped[Audit | None] = relationship()
    draw: Mapped[SelectionDraw | None] = relationship()
    person: Mapped[Person | None] = relationship()

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]
