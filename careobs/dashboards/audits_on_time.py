"""How many of the scheduled audits were done on time, per template and service and per period,
for the audits dashboard and the evidence pack.

What fell due, and whether it was done by its due date, is worked out by careobs.audits.due by
its rules (read its module docstring): an audit counts in the period its due date falls in,
whenever it was done; a subject left unaudited misses one audit every scheduled interval while it
stays undone; nothing counts after today; what fell due before a change of frequency keeps the
frequency of its time. As on the "Audits due" list, the schedules are those in use today and
their subjects those active today. The due computation reads a fixed number of queries whatever
the number of services, subjects or audits, and counts the slots per period without listing them;
of the audits done before the scope's first day less the longest frequency it reads only each
subject's last (careobs.audits.cadence.walk_days: the counts are those of the whole walk).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.audits import due
from careobs.audits.cadence import Periods, Tally
from careobs.audits.schedules import AuditSchedule
from careobs.checklists.models import Checklist
from careobs.dashboards.filters import Scope
from careobs.dashboards.summary import period as period_text
from careobs.dashboards.tables import Column, Table
from careobs.org.models import Service
from careobs.periods import Period


@dataclass
class Scheduled:
    """One template scheduled in one service: its subjects and, per period, what fell due."""

    template: str
    service: str
    frequency_days: int
    subjects: int = 0
    on_time: list[int] = field(default_factory=list)  # per period of the scope
    fell_due: list[int] = field(default_factory=list)

    @property
    def total(self) -> tuple[int, int]:
        return sum(self.on_time), sum(self.fell_due)


@dataclass
class OnTime:
    """The scope's scheduled (template, service) pairs, by template then service name, and the
    audit templates scheduled in none of the scope's services."""

    scheduled: list[Scheduled]
    unscheduled: list[str]

    @property
    def total(self) -> tuple[int, int]:
        """(done on time, fell due) over every pair and the whole period."""
        pairs = [s.total for s in self.scheduled]
        return sum(p[0] for p in pairs), sum(p[1] for p in pairs)


def on_time(db: Session, scope: Scope, today: date) -> OnTime:
    """What fell due in each period of the scope up to ``today``, and how much was on time."""
    spans = scope.periods()
    services = list(
        db.scalars(
            sa.select(Service)
            .where(Service.id.in_(scope.service_ids), Service.active.is_(True))
            .order_by(Service.name)
        )
    )
    template_filter = (
        [] if scope.template_id is None else [AuditSchedule.checklist_id == scope.template_id]
    )
    schedules = db.execute(
        sa.select(
            AuditSchedule.service_id, AuditSchedule.checklist_id, AuditSchedule.frequency_days
        ).where(
            AuditSchedule.service_id.in_([s.id for s in services]),
            AuditSchedule.stopped_at.is_(None),
            *template_filter,
        )
    ).all()
    templates = dict(
        db.execute(
            sa.select(Checklist.id, Checklist.name).where(
                Checklist.organisation_id == scope.organisation_id,
                Checklist.purpose == "audit",
                *([Checklist.id == scope.template_id] if scope.template_id is not None else []),
            )
        ).all()
    )
    names = {s.id: s.name for s in services}
    pairs = {
        (checklist_id, service_id): Scheduled(
            templates[checklist_id],
            names[service_id],
            frequency,
            on_time=[0] * len(spans),
            fell_due=[0] * len(spans),
        )
        for service_id, checklist_id, frequency in schedules
    }
    template_ids = None
    if scope.template_id is not None:
        template_ids = {s.id: {scope.template_id} for s in services}
    periods = Periods.of([span.first for span in spans], scope.last)
    counts = {key: Tally(periods, today) for key in pairs}
    # Only slots due in the scope are counted: the audits long before it are not read one by one.
    for walked in due.walks(db, services, template_ids, counted_from=spans[0].first):
        key = (walked.schedule.checklist_id, walked.service.id)
        pairs[key].subjects += 1
        # Counted per day without listing the slots, then per period (careobs.audits.cadence).
        counts[key].add(walked.trace, walked.cadence)
    for key, pair in pairs.items():
        counts[key].into(pair.on_time, pair.fell_due)
    scheduled_ids = {checklist_id for _, checklist_id, _ in schedules}
    return OnTime(
        scheduled=sorted(pairs.values(), key=lambda p: (p.template, p.service)),
        unscheduled=sorted(name for i, name in templates.items() if i not in scheduled_ids),
    )


@lru_cache(maxsize=256)
def _noun(template: str) -> str:
    return template if template[:2].isupper() else template[:1].lower() + template[1:]


def audits_of(template: str, n: int) -> str:
    """``n`` audits of a template in a sentence: "care plan audits" (a name that starts with
    an acronym, "MAR audit", keeps its capitals)."""
    noun = _noun(template)
    return noun if n == 1 else f"{noun}s"


def in_words(template: str, on_time: int, fell_due: int, when: str) -> str:
    """ "14 of 18 care plan audits due in March 2026 were done by their due date (78%)"."""
    if fell_due == 0:
        return f"No {audits_of(template, 1)} fell due {when}."
    verb, their = ("was", "its") if fell_due == 1 else ("were", "their")
    return (
        f"{on_time} of {fell_due} {audits_of(template, fell_due)} due {when} {verb} done by "
        f"{their} due date ({on_time / fell_due * 100:.0f}%)."
    )


def when(span: Period) -> str:
    """A period as the sentences name it: "in March 2026", "in the week of 2 Mar 2026",
    "1 – 26 Nov 2026" (a month or week cut short by the dates chosen)."""
    if not span.whole:
        return period_text(span.first, span.last)
    if span.grouping == "month":
        return f"in {span.first:%B %Y}"
    return f"in the week of {span.first:%-d %b %Y}"


def _rate(on_time: int, fell_due: int) -> float | None:
    return on_time / fell_due if fell_due else None


COUNTS = [
    Column("fell_due", "Fell due (n)", "int"),
    Column("on_time", "Done on time (n)", "int"),
    Column("late", "Late or missed (n)", "int"),
    Column("rate", "Done on time", "pct"),
    Column("summary", "In words"),
]
ON_TIME_LABEL = "Scheduled audits done on time"
RULES = (
    "An audit is on time when it was done on or before the day it fell due; a subject left "
    "unaudited misses another audit every scheduled interval while it stays undone. Counted as "
    "on the Audits due list: the schedules in use today and their subjects active today, the "
    "audits that fell due in the period up to today."
)


def tables(result: OnTime, scope: Scope) -> list[Table]:
    """The pairs over the whole period, then each pair period by period."""
    spans = scope.periods()
    whole = period_text(scope.first, scope.last)
    unit = scope.grouping
    not_scheduled = ""
    if result.unscheduled:
        listed = ", ".join(result.unscheduled)
        not_scheduled = (
            f" Not scheduled in these services, so nothing of them falls due and they are not "
            f"counted: {listed}."
        )
    empty = (
        f"{result.unscheduled[0]} has no schedule in these services, so no audit of it falls due."
        if scope.template_id is not None and result.unscheduled
        else "No audit template is scheduled in these services, so no audit falls due."
    )
    overall = Table(
        "ontime",
        "Scheduled audits done on time, by template and service",
        [
            Column("template", "Template"),
            Column("service", "Service"),
            Column("every", "Every (days)", "int"),
            Column("subjects", "Subjects (n)", "int"),
            *COUNTS,
        ],
        [
            [
                s.template,
                s.service,
                s.frequency_days,
                s.subjects,
                s.total[1],
                s.total[0],
                s.total[1] - s.total[0],
                _rate(*s.total),
                f"{s.service}: " + in_words(s.template, *s.total, whole),
            ]
            for s in result.scheduled
        ],
        caption=(
            f"{RULES} Done on time + Late or missed = Fell due; the rows add up to the "
            f"headline's figure.{not_scheduled}"
        ),
        empty=empty,
    )
    phrases = [when(span) for span in spans]
    by_period = Table(
        "ontime_periods",
        f"Scheduled audits done on time, by {unit}",
        [
            Column("template", "Template"),
            Column("service", "Service"),
            Column("period", unit.capitalize()),
            *COUNTS,
        ],
        [
            [
                s.template,
                s.service,
                span.label,
                s.fell_due[i],
                s.on_time[i],
                s.fell_due[i] - s.on_time[i],
                _rate(s.on_time[i], s.fell_due[i]),
                in_words(s.template, s.on_time[i], s.fell_due[i], phrase),
            ]
            for s in result.scheduled
            # Each period's phrase once: by week over 40 services this table has 8,000 rows.
            for i, (span, phrase) in enumerate(zip(spans, phrases, strict=True))
        ],
        caption=(
            f"Each audit counted in the {unit} it fell due, whenever it was done. Each template "
            f"and service's {unit}s add up to its figures over the whole period."
        ),
        empty=empty,
    )
    return [overall, by_period]


def headline(result: OnTime) -> tuple[str, str]:
    """The period's on-time figure over every scheduled template, with its denominator."""
    done, fell_due = result.total
    if not result.scheduled:
        return (ON_TIME_LABEL, "— (not scheduled in these services)")
    if not fell_due:
        return (ON_TIME_LABEL, "— (none fell due)")
    return (
        ON_TIME_LABEL,
        f"{done} of {fell_due} that fell due ({done / fell_due * 100:.1f}%)",
    )
