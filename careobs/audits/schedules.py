"""Audit schedules and audit champions: which templates run how often in a service, and which
care workers may complete which templates there (issue 15).

A schedule says "in this service, this template, every N days, from this date": its subjects
are whoever or whatever the template audits — every active person of the service, every active
area, every active care worker, or the service itself. What is due is computed from the
submitted audits (careobs.audits.due), so there is nothing to close by hand. A template has at
most one schedule per service (a unique constraint: two managers adding it at once get one);
stopping it keeps the row, and adding it again starts it anew.

Each schedule keeps the history of its frequency (``audit_schedule_frequencies``): one row from
its start when it is added or restarted, and one per change from the organisation's today (a
second change the same day replaces that day's row), so that what fell due in the past keeps the
frequency of its time (careobs.audits.due). ``AuditSchedule.frequency_days`` is the current one.

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
from careobs.org.service import organisation_today

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


class AuditScheduleFrequency(Base):
    """How often a schedule ran from ``from_on`` (until the next row of the same schedule)."""

    __tablename__ = "audit_schedule_frequencies"
    __table_args__ = (
        sa.UniqueConstraint("schedule_id", "from_on"),
        sa.CheckConstraint(
            f"frequency_days BETWEEN {MIN_FREQUENCY_DAYS} AND {MAX_FREQUENCY_DAYS}",
            name="frequency_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(sa.ForeignKey("audit_schedules.id"))
    from_on: Mapped[date] = mapped_column(sa.Date)
    frequency_days: Mapped[int]


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
    the other finds the winner's row and changes nothing. Two restarting it at once: the second
    waits for the first (the row is locked) and then finds it running.
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
                db.add(
                    AuditScheduleFrequency(
                        schedule_id=schedule.id, from_on=starts_on, frequency_days=frequency_days
                    )
                )
                db.flush()
        except IntegrityError:
            existing = _schedule_for(db, service.id, template.id)
            return existing, False
        _log(db, "audit_schedule.add", schedule, actor, template, service, frequency_days)
        return schedule, True
    _lock(db, existing)
    if existing.active:
        return existing, False
    existing.stopped_at = None
    existing.frequency_days = frequency_days
    existing.starts_on = starts_on
    # Started anew: its history from the new start is this frequency alone.
    db.execute(
        sa.delete(AuditScheduleFrequency).where(
            AuditScheduleFrequency.schedule_id == existing.id,
            AuditScheduleFrequency.from_on >= starts_on,
        )
    )
    db.add(
        AuditScheduleFrequency(
            schedule_id=existing.id, from_on=starts_on, frequency_days=frequency_days
        )
    )
    db.flush()
    _log(db, "audit_schedule.restart", existing, actor, template, service, frequency_days)
    return existing, True


def change_frequency(db: Session, schedule: AuditSchedule, frequency_days: int, actor) -> bool:
    """Change how often a schedule runs from the organisation's today (or from its start, when
    it has not started yet): what is still pending follows at once, what fell due before keeps
    the frequency of its time (careobs.audits.due).

    Two managers changing it at once: the second waits for the first (the row is locked), then
    changes it from the first one's value; today's history row is the last one written.
    """
    _lock(db, schedule)
    if schedule.frequency_days == frequency_days:
        return False
    previous = schedule.frequency_days
    schedule.frequency_days = frequency_days
    from_on = max(organisation_today(db, schedule.organisation_id), schedule.starts_on)
    row = db.scalar(
        sa.select(AuditScheduleFrequency).where(
            AuditScheduleFrequency.schedule_id == schedule.id,
            AuditScheduleFrequency.from_on == from_on,
        )
    )
    if row is None:
        db.add(
            AuditScheduleFrequency(
                schedule_id=schedule.id, from_on=from_on, frequency_days=frequency_days
            )
        )
    else:
        row.frequency_days = frequency_days
    db.flush()
    record_about(
        db,
        "audit_schedule.change",
        schedule,
        actor=actor,
        summary=f"{schedule.checklist.name} at {schedule.service.name}: every {previous} days"
        f" → every {frequency_days} days",
    )
    return True


def frequency_history(db: Session, schedule_ids: list[int]) -> dict[int, list[tuple[date, int]]]:
    """Each schedule's (from, frequency) rows in date order (one query)."""
    found: dict[int, list[tuple[date, int]]] = {i: [] for i in schedule_ids}
    if not schedule_ids:
        return found
    for schedule_id, from_on, days in db.execute(
        sa.select(
            AuditScheduleFrequency.schedule_id,
            AuditScheduleFrequency.from_on,
            AuditScheduleFrequency.frequency_days,
        )
        .where(AuditScheduleFrequency.schedule_id.in_(schedule_ids))
        .order_by(AuditScheduleFrequency.schedule_id, AuditScheduleFrequency.from_on)
    ):
        found[schedule_id].append((from_on, days))
    return found


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


def _lock(db: Session, schedule: AuditSchedule) -> None:
    """Hold the schedule's row until the caller commits (a no-op update: a row lock on
    PostgreSQL, the write lock on SQLite), then read it afresh: a change made meanwhile by
    another session is seen, never overwritten unseen."""
    db.execute(
        sa.update(AuditSchedule)
        .where(AuditSchedule.id == schedule.id)
        .values(frequency_days=AuditSchedule.frequency_days)
    )
    db.refresh(schedule)


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
