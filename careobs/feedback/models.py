"""Written feedback to a care worker about their practice, and what they did with it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from careobs.db import Base, PublicIdMixin, UTCDateTime, utcnow

if TYPE_CHECKING:
    from careobs.accounts.models import User
    from careobs.compliments.models import Compliment
    from careobs.org.models import Service, StaffMember
    from careobs.quis.models import QuisSession
    from careobs.visits.models import MonitoringVisit


class Feedback(PublicIdMixin, Base):
    """Feedback addressed to one care worker, drafted from a QUIS session or a monitoring visit.

    The worker's read receipt, acknowledgement and reflection are stored here, so the author and
    managers can see whether it landed.
    """

    __tablename__ = "feedback"
    __table_args__ = (
        sa.Index("ix_feedback_staff_released", "staff_id", "released_at"),
        # One feedback per visit, and per member of staff and QUIS session (drafts are reused).
        sa.UniqueConstraint("visit_id"),
        sa.UniqueConstraint("quis_session_id", "staff_id"),
        # A compliment naming a worker becomes their feedback once (careobs.compliments).
        sa.UniqueConstraint("compliment_id", "staff_id"),
        sa.CheckConstraint("status IN ('draft', 'released')", name="status_allowed"),
    )

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"), index=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_members.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    quis_session_id: Mapped[int | None] = mapped_column(sa.ForeignKey("quis_sessions.id"))
    visit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("monitoring_visits.id"))
    compliment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("compliments.id"))
    went_well: Mapped[str] = mapped_column(sa.Text, default="")
    to_develop: Mapped[str] = mapped_column(sa.Text, default="")
    actions: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(10), default="draft")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply: Mapped[str] = mapped_column(sa.Text, default="")
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    service: Mapped[Service] = relationship()
    staff: Mapped[StaffMember] = relationship()
    author: Mapped[User] = relationship()
    quis_session: Mapped[QuisSession | None] = relationship()
    visit: Mapped[MonitoringVisit | None] = relationship()
    compliment: Mapped[Compliment | None] = relationship()

    @property
    def progress(self) -> str:
        """Where the feedback has got to, in the words the author sees."""
        if self.status == "draft":
            return "Draft"
        if self.replied_at:
            return "Replied"
        if self.acknowledged_at:
            return "Acknowledged"
        if self.read_at:
            return "Read"
        if self.staff.user is None:
            return "Not yet read: they have no login"
        if not self.staff.user.active:
            return "Not yet read: their login is deactivated"
        return "Not yet read"

    @property
    def reaches_worker(self) -> bool:
        """Whether the worker can log in to read it (and so was notified when it was released)."""
        user = self.staff.user
        return user is not None and user.active

    @property
    def source_label(self) -> str:
        if self.compliment_id:
            return "Compliment"
        return "Monitoring visit" if self.visit_id else "QUIS observation"

    @property
    def source_words(self) -> str:
        """Where it came from, to follow "after" or "from" in a sentence."""
        if self.compliment_id:
            return "a compliment"
        return "a monitoring visit" if self.visit_id else "a QUIS observation"
