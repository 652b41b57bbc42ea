"""What is past its retention period: an organisation's periods and cut-offs, and per type and
service how many records a purge would remove today and how many it keeps (and why).

The admin page, ``careobs purge --dry-run`` and the purge itself read these same selects, so
what is shown is what goes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.audit.models import AuditEvent
from careobs.days import local_midnight
from careobs.db import utcnow
from careobs.org.models import Service
from careobs.org.settings import time_zone
from careobs.retention.models import RetentionPeriod
from careobs.retention.periods import BY_KEY, TYPES, cutoff_day
from careobs.retention.targets import TARGETS, Target

WHOLE_ORGANISATION = "Whole organisation"


def periods_for(db: Session, organisation_id: int) -> dict[str, int]:
    """Months kept per record type: the organisation's own, or the default."""
    saved = dict(
        db.execute(
            sa.select(RetentionPeriod.record_type, RetentionPeriod.months).where(
                RetentionPeriod.organisation_id == organisation_id
            )
        ).all()
    )
    return {t.key: saved.get(t.key, t.default_months) for t in TYPES}


@dataclass(frozen=True)
class Cutoff:
    """The first day kept (organisation's clock) and the UTC instant it begins."""

    day: date
    instant: datetime


def org_today(db: Session, organisation_id: int, now: datetime | None = None) -> date:
    """Today on the organisation's clock."""
    return (now or utcnow()).astimezone(time_zone(db, organisation_id)).date()


def cutoff_for(db: Session, organisation_id: int, months: int, now=None) -> Cutoff:
    day = cutoff_day(org_today(db, organisation_id, now), months)
    return Cutoff(day, local_midnight(day, time_zone(db, organisation_id)))


def cutoffs_for(db: Session, organisation_id: int, now=None) -> dict[str, Cutoff]:
    """Each record type's cut-off today."""
    return {
        key: cutoff_for(db, organisation_id, months, now)
        for key, months in periods_for(db, organisation_id).items()
    }


def past(target: Target, cutoff: Cutoff) -> sa.ColumnElement:
    """The condition "past its retention period" on the target's date."""
    return target.dated < (cutoff.day if target.by_day else cutoff.instant)


def kept_condition(target: Target) -> sa.ColumnElement:
    if not target.keeps:
        return sa.false()
    return sa.or_(*(condition() for _, condition in target.keeps))


def removable(target: Target, organisation_id: int, cutoff: Cutoff) -> sa.Select:
    """The ids a purge removes today, oldest first."""
    return (
        sa.select(target.model.id)
        .where(*target.scope(organisation_id), past(target, cutoff), ~kept_condition(target))
        .order_by(target.model.id)
    )


@dataclass
class TypeReport:
    """One record type's line: its period, cut-off, and counts per service."""

    key: str
    label: str
    months: int
    cutoff: Cutoff
    source: str
    removes: str
    by_service: dict[str, int] = field(default_factory=dict)  # service name -> to remove
    kept: dict[str, int] = field(default_factory=dict)  # reason -> past its period but kept

    @property
    def total(self) -> int:
        return sum(self.by_service.values())

    @property
    def kept_total(self) -> int:
        return sum(self.kept.values())


def _per_service(db: Session, target: Target, conditions: list) -> dict[str, int]:
    if target.service is None:
        count = db.scalar(sa.select(sa.func.count()).select_from(target.model).where(*conditions))
        return {WHOLE_ORGANISATION: count} if count else {}
    rows = db.execute(
        sa.select(Service.name, sa.func.count())
        .select_from(target.model)
        .outerjoin(Service, Service.id == target.service)
        .where(*conditions)
        .group_by(Service.name)
    ).all()
    return {name or WHOLE_ORGANISATION: count for name, count in rows}


def _kept(db: Session, target: Target, conditions: list) -> dict[str, int]:
    """Past its period but kept, counted under the first reason that holds."""
    if not target.keeps:
        return {}
    reason = sa.case(*((condition(), label) for label, condition in target.keeps), else_=None)
    rows = db.execute(
        sa.select(reason, sa.func.count())
        .select_from(target.model)
        .where(*conditions, kept_condition(target))
        .group_by(reason)
    ).all()
    return {label: count for label, count in rows if label}


def line_for(db: Session, organisation_id: int, target: Target, months: int, now=None):
    """One type's line under ``months`` (its saved period, or one an admin is about to save)."""
    record_type = BY_KEY[target.key]
    cutoff = cutoff_for(db, organisation_id, months, now)
    conditions = [*target.scope(organisation_id), past(target, cutoff)]
    return TypeReport(
        key=target.key,
        label=record_type.label,
        months=months,
        cutoff=cutoff,
        source=record_type.source,
        removes=record_type.removes,
        by_service=_per_service(db, target, [*conditions, ~kept_condition(target)]),
        kept=_kept(db, target, conditions),
    )


def report(db: Session, organisation_id: int, now=None) -> list[TypeReport]:
    """What a purge would do today, per type (in the order a run takes them)."""
    periods = periods_for(db, organisation_id)
    return [line_for(db, organisation_id, t, periods[t.key], now) for t in TARGETS]


@dataclass(frozen=True)
class LastRun:
    """The organisation's last purge, from the audit log: its outcome event, and a run started
    after it that has written no outcome (still running, or killed)."""

    finished_at: datetime | None
    outcome: str | None  # the outcome event's summary
    unfinished_since: datetime | None


def last_run(db: Session, organisation_id: int) -> LastRun:
    def newest(action: str):
        return db.execute(
            sa.select(AuditEvent.at, AuditEvent.summary)
            .where(AuditEvent.organisation_id == organisation_id, AuditEvent.action == action)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(1)
        ).first()

    finished, started = newest("retention_purge"), newest("retention_purge_started")
    unfinished = None
    if started is not None and (finished is None or started.at > finished.at):
        unfinished = started.at
    return LastRun(
        finished.at if finished else None, finished.summary if finished else None, unfinished
    )


# What a purge changes on the dashboards, per type (said by the dry-run and the admin page).
FIGURES = {
    "quis_sessions": "QUIS trends, calibration and per-worker QUIS figures before {day} show no "
    "data",
    "monitoring_visits": "visit scores, coverage and missed items before {day} show no data "
    "(the domain × period grid keeps its monthly and weekly sums); a worker last checked "
    "before then shows as never checked",
    "audits": "audit scores and agreement before {day} show no data",
    "self_assessments": "self-assessments before {day} leave the lists and evidence packs",
    "conversations": "people's voice figures before {day} show no data",
    "compliments": "compliments and concerns counts before {day} show no data",
    "closed_actions": "action counts and 'difference made' before {day} leave the actions "
    "dashboard",
}


def figures_changing(lines: list[TypeReport]) -> list[str]:
    """The dashboard figures a purge of these lines changes, in words."""
    return [
        f"{line.label}: " + FIGURES[line.key].format(day=line.cutoff.day.isoformat())
        for line in lines
        if line.total and line.key in FIGURES
    ]
