"""Homecare monitoring visits (spot checks), their answers and agreed actions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from careobs.capture.records import CapturedRecord, ItemRating, ProposedAction, RatingCounts
from careobs.db import Base, UTCDateTime

if TYPE_CHECKING:
    from careobs.accounts.models import User
    from careobs.capture.addenda import Addendum
    from careobs.checklists.models import ChecklistVersion
    from careobs.org.models import StaffMember

VISIT_TYPES = {"announced": "Announced", "unannounced": "Unannounced", "responsive": "Responsive"}


class CopiedFromVisit:
    """A submitted visit's report row, with the visit's filter columns copied onto it so
    reports read one narrow index instead of joining every row to its visit."""

    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("monitoring_visits.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"))
    planned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    visit_type: Mapped[str] = mapped_column(sa.String(12))


class MonitoringVisit(CapturedRecord, RatingCounts, Base):
    """One spot check of a care worker's practice in a person's home (document ``spot_check``).

    The score, band and counts are stored with the visit when it is written, so reports
    aggregate visits rather than answer rows. The columns every captured record has (ids,
    status, revision, ...) are :class:`CapturedRecord`'s.
    """

    __tablename__ = "monitoring_visits"
    __table_args__ = (
        sa.Index("ix_monitoring_visits_service_planned", "service_id", "planned_at"),
        sa.Index("ix_monitoring_visits_staff_planned", "staff_id", "planned_at"),
        # Each worker's latest check for coverage (careobs.dashboards.coverage.workers), read
        # from the index alone on PostgreSQL: only scored submitted visits count as checks.
        sa.Index(
            "ix_monitoring_visits_staff_scored",
            "staff_id",
            "planned_at",
            postgresql_include=["id", "visit_type"],
            postgresql_where=sa.text("status = 'submitted' AND score IS NOT NULL"),
            sqlite_where=sa.text("status = 'submitted' AND score IS NOT NULL"),
        ),
        sa.CheckConstraint("status IN ('draft', 'submitted')", name="status_allowed"),
        sa.CheckConstraint(
            "visit_type IN ('announced', 'unannounced', 'responsive')", name="visit_type_allowed"
        ),
    )

    supervisor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_members.id"))
    person_code: Mapped[str] = mapped_column(sa.String(16))
    visit_type: Mapped[str] = mapped_column(sa.String(12))
    consent: Mapped[str] = mapped_column(sa.String(16))
    checklist_version_id: Mapped[int] = mapped_column(sa.ForeignKey("checklist_versions.id"))
    planned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    planned_minutes: Mapped[int]
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    satisfaction: Mapped[int | None]
    person_comment: Mapped[str] = mapped_column(sa.Text, default="")

    # Stored outcome (see the class docstring).
    score: Mapped[float | None] = mapped_column(sa.Float)
    band: Mapped[str | None] = mapped_column(sa.String(8))
    outcome: Mapped[str | None] = mapped_column(sa.String(60))
    points: Mapped[int] = mapped_column(default=0)
    possible: Mapped[int] = mapped_column(default=0)
    critical_failures: Mapped[int] = mapped_column(default=0)
    minutes_late: Mapped[float | None] = mapped_column(sa.Float)
    late: Mapped[bool] = mapped_column(default=False)
    shortfall_minutes: Mapped[float | None] = mapped_column(sa.Float)
    next_check_on: Mapped[date | None] = mapped_column(sa.Date)

    supervisor: Mapped[User] = relationship()
    staff: Mapped[StaffMember] = relationship()
    checklist_version: Mapped[ChecklistVersion] = relationship()
    answers: Mapped[list[VisitAnswer]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", passive_deletes=True
    )
    actions: Mapped[list[VisitAction]] = relationship(
        back_populates="visit",
        order_by="VisitAction.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    addenda: Mapped[list[Addendum]] = relationship(
        primaryjoin="and_(Addendum.record_kind == 'monitoring_visit', "
        "Addendum.visit_id == MonitoringVisit.id)",
        order_by="Addendum.created_at",
        viewonly=True,
    )

    @property
    def author_id(self) -> int:
        """The sync contract's name for whoever wrote the document."""
        return self.supervisor_id

    @property
    def visit_type_label(self) -> str:
        return VISIT_TYPES.get(self.visit_type, self.visit_type)


class VisitAnswer(ItemRating, Base):
    """The rating of one checklist item at one visit."""

    __tablename__ = "visit_answers"
    __table_args__ = (
        sa.UniqueConstraint("visit_id", "item_id"),
        sa.CheckConstraint("rating IN ('met', 'partly', 'not_met', 'na')", name="rating_allowed"),
    )

    visit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("monitoring_visits.id", ondelete="CASCADE"), index=True
    )

    visit: Mapped[MonitoringVisit] = relationship(back_populates="answers")


class VisitDomainScore(CopiedFromVisit, RatingCounts, Base):
    """A submitted visit's ratings counted per checklist domain, stored when it is submitted.

    ``service_id``, ``planned_at`` and ``visit_type`` are copied from the visit so the domain ×
    period grid of the dashboards reads one narrow index instead of joining every answer to its
    item and visit. Domains are identified by their ``key``, which stays the same across
    checklist versions.
    """

    __tablename__ = "visit_domain_scores"
    __table_args__ = (
        sa.UniqueConstraint("visit_id", "domain_key"),
        sa.Index("ix_visit_domain_scores_service_planned", "service_id", "planned_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    domain_key: Mapped[uuid.UUID] = mapped_column(sa.Uuid)


class VisitDomainPeriod(RatingCounts, Base):
    """The per-domain counts of :class:`VisitDomainScore` summed per service, local week or
    month (``grain``), visit type and domain: what the domain × period grid reads for whole
    periods, so a year across every service is a few thousand rows rather than every visit's.

    Kept up to date as each visit is submitted (submitted visits never change) and rebuilt by
    ``careobs.visits.rollups.rebuild``. ``period_start`` is a local date in the
    organisation's time zone.
    """

    __tablename__ = "visit_domain_periods"
    __table_args__ = (
        sa.UniqueConstraint(
            "service_id",
            "grain",
            "period_start",
            "visit_type",
            "domain_key",
            name="uq_visit_domain_periods_key",  # the generated name is too long for PostgreSQL
        ),
        sa.CheckConstraint("grain IN ('week', 'month')", name="grain_allowed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"))
    grain: Mapped[str] = mapped_column(sa.String(5))
    period_start: Mapped[date] = mapped_column(sa.Date)
    visit_type: Mapped[str] = mapped_column(sa.String(12))
    domain_key: Mapped[uuid.UUID] = mapped_column(sa.Uuid)


class VisitMissedItem(CopiedFromVisit, Base):
    """A checklist item rated Not met or Partly met at a submitted visit, stored for reports.

    Like :class:`VisitDomainScore` it copies the visit's filter columns, so "the most often
    missed items" counts a few rows per visit rather than every answer. Items are identified by
    their ``key``, stable across checklist versions.
    """

    __tablename__ = "visit_missed_items"
    __table_args__ = (
        sa.UniqueConstraint("visit_id", "item_key"),
        sa.Index("ix_visit_missed_items_service_planned", "service_id", "planned_at"),
        sa.CheckConstraint("rating IN ('partly', 'not_met')", name="rating_allowed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_key: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    rating: Mapped[str] = mapped_column(sa.String(8))


class VisitAction(ProposedAction, Base):
    """An action agreed at the visit: what, who owns it, by when."""

    __tablename__ = "visit_actions"
    __table_args__ = (sa.UniqueConstraint("visit_id", "uuid"),)

    visit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("monitoring_visits.id", ondelete="CASCADE"), index=True
    )

    visit: Mapped[MonitoringVisit] = relationship(back_populates="actions")
