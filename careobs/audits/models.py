"""Audits: one completed audit template about one subject, with its answers and agreed actions.

An audit is a document captured offline (kind ``audit``) like a monitoring visit, so it shares
:class:`CapturedRecord`'s columns and the sync's revision rules. Its subject is a person
supported (stored by id, exchanged with devices by code), a care worker, an area or the whole
service, as its template's ``subject_type`` says.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from careobs.capture.records import CapturedRecord, ItemRating, ProposedAction, RatingCounts
from careobs.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from careobs.accounts.models import User
    from careobs.checklists.models import ChecklistVersion
    from careobs.org.models import Area, Person, StaffMember


# The staff audits (submitted, not co-audits), and the columns read of them by the audits
# dashboard and the due list (their partial index).
STAFF_AUDITS_WHERE = "status = 'submitted' AND co_audit_with IS NULL"
STAFF_AUDIT_COLUMNS = (
    "id",
    "checklist_version_id",
    "subject_type",
    "person_id",
    "staff_id",
    "area_id",
    "score",
    "band",
)


class Audit(CapturedRecord, RatingCounts, Base):
    """One audit (document ``audit``): score, band and critical failure are stored when it is
    written, so reports read audits rather than answer rows."""

    __tablename__ = "audits"
    __table_args__ = (
        sa.Index("ix_audits_service_started", "service_id", "started_at"),
        # The staff audits the dashboard and the due list read: submitted, not co-audits. On
        # PostgreSQL it carries what they read of each audit, so it is read alone.
        sa.Index(
            "ix_audits_staff_started",
            "service_id",
            "started_at",
            postgresql_include=list(STAFF_AUDIT_COLUMNS),
            postgresql_where=sa.text(STAFF_AUDITS_WHERE),
            sqlite_where=sa.text(STAFF_AUDITS_WHERE),
        ),
        # The co-audits of a period (careobs.coaudits.queries), without reading the staff
        # audits among which they are a few.
        sa.Index(
            "ix_audits_co_audits_started",
            "service_id",
            "started_at",
            postgresql_where=sa.text("co_audit_with IS NOT NULL"),
            sqlite_where=sa.text("co_audit_with IS NOT NULL"),
        ),
        sa.CheckConstraint("status IN ('draft', 'submitted')", name="status_allowed"),
        sa.CheckConstraint(
            "(subject_type = 'person' AND person_id IS NOT NULL AND staff_id IS NULL"
            " AND area_id IS NULL)"
            " OR (subject_type = 'staff' AND staff_id IS NOT NULL AND person_id IS NULL"
            " AND area_id IS NULL)"
            " OR (subject_type = 'area' AND area_id IS NOT NULL AND person_id IS NULL"
            " AND staff_id IS NULL)"
            " OR (subject_type = 'service' AND person_id IS NULL AND staff_id IS NULL"
            " AND area_id IS NULL)",
            name="one_subject",
        ),
        sa.CheckConstraint(
            "(co_audit_with IS NULL AND compare_with IS NULL AND co_audit_person_id IS NULL)"
            " OR (co_audit_with = 'quality_checker' AND compare_with IS NOT NULL"
            " AND co_audit_person_id IS NULL)"
            " OR (co_audit_with = 'person' AND compare_with IS NOT NULL"
            " AND co_audit_person_id IS NOT NULL)",
            name="co_audit_whole",
        ),
    )

    auditor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    checklist_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("checklist_versions.id"), index=True
    )
    subject_type: Mapped[str] = mapped_column(sa.String(8))
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_members.id"), index=True)
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # A co-audit (issue 16): the same template completed with a person supported or by a quality
    # checker, compared with the staff audit ``compare_with`` names (its document id: it may
    # reach the server after the co-audit). Empty on a staff audit, which is what due dates,
    # the latest audit per subject and the audits dashboard's scores count.
    co_audit_with: Mapped[str | None] = mapped_column(sa.String(16))
    co_audit_person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    compare_with: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, index=True)
    # Answered on the easy-read form (Yes / Partly / No / Not sure, one question a screen).
    easy_read: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # With a person: they agreed to take part (the device records it before the first question).
    consent_given: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    # Stored outcome (see the class docstring); all empty while nothing applicable is rated.
    score: Mapped[float | None] = mapped_column(sa.Float)
    band: Mapped[str | None] = mapped_column(sa.String(8))
    points: Mapped[int] = mapped_column(default=0)
    possible: Mapped[int] = mapped_column(default=0)
    critical_failures: Mapped[int] = mapped_column(default=0)
    critical_fail: Mapped[bool] = mapped_column(default=False)

    auditor: Mapped[User] = relationship()
    checklist_version: Mapped[ChecklistVersion] = relationship()
    person: Mapped[Person | None] = relationship(foreign_keys=[person_id])
    co_audit_person: Mapped[Person | None] = relationship(foreign_keys=[co_audit_person_id])
    staff: Mapped[StaffMember | None] = relationship()
    area: Mapped[Area | None] = relationship()
    answers: Mapped[list[AuditAnswer]] = relationship(
        back_populates="audit", cascade="all, delete-orphan", passive_deletes=True
    )
    actions: Mapped[list[AuditAction]] = relationship(
        back_populates="audit",
        order_by="AuditAction.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def author_id(self) -> int:
        """The sync contract's name for whoever wrote the document."""
        return self.auditor_id

    @property
    def is_co_audit(self) -> bool:
        return self.co_audit_with is not None

    @property
    def subject_text(self) -> str:
        """What was audited, as people say it: "R07", "Hal Homecare", "Lounge", "the service"."""
        if self.person is not None:
            return self.person.code
        if self.staff is not None:
            return self.staff.name
        if self.area is not None:
            return self.area.name
        return "the service"


class AuditAnswer(ItemRating, Base):
    """The rating of one template item in one audit."""

    __tablename__ = "audit_answers"
    __table_args__ = (
        sa.UniqueConstraint("audit_id", "item_id"),
        sa.CheckConstraint("rating IN ('met', 'partly', 'not_met', 'na')", name="rating_allowed"),
        # The most often failed items read only the answers that are not Met (a small share).
        sa.Index(
            "ix_audit_answers_not_met",
            "audit_id",
            "item_id",
            "rating",
            sqlite_where=sa.text("rating <> 'met'"),
            postgresql_where=sa.text("rating <> 'met'"),
        ),
    )

    audit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("audits.id", ondelete="CASCADE"), index=True
    )

    audit: Mapped[Audit] = relationship(back_populates="answers")


class AuditAction(ProposedAction, Base):
    """An action proposed in the audit; on submission it becomes an improvement action, once."""

    __tablename__ = "audit_actions"
    __table_args__ = (sa.UniqueConstraint("audit_id", "uuid"),)

    audit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("audits.id", ondelete="CASCADE"), index=True
    )

    audit: Mapped[Audit] = relationship(back_populates="actions")


class AuditLatest(Base):
    """The newest submitted audit of each (service, template, subject): the one started last,
    ties to the one stored last (the larger id), as the audits dashboard ranks them.

    Kept in the transaction that stores a submitted audit (careobs.audits.service), by one
    INSERT … ON CONFLICT DO UPDATE that replaces the row only with a newer audit, so two audits
    of one subject stored at once keep the newer whichever commits first. ``subject_id`` is the
    person's, care worker's or area's id, 0 for the whole service; ``started_at`` is the audit's,
    copied so the comparison needs no join.
    """

    __tablename__ = "audit_latest"

    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"), primary_key=True)
    checklist_id: Mapped[int] = mapped_column(sa.ForeignKey("checklists.id"), primary_key=True)
    subject_type: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    subject_id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("audits.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CoAuditFollowUp(Base):
    """A difference between a co-audit and its staff audit that someone followed up: the action
    it became. One per co-audit and item, so a second tap (or a second device) finds the first."""

    __tablename__ = "co_audit_follow_ups"
    __table_args__ = (sa.UniqueConstraint("audit_id", "item_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The co-audit (not the staff audit it is compared with).
    audit_id: Mapped[int] = mapped_column(sa.ForeignKey("audits.id", ondelete="CASCADE"))
    item_key: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("actions.id"), unique=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
