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


# The sessions the dashboard counts, and the columns it reads of them (its partial index).
COUNTED_WHERE = "status = 'submitted' AND (pair_role IS NULL OR pair_role = 'lead')"
DASHBOARD_COLUMNS = (
    "context",
    "area_id",
    "n_ps",
    "n_pc",
    "n_n",
    "n_np",
    "n_nr",
    "people_count",
    "people_with_negative",
    "person_minutes",
    "observed_minutes",
)


class QuisSession(CapturedRecord, Base):
    """One observation session: a document whose id the observer's device generated.

    The per-category counts and observed person-minutes are stored with the session whenever it
    is written, so reports aggregate sessions rather than millions of interaction rows. The
    columns every captured record has (ids, status, revision, ...) are :class:`CapturedRecord`'s.
    """

    __tablename__ = "quis_sessions"
    __table_args__ = (
        sa.Index("ix_quis_sessions_service_started", "service_id", "started_at"),
        # The dashboard's sessions: submitted and counted (a pair once, by its lead's record).
        # On PostgreSQL it carries every column the dashboard sums, so it is read alone.
        sa.Index(
            "ix_quis_sessions_counted_started",
            "service_id",
            "started_at",
            postgresql_include=list(DASHBOARD_COLUMNS),
            postgresql_where=sa.text(COUNTED_WHERE),
            sqlite_where=sa.text(COUNTED_WHERE),
        ),
        sa.CheckConstraint("status IN ('draft', 'submitted')", name="status_allowed"),
        # One lead and one second observer per pair; a session is in a pair with a role or in
        # none.
        sa.UniqueConstraint("pair_id", "pair_role", name="uq_quis_sessions_pair_role"),
        sa.CheckConstraint("pair_role IN ('lead', 'second')", name="pair_role_allowed"),
        sa.CheckConstraint("(pair_id IS NULL) = (pair_role IS NULL)", name="pair_whole"),
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
    # A paired observation (issue 17): the pair this session belongs to and its observer's part.
    # Dashboards and metrics count the lead's record only (COUNTED).
    pair_id: Mapped[int | None] = mapped_column(sa.ForeignKey("quis_pairs.id"), index=True)
    pair_role: Mapped[str | None] = mapped_column(sa.String(6))

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
    pair: Mapped[QuisPair | None] = relationship(back_populates="sessions")
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


# The sessions the figures count: a paired observation once, as its lead recorded it (the second
# observer's session is for calibration only).
COUNTED = sa.or_(QuisSession.pair_role.is_(None), QuisSession.pair_role == "lead")


class QuisPair(Base):
    """Two observers recording the same period independently, each on their own device.

    ``uuid`` is the pair id both sessions' documents carry. The pair comes into being with the
    first of them to reach the server (or when the lead's device announces it online, so a
    second observer can pick it from a list). Once both sessions are submitted the calibration
    result is written here, with the tolerance it was matched under, so it never changes after.
    """

    __tablename__ = "quis_pairs"
    __table_args__ = (
        sa.Index("ix_quis_pairs_service_created", "service_id", "created_at"),
        sa.CheckConstraint("matched >= 0 AND lead_only >= 0 AND second_only >= 0", name="counts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"))
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id"))
    code: Mapped[str | None] = mapped_column(sa.String(12))  # the short code the lead shows
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The result, once both sessions are submitted (all None until then).
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tolerance_seconds: Mapped[int | None]
    matched: Mapped[int | None]
    lead_only: Mapped[int | None]
    second_only: Mapped[int | None]
    confusion: Mapped[list | None] = mapped_column(sa.JSON)  # 5×5, lead in rows, PS…NR
    kappa_a4: Mapped[float | None] = mapped_column(sa.Float)  # the headline, for over-time views

    sessions: Mapped[list[QuisSession]] = relationship(back_populates="pair")
