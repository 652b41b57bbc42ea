"""What audits are due: computed from the schedules and the submitted audits, never stored.

For each active schedule of a service and each of its subjects (every active person of the
service, every active area, every active care worker, or the service itself) the audits of that
template about that subject are walked in date order. The rules, in words:

- The first audit falls due on the schedule's start date, or, for a subject added after it
  began (a person admitted, an area opened, a care worker taken on or made active again), one
  interval after the day it was added when that is later: a subject's ``added_on`` (None: there
  from the start), and for a care worker the later of ``added_on`` and their ``start_date``.
  Nothing falls due about a subject before then, so a resident admitted today is not overdue for
  the months before they came.
- Each audit completed (submitted) on day d satisfies the audit that was due then, and the next
  one falls due one interval after d (so an audit done early makes the next one due early too).
  An audit done before the first due date only moves it to d + the interval if that is later.
- The interval is the schedule's frequency *of the time* (its history, careobs.audits.cadence):
  the due date that follows a day x is x + the frequency in force on x; then, for each later
  change, if that date is on or after the change, it becomes the later of the change day and x
  + the new frequency. So a change applies at once to what is still pending (shortening the
  interval makes an audit overdue by the new rule due on the change day, not overdue for the
  past), while what had already fallen due keeps the frequency of its time: last year's figures
  do not change when the frequency changes today.
- An audit's day is the day it was carried out (``started_at``, on the organisation's clock), so
  an audit done on a phone offline and sent the next morning counts on the day it was done.
- Status of each (template, subject): **overdue** when its due date has passed; **due** when it
  falls due today or within :data:`DUE_SOON_DAYS` days; otherwise **done**, with whether the
  last audit was done on time (on or before the day it was due) or late.
- **Done on time rate** over a period: audits done on or before their due date, out of the
  audits that fell due in the period (due dates inside the period and not after today). An
  audit still not done after its due date (from the day after) counts as fallen due and not
  done on time; while it stays undone, another one falls due (and is missed) one interval later,
  and so on, so a care plan left unaudited for three months at 30 days is three missed audits,
  not one. Slots before the subject's first due date do not exist.

A stopped schedule, an inactive subject (a person who left the service, an area no longer in
use) or an inactive service has nothing due. One query per service reads the audits (plus the
schedules with their frequency history, and the subjects): never one per row. The slots left
empty are counted arithmetically (careobs.audits.cadence), never listed one by one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from careobs.audits.cadence import Cadence, Occurrence, Run, Trace, slots, tally, trace
from careobs.audits.models import Audit
from careobs.audits.schedules import AuditChampion, AuditSchedule, frequency_history
from careobs.checklists.models import Checklist, ChecklistVersion
from careobs.org import service as org_service
from careobs.org.models import Area, Person, Service, StaffMember
from careobs.permissions.audits import championed, due_services

# Today on the organisation's clock, as the pages that show what is due ask for it.
organisation_today = org_service.organisation_today

DUE_SOON_DAYS = 7
RATE_DAYS = 90  # the period of the "done on time" rate shown beside the list
STATUS_ORDER = {"overdue": 0, "due": 1, "done": 2}
STATUS_LABELS = {"overdue": "Overdue", "due": "Due", "done": "Done"}
START_PATH = "/audits/record"  # the audit capture page; its query parameters prefill it


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
    cadence: Cadence = field(default_factory=lambda: Cadence.every(30))
    done: list[Occurrence] = field(default_factory=list)  # the audits done, with their due
    missed: list[Run] = field(default_factory=list)  # the slots left empty between them

    @property
    def status_label(self) -> str:
        if self.status == "done":
            return "Done on time" if self.last_on_time else "Done late"
        return STATUS_LABELS[self.status]

    @property
    def last_on_time(self) -> bool | None:
        """Whether the last audit done was done by its due date (None: never done)."""
        return self.done[-1].on_time if self.done else None

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

    @property
    def trace(self) -> Trace:
        return Trace(self.done, self.missed, self.due_on)


def walk(
    starts_on: date, cadence: Cadence | int, done: list[date], added_on: date | None = None
) -> tuple[list[Occurrence], date]:
    """The occurrences of one (schedule, subject) in due date order, the slots left empty listed
    one by one, and its next due date (see the module's rules). For tests and single subjects:
    the pages count the slots without listing them."""
    if isinstance(cadence, int):
        cadence = Cadence.every(cadence)
    result = trace(starts_on, cadence, done, added_on)
    return _in_order(result.done, result.missed), result.due_on


def _in_order(done: list[Occurrence], missed: list[Run]) -> list[Occurrence]:
    # Due dates never go back (a later day's next due date is never earlier), so date order is
    # the order of the walk; the sort is stable for two audits due the same day.
    empty = [Occurrence(day, None) for day in slots(missed)]
    return sorted([*done, *empty], key=lambda o: o.due_on)


def fallen_due(item: DueItem) -> list[Occurrence]:
    """Every audit of the item that has fallen due by its today, listed one by one: those done,
    those left empty between them, and those not done since (due today is not late yet, so it
    is left out). For tests and small lists: the rates count with :func:`on_time_rate`."""
    pending = slots(item.cadence.runs(item.due_on.toordinal(), item.today.toordinal()))
    listed = [*_in_order(item.done, item.missed), *(Occurrence(day, None) for day in pending)]
    return [o for o in listed if o.due_on <= item.today]


def on_time_rate(items: list[DueItem], start: date, end: date) -> tuple[int, int]:
    """(audits done on time, audits that fell due) with due dates from ``start`` to ``end``
    (never after each item's today); an item not done by its due date counts as fallen due."""
    on_time = fell_due = 0
    for item in items:
        done, due = tally(item.trace, item.cadence, item.today, [start], end)
        on_time += done[0]
        fell_due += due[0]
    return on_time, fell_due


def _active_schedules(
    db: Session, service_ids: list[int]
) -> tuple[dict[int, list[AuditSchedule]], dict[int, Cadence]]:
    """The active schedules of these services with their templates, by service, and each one's
    frequency history (two queries, and one for the templates)."""
    found: dict[int, list[AuditSchedule]] = defaultdict(list)
    rows = list(
        db.scalars(
            sa.select(AuditSchedule)
            .where(AuditSchedule.service_id.in_(service_ids), AuditSchedule.stopped_at.is_(None))
            .options(selectinload(AuditSchedule.checklist))
            .order_by(AuditSchedule.id)
        )
    )
    for schedule in rows:
        found[schedule.service_id].append(schedule)
    history = frequency_history(db, [s.id for s in rows])
    cadences = {s.id: Cadence.of(history[s.id] or [(s.starts_on, s.frequency_days)]) for s in rows}
    return found, cadences


def service_due(
    db: Session,
    service: Service,
    today: date,
    *,
    template_ids: set[int] | None = None,
    schedules: list[AuditSchedule] | None = None,
    cadences: dict[int, Cadence] | None = None,
) -> list[DueItem]:
    """Every scheduled (template, subject) of the service, worst first (``template_ids``: only
    those templates, e.g. a champion's; ``schedules`` and ``cadences``: the service's active
    schedules and their frequency histories, when already read)."""
    if not service.active:
        return []
    if schedules is None or cadences is None:
        by_service, cadences = _active_schedules(db, [service.id])
        schedules = by_service[service.id]
    if template_ids is not None:
        schedules = [s for s in schedules if s.checklist_id in template_ids]
    if not schedules:
        return []
    subjects = _subjects(db, service, {s.checklist.subject_type for s in schedules})
    done = _done_days(db, service, [s.checklist_id for s in schedules])
    soon = today + timedelta(days=DUE_SOON_DAYS)
    items = []
    for schedule in schedules:
        kind = schedule.checklist.subject_type
        cadence = cadences[schedule.id]
        for key, text, param, added_on in subjects[kind]:
            walked = trace(
                schedule.starts_on, cadence, done.get((schedule.checklist_id, key), []), added_on
            )
            due_on = walked.due_on
            status = "overdue" if due_on < today else "due" if due_on <= soon else "done"
            items.append(
                DueItem(
                    service=service,
                    template=schedule.checklist,
                    subject_type=kind,
                    subject_text=text,
                    subject_param=param,
                    frequency_days=schedule.frequency_days,
                    # Slots left empty have no day: the last audit is the last one done.
                    last_done=walked.done[-1].done_on if walked.done else None,
                    due_on=due_on,
                    status=status,
                    today=today,
                    cadence=cadence,
                    done=walked.done,
                    missed=walked.missed,
                )
            )
    return sorted(items, key=lambda i: i.sort_key)


def _later(*days: date | None) -> date | None:
    return max((d for d in days if d is not None), default=None)


def _subjects(db: Session, service: Service, kinds: set[str]) -> dict[str, list[tuple]]:
    """(subject key, text, start-link parameter, day added or None) of each kind the schedules
    audit."""
    found: dict[str, list[tuple]] = {"person": [], "staff": [], "area": [], "service": []}
    found["service"] = [(("service", None), "the service", None, None)]
    if "person" in kinds:
        rows = db.execute(
            sa.select(Person.id, Person.code, Person.added_on)
            .where(Person.service_id == service.id, Person.active.is_(True))
            .order_by(Person.code)
        )
        found["person"] = [(("person", i), code, code, added) for i, code, added in rows]
    if "staff" in kinds:
        rows = db.execute(
            sa.select(
                StaffMember.id,
                StaffMember.name,
                StaffMember.uuid,
                StaffMember.added_on,
                StaffMember.start_date,
            )
            .where(StaffMember.service_id == service.id, StaffMember.active.is_(True))
            .order_by(StaffMember.name)
        )
        found["staff"] = [
            (("staff", i), name, str(u), _later(added, started))
            for i, name, u, added, started in rows
        ]
    if "area" in kinds:
        rows = db.execute(
            sa.select(Area.id, Area.name, Area.uuid, Area.added_on)
            .where(Area.service_id == service.id, Area.active.is_(True))
            .order_by(Area.name)
        )
        found["area"] = [(("area", i), name, str(u), added) for i, name, u, added in rows]
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
    by_service, cadences = _active_schedules(db, [s.id for s in services])
    items = []
    for service in services:
        if not by_service.get(service.id):
            continue
        ids = None if template_ids_by_service is None else template_ids_by_service[service.id]
        items.extend(
            service_due(
                db,
                service,
                today,
                template_ids=ids,
                schedules=by_service[service.id],
                cadences=cadences,
            )
        )
    return sorted(items, key=lambda i: i.sort_key)


def service_by_uuid(db: Session, services: list[Service], value: str | None) -> Service | None:
    """One of ``services`` by its public id as written in a query string (None: not one)."""
    return next((s for s in services if value and s.uuid.hex == value.replace("-", "")), None)


def visible(db: Session, user) -> tuple[list[Service], dict[int, set[int]] | None]:
    """The services whose due audits the user sees, and per service which templates (None:
    all): managers and supervisors their services; a champion their assigned templates."""
    services = list(db.scalars(due_services(user).order_by(Service.name)))
    assigned: dict[int, set[int]] = {}
    for service_id, checklist_id in db.execute(
        championed(user).with_only_columns(AuditChampion.service_id, AuditChampion.checklist_id)
    ):
        assigned.setdefault(service_id, set()).add(checklist_id)
    if not assigned:
        return services, None
    work = {s.id for s in services}
    extra = [sid for sid in assigned if sid not in work]
    if extra:
        services += list(db.scalars(sa.select(Service).where(Service.id.in_(extra))))
    templates = {s.id: None if s.id in work else assigned[s.id] for s in services}
    return sorted(services, key=lambda s: s.name), templates
