"""Audit schedules and audit champions: which templates run how often in a service, and which
care workers may complete which templates there (issue 15).

A schedule says "in this service, this template, every N days, from this date": its subjects
are whoever or whatever the template audits — every active person of the service, every active
area, every active care worker, or the service itself. What is due is computed from the
submitted audits (careobs.audits.due), so there is nothing to close by hand. A template has at
most one schedule per service (a unique constraint: two managers adding it at once get one);
stopping it keeps the row, and adding it again starts it anew.

A champion assignment names a care worker with a login, a service and a template: that user may
complete audits of that template in that service, and nothing more (careobs.permissions.audits).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from careobs.audit.service import record_about
from careobs.checklists.models import Checklist
from careobs.db import Base, PublicIdMixin, UTCDateTime, utcnow

if TYPE_CHECKING:
    from careobs.accounts.models import User
    from careobs.checklists.models import Checklist
    from careobs.org.models import Service

MIN_FREQUENCY_DAYS = 1
MAX_FREQUENCY_DAYS = 366


class AuditSchedule(PublicIdMixin, Base):
    """One template run every ``frequency_days`` in one service, from ``starts_on``."""

    __tablename__ = "audit_schedules"
    __table_args__ = (
        sa.UniqueConstraint("service_id", "checklist_id"),
        sa.CheckConstraint(
            f"frequency_days BETWEEN {MIN_FREQUENCY_DAYS} AND {MAX_FREQUENCY_DAYS}",
            name="frequency_range",
        ),
    )

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"), index=True)
    checklist_id: Mapped[int] = mapped_column(sa.ForeignKey("checklists.id"), index=True)
    frequency_days: Mapped[int]
    starts_on: Mapped[date] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    service: Mapped[Service] = relationship()
    checklist: Mapped[Checklist] = relationship()

    @property
    def active(self) -> bool:
        return self.stopped_at is None


class AuditChampion(PublicIdMixin, Base):
    """A care worker (a user) who may complete audits of one template in one service."""

    __tablename__ = "audit_champions"
    __table_args__ = (sa.UniqueConstraint("service_id", "checklist_id", "user_id"),)

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"), index=True)
    checklist_id: Mapped[int] = mapped_column(sa.ForeignKey("checklists.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    service: Mapped[Service] = relationship()
    checklist: Mapped[Checklist] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


# --- schedules -----------------------------------------------------------------------------------


def schedules_of(db: Session, service_id: int, *, active_only: bool = False):
    """The service's schedules, by template name."""
    stmt = (
        sa.select(AuditSchedule)
        .join(Checklist, Checklist.id == AuditSchedule.checklist_id)
        .where(AuditSchedule.service_id == service_id)
        .order_by(Checklist.name)
    )
    if active_only:
        stmt = stmt.where(AuditSchedule.stopped_at.is_(None))
    return list(db.scalars(stmt))


def add_schedule(
    db: Session, service: Service, template: Checklist, frequency_days: int, starts_on: date, actor
) -> tuple[AuditSchedule, bool]:
    """Schedule ``template`` in ``service`` (or start a stopped schedule again); returns the
    schedule and whether anything changed. The caller commits.

    Two sessions adding the same schedule at once: the unique constraint lets one insert win;
    the other finds the winner's row and changes nothing.
    """
    existing = _schedule_for(db, service.id, template.id)
    if existing is None:
        schedule = AuditSchedule(
            organisation_id=service.organisation_id,
            service_id=service.id,
            checklist_id=template.id,
            frequency_days=frequency_days,
            starts_on=starts_on,
            created_by_id=actor.id,
        )
        try:
            with db.begin_nested():
                db.add(schedule)
                db.flush()
        except IntegrityError:
            existing = _schedule_for(db, service.id, template.id)
            return existing, False
        _log(db, "audit_schedule.add", schedule, actor, template, service, frequency_days)
        return schedule, True
    if existing.active:
        return existing, False
    existing.stopped_at = None
    existing.frequency_days = frequency_days
    existing.starts_on = starts_on
    _log(db, "audit_schedule.restart", existing, actor, template, service, frequency_days)
    return existing, True


def change_frequency(db: Session, schedule: AuditSchedule, frequency_days: int, actor) -> bool:
    """Change how often a schedule runs; what is due follows at once (from the last audit)."""
    if schedule.frequency_days == frequency_days:
        return False
    previous = schedule.frequency_days
    schedule.frequency_days = frequency_days
    record_about(
        db,
        "audit_schedule.change",
        schedule,
        actor=actor,
        summary=f"{schedule.checklist.name} at {schedule.service.name}: every {previous} days"
        f" → every {frequency_days} days",
    )
    return True


def stop_schedule(db: Session, schedule: AuditSchedule, actor) -> bool:
    """Stop a schedule: nothing of it is due any more (its audits are kept)."""
    if not schedule.active:
        return False
    schedule.stopped_at = utcnow()
    record_about(
        db,
        "audit_schedule.stop",
        schedule,
        actor=actor,
        summary=f"{schedule.checklist.name} at {schedule.service.name} stopped",
    )
    return True


def _schedule_for(db: Session, service_id: int, checklist_id: int) -> AuditSchedule | None:
    return db.scalar(
        sa.select(AuditSchedule).where(
            AuditSchedule.service_id == service_id, AuditSchedule.checklist_id == checklist_id
        )
    )


def _log(db, action, schedule, actor, template, service, frequency_days) -> None:
    record_about(
        db,
        action,
        schedule,
        actor=actor,
        summary=f"{template.name} at {service.name} every {frequency_days} days"
        f" from {schedule.starts_on:%-d %b %Y}",
    )
