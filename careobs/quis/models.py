"""QUIS observation sessions and their interactions, as synced from supervisors' devices."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from careobs.capture.records import CapturedRecord
from careobs.db import Base, UTCDateTime

if TYPE_CHECKING:
    from careobs.accounts.models import User
    from careobs.capture.addenda import Addendum
    from careobs.org.models import Area, StaffMember

CONTEXTS = {
    "mealtime": "Mealtime",
    "activity": "Activity",
    "personal_care": "Personal care",
    "medication": "Medication round",
    "quiet_time": "Quiet time",
    "other": "Other",
}


class QuisSession(CapturedRecord, Base):
    """One observation session: a document whose id the observer's device generated.

    The per-category counts and observed person-minutes are stored with the session whenever it
    is written, so reports aggregate sessions rather than millions of interaction rows. The
    columns every captured record has (ids, status, revision, ...) are :class:`CapturedRecord`'s.
    """

    __tablename__ = "quis_sessions"
    __table_args__ = (
        sa.Index("ix_quis_sessions_service_started", "service_id", "started_at"),
        sa.CheckConstraint("status IN ('draft', 'submitted')", name="status_allowed"),
    )

    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id"))
    observer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    context: Mapped[str] = mapped_column(sa.String(20))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    planned_minutes: Mapped[int]
    frame_minutes: Mapped[int]
    people: Mapped[list] = mapped_column(sa.JSON)
    staff_on_duty: Mapped[int | None]
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    # Stored aggregates (see the class docstring).
    n_ps: Mapped[int] = mapped_column(default=0)
    n_pc: Mapped[int] = mapped_column(default=0)
    n_n: Mapped[int] = mapped_column(default=0)
    n_np: Mapped[int] = mapped_column(default=0)
    n_nr: Mapped[int] = mapped_column(default=0)
    people_count: Mapped[int] = mapped_column(default=0)
    people_with_negative: Mapped[int] = mapped_column(default=0)
    observed_minutes: Mapped[float] = mapped_column(sa.Float, default=0.0)
    person_minutes: Mapped[float] = mapped_column(sa.Float, default=0.0)

    area: Mapped[Area | None] = relationship()
    observer: Mapped[User] = relationship()
    interactions: Mapped[list[QuisInteraction]] = relationship(
        back_populates="session",
        order_by="QuisInteraction.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    addenda: Mapped[list[Addendum]] = relationship(
        primaryjoin="and_(Addendum.record_kind == 'quis_session', "
        "Addendum.quis_session_id == QuisSession.id)",
        order_by="Addendum.created_at",
        viewonly=True,
    )

    @property
    def context_label(self) -> str:
        return CONTEXTS.get(self.context, self.context)

    @property
    def author_id(self) -> int:
        """The sync contract's name for whoever wrote the document."""
        return self.observer_id

    @property
    def interaction_count(self) -> int:
        return self.n_ps + self.n_pc + self.n_n + self.n_np + self.n_nr


class QuisInteraction(Base):
    """One coded interaction between staff and one or more people supported."""

    __tablename__ = "quis_interactions"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "uuid"),
        sa.CheckConstraint("category IN ('PS', 'PC', 'N', 'NP', 'NR')", name="category_allowed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("quis_sessions.id", ondelete="CASCADE"), index=True
    )
    uuid: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    position: Mapped[int]
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    people: Mapped[list] = mapped_column(sa.JSON)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_members.id"))
    category: Mapped[str] = mapped_column(sa.String(2))
    initiated_by: Mapped[str | None] = mapped_column(sa.String(8))
    communication: Mapped[str | None] = mapped_column(sa.String(8))
    negative_reason: Mapped[str | None] = mapped_column(sa.String(40))
    note: Mapped[str] = mapped_column(sa.Text, default="")

    session: Mapped[QuisSession] = relationship(back_populates="interactions")
    staff: Mapped[StaffMember | None] = relationship()
