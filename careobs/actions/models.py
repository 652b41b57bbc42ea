"""Improvement actions, their progress notes and the targeted re-checks they book."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from careobs.db import Base, PublicIdMixin, UTCDateTime, utcnow
from careobs.org.models import owner_name

if TYPE_CHECKING:
    from careobs.accounts.models import User
    from careobs.audits.models import Audit, AuditAction
    from careobs.org.models import Service, StaffMember
    from careobs.quis.models import QuisSession
    from careobs.selfassess.models import SelfAssessmentStatement
    from careobs.visits.models import MonitoringVisit, VisitAction

STATUSES = {
    "open": "Open",
    "in_progress": "In progress",
    "done": "Done",
    "cancelled": "Cancelled",
}
CLOSED = ("done", "cancelled")
SOURCES = {
    "manual": "Added by hand",
    "quis": "QUIS observation",
    "visit": "Monitoring visit",
    "audit": "Audit",
    "voice": "Conversation (people's voice)",
    "self_assessment": "Self-assessment gap",
}


class Action(PublicIdMixin, Base):
    """Something someone will do to improve care, with an owner and a due date.

    The owner is either a user (a manager or supervisor) or a member of staff (a care worker,
    who may have no login); an action agreed at a visit may have no owner at all.
    """

    __tablename__ = "actions"
    __table_args__ = (
        sa.Index("ix_actions_service_status_due", "service_id", "status", "due_on"),
        sa.CheckConstraint(
            "status IN ('open', 'in_progress', 'done', 'cancelled')", name="status_allowed"
        ),
        sa.CheckConstraint(
            "source IN ('manual', 'quis', 'visit', 'audit', 'voice', 'self_assessment')",
            name="source_allowed",
        ),
        sa.CheckConstraint("owner_user_id IS NULL OR owner_staff_id IS NULL", name="one_owner"),
        sa.Index(
            "uq_actions_live_gap",
            "self_assessment_statement_id",
            unique=True,
            sqlite_where=sa.text("status != 'cancelled'"),
            postgresql_where=sa.text("status != 'cancelled'"),
        ),
    )

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"))
    description: Mapped[str] = mapped_column(sa.Text)
    owner_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    owner_staff_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_members.id"), index=True
    )
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(12), default="open")
    cqc_tags: Mapped[list] = mapped_column(sa.JSON, default=list)
    # The measure the action is meant to move (careobs.actions.measures), or None.
    measure: Mapped[dict | None] = mapped_column(sa.JSON(none_as_null=True))
    source: Mapped[str] = mapped_column(sa.String(16), default="manual")
    quis_session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("quis_sessions.id"), index=True
    )
    visit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("monitoring_visits.id"), index=True)
    # Unique: a visit's agreed action becomes one Action however often the visit is re-sent.
    visit_action_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("visit_actions.id"), unique=True
    )
    audit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("audits.id"), index=True)
    # Unique for the same reason: an audit's proposed action becomes one Action.
    audit_action_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("audit_actions.id"), unique=True
    )
    # The self-assessment gap (a statement scored 1 or 2) this action answers. A gap has one
    # live action, however many managers raise it at once (the partial unique index below); a
    # cancelled one stays linked to it, and another may then be raised.
    self_assessment_statement_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("self_assessment_statements.id"), index=True
    )
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    service: Mapped[Service] = relationship()
    owner_user: Mapped[User | None] = relationship(foreign_keys=[owner_user_id])
    owner_staff: Mapped[StaffMember | None] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    quis_session: Mapped[QuisSession | None] = relationship()
    visit: Mapped[MonitoringVisit | None] = relationship()
    visit_action: Mapped[VisitAction | None] = relationship()
    audit: Mapped[Audit | None] = relationship()
    audit_action: Mapped[AuditAction | None] = relationship()
    self_assessment_statement: Mapped[SelfAssessmentStatement | None] = relationship()
    notes: Mapped[list[ActionNote]] = relationship(
        back_populates="action", order_by="ActionNote.created_at"
    )
    rechecks: Mapped[list[RecheckBooking]] = relationship(
        back_populates="action", order_by="RecheckBooking.created_at"
    )

    @property
    def owner_name(self) -> str:
        return owner_name(self.owner_staff, self.owner_user)

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]

    @property
    def source_label(self) -> str:
        return SOURCES[self.source]

    def is_overdue(self, today: date) -> bool:
        """Past its due date and still open or in progress (due today is not yet overdue)."""
        return self.due_on is not None and self.due_on < today and self.status not in CLOSED


class ActionNote(Base):
    """A progress note on an action, and the status change made with it, if any."""

    __tablename__ = "action_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("actions.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    from_status: Mapped[str | None] = mapped_column(sa.String(12))
    to_status: Mapped[str | None] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    action: Mapped[Action] = relationship(back_populates="notes")
    author: Mapped[User] = relationship()

    @property
    def change_label(self) -> str:
        if self.to_status is None:
            return ""
        return f"{STATUSES[self.from_status]} → {STATUSES[self.to_status]}"


class RecheckBooking(PublicIdMixin, Base):
    """A targeted re-check: a monitoring visit due for one care worker by a date, focused on
    named checklist items (by their ``key``, stable across checklist versions).

    It is booked for one of two reasons, exactly one of which it names: by hand from an
    improvement ``action`` (fulfilled by the worker's next submitted, scored visit on or after
    the day it was booked), or by a red visit, ``after_visit`` (fulfilled by the worker's next
    scored visit after that one). A red visit books at most one re-check, however often it is
    sent (``after_visit_id`` is unique).
    """

    __tablename__ = "recheck_bookings"
    __table_args__ = (
        sa.Index("ix_recheck_bookings_staff_due", "staff_id", "due_by"),
        sa.CheckConstraint("(action_id IS NULL) <> (after_visit_id IS NULL)", name="one_reason"),
    )

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    action_id: Mapped[int | None] = mapped_column(sa.ForeignKey("actions.id"), index=True)
    after_visit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("monitoring_visits.id"), unique=True
    )
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_members.id"))
    due_by: Mapped[date] = mapped_column(sa.Date)
    focus_item_keys: Mapped[list] = mapped_column(sa.JSON, default=list)
    booked_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fulfilled_by_visit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("monitoring_visits.id"), index=True
    )
    fulfilled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    action: Mapped[Action | None] = relationship(back_populates="rechecks")
    after_visit: Mapped[MonitoringVisit | None] = relationship(foreign_keys=[after_visit_id])
    staff: Mapped[StaffMember] = relationship()
    booked_by: Mapped[User] = relationship()
    fulfilled_by_visit: Mapped[MonitoringVisit | None] = relationship(
        foreign_keys=[fulfilled_by_visit_id]
    )
