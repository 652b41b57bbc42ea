"""What audits are due: computed from the schedules and the submitted audits, never stored.

For each active schedule of a service and each of its subjects (every active person of the
service, every active area, every active care worker, or the service itself) the audits of that
template about that subject are walked in date order. The rules, in words:

- The first audit falls due on the schedule's start date. Each audit completed (submitted) on day
  d satisfies the audit that was due then, and the next one falls due on d + the schedule's
  *current* frequency (so changing the frequency moves what is due at once, and an audit done
  early makes the next one due early too). Nothing falls due before the schedule starts: an
  audit done before the start only moves the first due date to d + frequency if that is later.
- An audit's day is the day it was carried out (``started_at``, on the organisation's clock), so
  an audit done on a phone offline and sent the next morning counts on the day it was done.
- Status of each (template, subject): **overdue** when its due date has passed; **due** when it
  falls due today or within :data:`DUE_SOON_DAYS` days; otherwise **done**, with whether the
  last audit was done on time (on or before the day it was due) or late.
- **Done on time rate** over a period: audits done on or before their due date, out of the
  audits that fell due in the period (due dates inside the period and not after today). An
  audit still not done after its due date (from the day after) counts as fallen due and not
  done on time; while it stays undone, another one falls due (and is missed) every
  ``frequency`` days, so a care plan left unaudited for three months at 30 days is three missed
  audits, not one.

A stopped schedule, an inactive subject (a person who left the service, an area no longer in
use) or an inactive service has nothing due. One query per service reads the audits (plus the
schedules and the subjects): never one per row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from careobs.audits.models import Audit
from careobs.audits.schedules import AuditSchedule
from careobs.checklists.models import Checklist, ChecklistVersion
from careobs.db import utcnow
from careobs.org.models import Area, Organisation, Person, Service, StaffMember

DUE_SOON_DAYS = 7
RATE_DAYS = 90  # the period of the "done on time" rate shown beside the list
STATUS_ORDER = {"overdue": 0, "due": 1, "done": 2}
STATUS_LABELS = {"overdue": "Overdue", "due": "Due", "done": "Done"}
START_PATH = "/audits/record"  # the audit capture page; its query parameters prefill it


@dataclass(frozen=True)
class Occurrence:
    """One audit that fell (or falls) due, and the day it was done (None: not yet)."""

    due_on: date
    done_on: date | None

    @property
    def on_time(self) -> bool:
        return self.done_on is not None and self.done_on <= self.due_on


@dataclass
class DueItem:
    """One scheduled (template, subject) of a service and where it stands today."""

    service: Service
    template: Checklist
    subject_type: str
    subject_text: str  # a person's code, a worker's or an area's name, "the service"
    subject_param: str | None  # the start link's ``subject``: a code or a uuid (None: service)
    frequency_days: int
    last_done: date | None
    due_on: date
    status: str  # overdue | due | done
    today: date
    occurrences: list[Occurrence] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        if self.status == "done":
            return "Done on time" if self.last_on_time else "Done late"
        return STATUS_LABELS[self.status]

    @property
    def last_on_time(self) -> bool | None:
        """Whether the last audit done was done by its due date (None: never done)."""
        done = [o for o in self.occurrences if o.done_on is not None]
        return done[-1].on_time if done else None

    @property
    def days_overdue(self) -> int:
        return max((self.today - self.due_on).days, 0)

    @property
    def start_link(self) -> str:
        """The audit capture page, prefilled with this template, service and subject."""
        # The ids as the bootstrap writes them (with dashes): the page matches them exactly.
        query = {"template": str(self.template.uuid), "service": str(self.service.uuid)}
        if self.subject_param is not None:
            query["subject"] = self.subject_param
        return f"{START_PATH}?{urlencode(query)}"

    @property
    def sort_key(self):
        """Worst first: the most overdue, then what falls due soonest."""
        return (STATUS_ORDER[self.status], self.due_on, self.template.name, self.subject_text)


def walk(starts_on: date, frequency_days: int, done: list[date]) -> tuple[list[Occurrence], date]:
    """The occurrences of one (schedule, subject) and its next due date, from the days its
    audits were done (see the module's rules)."""
    step = timedelta(days=frequency_days)
    due = starts_on
    occurrences: list[Occurrence] = []
    for day in sorted(set(done)):  # two audits of one subject on one day close one slot
        if day < starts_on:
            due = max(starts_on, day + step)  # before the schedule: only moves the first due
            continue
        occurrences.append(Occurrence(due, day))
        occurrences.extend(Occurrence(slot, None) for slot in _slots(due + step, step, day))
        due = day + step
    return occurrences, due


def _slots(first: date, step: timedelta, before: date) -> list[date]:
    """``first``, ``first + step``, … while before ``before``: the audits that fell due in a
    gap while the one before them was still not done."""
    slots = []
    while first < before:
        slots.append(first)
        first += step
    return slots


def fallen_due(item: DueItem) -> list[Occurrence]:
    """Every audit of the item that has fallen due by its today: those done, those left empty
    between them, and those not done since (due today is not late yet, so it is left out)."""
    step = timedelta(days=item.frequency_days)
    pending = [Occurrence(slot, None) for slot in _slots(item.due_on, step, item.today)]
    return [o for o in [*item.occurrences, *pending] if o.due_on <= item.today]


def on_time_rate(items: list[DueItem], start: date, end: date) -> tuple[int, int]:
    """(audits done on time, audits that fell due) with due dates from ``start`` to ``end``
    (never after each item's today); an item not done by its due date counts as fallen due."""
    on_time = fell_due = 0
    for item in items:
        for occurrence in fallen_due(item):
            if start <= occurrence.due_on <= end:
                fell_due += 1
                on_time += occurrence.on_time
    return on_time, fell_due


def organisation_today(db: Session, organisation_id: int) -> date:
    """Today on the organisation's clock."""
    tz = db.scalar(sa.select(Organisation.timezone).where(Organisation.id == organisation_id))
    return utcnow().astimezone(ZoneInfo(tz or "Europe/London")).date()


def _active_schedules(db: Session, service_ids: list[int]) -> dict[int, list[AuditSchedule]]:
    """The active schedules of these services with their templates, by service (one query)."""
    found: dict[int, list[AuditSchedule]] = defaultdict(list)
    rows = db.scalars(
        sa.select(AuditSchedule)
        .where(AuditSchedule.service_id.in_(service_ids), AuditSchedule.stopped_at.is_(None))
        .options(selectinload(AuditSchedule.checklist))
        .order_by(AuditSchedule.id)
    )
    for schedule in rows:
        found[schedule.service_id].append(schedule)
    return found


def service_due(
    db: Session,
    service: Service,
    today: date,
    *,
    template_ids: set[int] | None = None,
    schedules: list[AuditSchedule] | None = None,
) -> list[DueItem]:
    """Every scheduled (template, subject) of the service, worst first (``template_ids``: only
    those templates, e.g. a champion's; ``schedules``: the service's active schedules, when
    already read)."""
    if not service.active:
        return []
    if schedules is None:
        schedules = _active_schedules(db, [service.id])[service.id]
    if template_ids is not None:
        schedules = [s for s in schedules if s.checklist_id in template_ids]
    if not schedules:
        return []
    subjects = _subjects(db, service, {s.checklist.subject_type for s in schedules})
    done = _done_days(db, service, [s.checklist_id for s in schedules])
    items = []
    for schedule in schedules:
        kind = schedule.checklist.subject_type
        for key, text, param in subjects[kind]:
            occurrences, due_on = walk(
                schedule.starts_on,
                schedule.frequency_days,
                done.get((schedule.checklist_id, key), []),
            )
            if due_on < today:
                status = "overdue"
            elif due_on <= today + timedelta(days=DUE_SOON_DAYS):
                status = "due"
            else:
                status = "done"
            # Slots left empty have no day: the last audit is the last one done.
            last = max((o.done_on for o in occurrences if o.done_on is not None), default=None)
            items.append(
                DueItem(
                    service=service,
                    template=schedule.checklist,
                    subject_type=kind,
                    subject_text=text,
                    subject_param=param,
                    frequency_days=schedule.frequency_days,
                    last_done=last,
                    due_on=due_on,
                    status=status,
                    today=today,
                    occurrences=occurrences,
                )
            )
    return sorted(items, key=lambda i: i.sort_key)


def _subjects(db: Session, service: Service, kinds: set[str]) -> dict[str, list[tuple]]:
    """(subject key, text, start-link parameter) of each kind the schedules audit."""
    found: dict[str, list[tuple]] = {"person": [], "staff": [], "area": [], "service": []}
    found["service"] = [(("service", None), "the service", None)]
    if "person" in kinds:
        rows = db.execute(
            sa.select(Person.id, Person.code)
            .where(Person.service_id == service.id, Person.active.is_(True))
            .order_by(Person.code)
        )
        found["person"] = [(("person", i), code, code) for i, code in rows]
    if "staff" in kinds:
        rows = db.execute(
            sa.select(StaffMember.id, StaffMember.name, StaffMember.uuid)
            .where(StaffMember.service_id == service.id, StaffMember.active.is_(True))
            .order_by(StaffMember.name)
        )
        found["staff"] = [(("staff", i), name, str(u)) for i, name, u in rows]
    if "area" in kinds:
        rows = db.execute(
            sa.select(Area.id, Area.name, Area.uuid)
            .where(Area.service_id == service.id, Area.active.is_(True))
            .order_by(Area.name)
        )
        found["area"] = [(("area", i), name, str(u)) for i, name, u in rows]
    return found


def _done_days(db: Session, service: Service, checklist_ids: list[int]) -> dict:
    """The days the service's submitted audits of these templates were done, per (template,
    subject key): one query."""
    tz = ZoneInfo(service.organisation.timezone)
    rows = db.execute(
        sa.select(
            ChecklistVersion.checklist_id,
            Audit.subject_type,
            Audit.person_id,
            Audit.staff_id,
            Audit.area_id,
            Audit.started_at,
        )
        .join(ChecklistVersion, ChecklistVersion.id == Audit.checklist_version_id)
        .where(
            Audit.service_id == service.id,
            Audit.status == "submitted",
            ChecklistVersion.checklist_id.in_(checklist_ids),
        )
    )
    done: dict = defaultdict(list)
    for checklist_id, kind, person_id, staff_id, area_id, started_at in rows:
        subject_id = {"person": person_id, "staff": staff_id, "area": area_id}.get(kind)
        done[(checklist_id, (kind, subject_id))].append(started_at.astimezone(tz).date())
    return done


@dataclass
class Summary:
    """Counts of a list of due items, for the home page and the reminders."""

    overdue: int
    due: int
    due_today: int
    done: int

    @classmethod
    def of(cls, items: list[DueItem]) -> Summary:
        return cls(
            overdue=sum(i.status == "overdue" for i in items),
            due=sum(i.status == "due" for i in items),
            due_today=sum(i.status == "due" and i.due_on == i.today for i in items),
            done=sum(i.status == "done" for i in items),
        )


def services_due(
    db: Session, services: list[Service], today: date, template_ids_by_service=None
) -> list[DueItem]:
    """The due items of several services, worst first: one query for the schedules, then the
    subjects and audits of each service that has any (never a query per row)."""
    by_service = _active_schedules(db, [s.id for s in services])
    items = []
    for service in services:
        if not by_service.get(service.id):
            continue
        ids = None if template_ids_by_service is None else template_ids_by_service[service.id]
        items.extend(
            service_due(db, service, today, template_ids=ids, schedules=by_service[service.id])
        )
    return sorted(items, key=lambda i: i.sort_key)


def service_by_uuid(db: Session, services: list[Service], value: str | None) -> Service | None:
    """One of ``services`` by its public id as written in a query string (None: not one)."""
    return next((s for s in services if value and s.uuid.hex == value.replace("-", "")), None)
