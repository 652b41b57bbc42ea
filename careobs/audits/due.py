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
use) or an inactive service has nothing due. One query reads the audits of every service asked
about (plus the schedules with their frequency history, and the subjects of each kind): never
one per service, subject or audit. The slots left empty are counted arithmetically
(careobs.audits.cadence), never listed one by one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from careobs.audits.cadence import (
    Cadence,
    Occurrence,
    Periods,
    Tally,
    Trace,
    counted_from_day,
    first_due,
    slots,
    trace,
    walk_days,
)
from careobs.audits.models import Audit
from careobs.audits.schedules import AuditSchedule, frequency_history
from careobs.checklists.models import Checklist, ChecklistVersion
from careobs.days import local_midnight
from careobs.org import service as org_service
from careobs.org.models import Area, Person, Service, StaffMember
from careobs.periods import epoch_seconds

# Today on the organisation's clock, as the pages that show what is due ask for it.
organisation_today = org_service.organisation_today

DUE_SOON_DAYS = 7
RATE_DAYS = 90  # the period of the "done on time" rate shown beside the list
STATUS_ORDER = {"overdue": 0, "due": 1, "done": 2, "upcoming": 3}
STATUS_LABELS = {"overdue": "Overdue", "due": "Due", "done": "Done", "upcoming": "Not due yet"}
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
    status: str  # overdue | due | done | upcoming (never done, first due later)
    today: date
    cadence: Cadence = field(default_factory=lambda: Cadence.every(30))
    trace: Trace = field(default_factory=Trace)  # the audits done and the slots left empty

    @property
    def status_label(self) -> str:
        if self.status == "done":
            return "Done on time" if self.last_on_time else "Done late"
        return STATUS_LABELS[self.status]

    @property
    def last_on_time(self) -> bool | None:
        """Whether the last audit done was done by its due date (None: never done)."""
        if not self.trace.done:
            return None
        due, day = self.trace.done[-1]
        return day <= due

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


def walk(
    starts_on: date, cadence: Cadence | int, done: list[date], added_on: date | None = None
) -> tuple[list[Occurrence], date]:
    """The occurrences of one (schedule, subject) in due date order, the slots left empty listed
    one by one, and its next due date (see the module's rules). For tests and single subjects:
    the pages count the slots without listing them."""
    if isinstance(cadence, int):
        cadence = Cadence.every(cadence)
    result = trace(starts_on, cadence, done, added_on)
    return _in_order(result), result.due_on


def _in_order(walked: Trace) -> list[Occurrence]:
    # Due dates never go back (a later day's next due date is never earlier), so date order is
    # the order of the walk; the sort is stable for two audits due the same day.
    empty = [Occurrence(day, None) for day in slots(walked.missed)]
    return sorted([*walked.occurrences, *empty], key=lambda o: o.due_on)


def fallen_due(item: DueItem) -> list[Occurrence]:
    """Every audit of the item that has fallen due by its today, listed one by one: those done,
    those left empty between them, and those not done since (due today is not late yet, so it
    is left out). For tests and small lists: the rates count with :func:`on_time_rate`."""
    pending = slots(item.cadence.runs(item.trace.due, item.today.toordinal()))
    listed = [*_in_order(item.trace), *(Occurrence(day, None) for day in pending)]
    return [o for o in listed if o.due_on <= item.today]


def on_time_rate(items: list[DueItem], start: date, end: date) -> tuple[int, int]:
    """(audits done on time, audits that fell due) with due dates from ``start`` to ``end``
    (never after each item's today); an item not done by its due date counts as fallen due."""
    on_time, fell_due = [0], [0]
    period = Periods.of([start], end)
    counts: dict[date, Tally] = {}  # one per today (the items of one list share it)
    for item in items:
        if item.today not in counts:
            counts[item.today] = Tally(period, item.today)
        counts[item.today].add(item.trace, item.cadence)
    for tallied in counts.values():
        tallied.into(on_time, fell_due)
    return on_time[0], fell_due[0]


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


class Walked(NamedTuple):
    """One scheduled (template, subject) of a service walked through its audits."""

    service: Service
    schedule: AuditSchedule
    subject: tuple  # (key, text, start-link parameter, day added or None)
    cadence: Cadence
    trace: Trace


class Scheduled(NamedTuple):
    """One scheduled (template, subject) of a service before its audits are read."""

    service: Service
    schedule: AuditSchedule
    subject: tuple  # (key, text, start-link parameter, day added or None)
    cadence: Cadence
    first: int  # its first due date, as a day ordinal


def scheduled(
    db: Session, services: list[Service], template_ids_by_service=None
) -> list[Scheduled]:
    """Every scheduled (template, subject) of the active services (``template_ids_by_service``:
    per service, only those templates, None for all), with its frequency history and first due
    date: the schedules with their histories and the subjects of each kind, a fixed number of
    queries."""
    services = [s for s in services if s.active]
    by_service, cadences = _active_schedules(db, [s.id for s in services])
    chosen: dict[int, list[AuditSchedule]] = {}
    for service in services:
        ids = None if template_ids_by_service is None else template_ids_by_service[service.id]
        found = [s for s in by_service.get(service.id, []) if ids is None or s.checklist_id in ids]
        if found:
            chosen[service.id] = found
    if not chosen:
        return []
    kinds: dict[str, list[int]] = defaultdict(list)
    for service_id, found in chosen.items():
        for kind in {s.checklist.subject_type for s in found}:
            kinds[kind].append(service_id)
    subjects = _subjects(db, kinds)
    listed = []
    for service in services:
        for schedule in chosen.get(service.id, []):
            cadence = cadences[schedule.id]
            start = schedule.starts_on.toordinal()
            for subject in subjects[schedule.checklist.subject_type].get(service.id, ()):
                added_on = subject[3]
                first = (
                    start
                    if added_on is None
                    else first_due(schedule.starts_on, cadence, added_on).toordinal()
                )
                listed.append(Scheduled(service, schedule, subject, cadence, first))
    return listed


def walks(
    db: Session,
    services: list[Service],
    template_ids_by_service=None,
    *,
    counted_from: date | None = None,
) -> list[Walked]:
    """Every scheduled (template, subject) of the active services, walked (``template_ids_by_
    service``: per service, only those templates, None for all). A fixed number of queries
    whatever the number of services, subjects or audits: the schedules with their histories,
    the subjects of each kind (:func:`scheduled`), and the audits.

    ``counted_from``: only the slots due from that day on will be counted (a dashboard's
    period), so the audits done long enough before it are not read one by one: only each
    subject's last one (careobs.audits.cadence.walk_days's ``since``), and the traces hold
    only what follows it. None: every audit, every trace whole (the due list needs them)."""
    listed = scheduled(db, services, template_ids_by_service)
    return walk_scheduled(db, listed, counted_from=counted_from)


def walk_scheduled(
    db: Session, listed: list[Scheduled], *, counted_from: date | None = None
) -> list[Walked]:
    """:func:`walks` of what :func:`scheduled` listed: one query for the audits (two with
    ``counted_from``)."""
    if not listed:
        return []
    chosen: dict[int, list[AuditSchedule]] = defaultdict(list)
    in_scope: dict[int, Service] = {}
    for item in listed:
        if item.schedule not in chosen[item.service.id]:
            chosen[item.service.id].append(item.schedule)
        in_scope[item.service.id] = item.service
    cutoff = None
    if counted_from is not None:  # one day for all: the longest frequency of any schedule
        cutoff = min(counted_from_day(counted_from.toordinal(), i.cadence) for i in listed)
    services = list(in_scope.values())
    done = _done_days(db, services, chosen, cutoff)
    before = {} if cutoff is None else _last_days_before(db, services, chosen, cutoff)
    walked = []
    for item in listed:
        pair = (item.service.id, item.schedule.checklist_id)
        key = item.subject[0]
        days = done.get(pair, {}).get(key, [])
        result = walk_days(item.first, item.cadence, days, before.get(pair, {}).get(key))
        walked.append(Walked(item.service, item.schedule, item.subject, item.cadence, result))
    return walked


def _item(walked: Walked, today: date, soon: date) -> DueItem:
    due_on = walked.trace.due_on
    _, text, param, _ = walked.subject
    return DueItem(
        service=walked.service,
        template=walked.schedule.checklist,
        subject_type=walked.schedule.checklist.subject_type,
        subject_text=text,
        subject_param=param,
        frequency_days=walked.schedule.frequency_days,
        # Slots left empty have no day: the last audit is the last one done.
        last_done=date.fromordinal(walked.trace.done[-1][1]) if walked.trace.done else None,
        due_on=due_on,
        status=_status(due_on, today, soon, bool(walked.trace.done)),
        today=today,
        cadence=walked.cadence,
        trace=walked.trace,
    )


def _status(due_on: date, today: date, soon: date, ever_done: bool) -> str:
    """Overdue, due (today or soon), done (and not due again yet), or upcoming: never done and
    first due later (a subject added lately, a schedule starting later)."""
    if due_on < today:
        return "overdue"
    if due_on <= soon:
        return "due"
    return "done" if ever_done else "upcoming"


def service_due(
    db: Session, service: Service, today: date, *, template_ids: set[int] | None = None
) -> list[DueItem]:
    """Every scheduled (template, subject) of the service, worst first (``template_ids``: only
    those templates, e.g. a champion's)."""
    ids = None if template_ids is None else {service.id: template_ids}
    return services_due(db, [service], today, ids)


def _later(*days: date | None) -> date | None:
    return max((d for d in days if d is not None), default=None)


def _subjects(db: Session, kinds: dict[str, list[int]]) -> dict[str, dict[int, list[tuple]]]:
    """Per kind the schedules audit, per service: (subject key, text, start-link parameter, day
    added or None) of its active subjects, one query per kind."""
    found: dict[str, dict[int, list[tuple]]] = {k: defaultdict(list) for k in SUBJECT_KINDS}
    for service_id in kinds.get("service", []):
        found["service"][service_id] = [(("service", None), "the service", None, None)]
    if kinds.get("person"):
        for service_id, i, code, added in db.execute(
            sa.select(Person.service_id, Person.id, Person.code, Person.added_on)
            .where(Person.service_id.in_(kinds["person"]), Person.active.is_(True))
            .order_by(Person.code)
        ):
            found["person"][service_id].append((("person", i), code, code, added))
    if kinds.get("staff"):
        for service_id, i, name, u, added, started in db.execute(
            sa.select(
                StaffMember.service_id,
                StaffMember.id,
                StaffMember.name,
                StaffMember.uuid,
                StaffMember.added_on,
                StaffMember.start_date,
            )
            .where(StaffMember.service_id.in_(kinds["staff"]), StaffMember.active.is_(True))
            .order_by(StaffMember.name)
        ):
            found["staff"][service_id].append((("staff", i), name, str(u), _later(added, started)))
    if kinds.get("area"):
        for service_id, i, name, u, added in db.execute(
            sa.select(Area.service_id, Area.id, Area.name, Area.uuid, Area.added_on)
            .where(Area.service_id.in_(kinds["area"]), Area.active.is_(True))
            .order_by(Area.name)
        ):
            found["area"][service_id].append((("area", i), name, str(u), added))
    return found


SUBJECT_KINDS = ("person", "staff", "area", "service")


def _audits_of(chosen: dict[int, list[AuditSchedule]], *columns) -> sa.Select:
    """The submitted audits of the chosen services' scheduled templates (a few templates more
    than chosen, when services schedule different ones: :func:`_wanted` leaves them out)."""
    return (
        sa.select(
            Audit.service_id,
            ChecklistVersion.checklist_id,
            Audit.subject_type,
            sa.func.coalesce(Audit.person_id, Audit.area_id, Audit.staff_id),
            *columns,
        )
        .join(ChecklistVersion, ChecklistVersion.id == Audit.checklist_version_id)
        .where(
            Audit.service_id.in_(list(chosen)),
            Audit.status == "submitted",
            # A co-audit (with a person supported, or by a quality checker) is compared with a
            # staff audit; it is not one, so it does the scheduled audit of nobody.
            Audit.co_audit_with.is_(None),
            ChecklistVersion.checklist_id.in_({s.checklist_id for f in chosen.values() for s in f}),
        )
    )


def _cutoff_instant(services: list[Service], cutoff: int) -> datetime:
    """The earliest local midnight of day ``cutoff`` over the services' time zones: every audit
    before it was done before that day on its service's clock."""
    zones = {s.organisation.timezone for s in services}
    return min(local_midnight(date.fromordinal(cutoff), ZoneInfo(z)) for z in zones)


def _day_functions(services: list[Service]) -> dict:
    zones = {s.id: ZoneInfo(s.organisation.timezone) for s in services}
    local_days = {zone: local_day(zone) for zone in set(zones.values())}
    return {service_id: local_days[zone] for service_id, zone in zones.items()}


def _done_days(
    db: Session,
    services: list[Service],
    chosen: dict[int, list[AuditSchedule]],
    cutoff: int | None = None,
) -> dict[tuple[int, int], dict[tuple, list[int]]]:
    """The days (as ordinals, ascending, each once) the services' submitted audits of their
    scheduled templates were done, per (service, template) and subject key: one query
    (``cutoff``: only the audits from that day's local midnight on)."""
    wanted = {(sid, s.checklist_id) for sid, found in chosen.items() for s in found}
    query = _audits_of(chosen, epoch_seconds(Audit.started_at)).order_by(Audit.started_at)
    if cutoff is not None:
        query = query.where(Audit.started_at >= _cutoff_instant(services, cutoff))
    rows = db.connection().execute(query).all()
    days_of = _day_functions(services)
    done: dict = defaultdict(lambda: defaultdict(list))
    for service_id, checklist_id, kind, subject_id, seconds in rows:
        if (service_id, checklist_id) not in wanted:
            continue
        day = days_of[service_id](seconds)
        days = done[(service_id, checklist_id)][(kind, subject_id)]
        if not days or days[-1] != day:  # in order: two on one day close one slot
            days.append(day)
    return done


def _last_days_before(
    db: Session, services: list[Service], chosen: dict[int, list[AuditSchedule]], cutoff: int
) -> dict[tuple[int, int], dict[tuple, int]]:
    """The day each subject's last submitted audit before ``cutoff`` (the instant of
    :func:`_done_days`) was done, per (service, template) and subject key: one grouped query."""
    wanted = {(sid, s.checklist_id) for sid, found in chosen.items() for s in found}
    query = (
        _audits_of(chosen, epoch_seconds(sa.func.max(Audit.started_at)))
        .where(Audit.started_at < _cutoff_instant(services, cutoff))
        .group_by(
            Audit.service_id,
            ChecklistVersion.checklist_id,
            Audit.subject_type,
            sa.func.coalesce(Audit.person_id, Audit.area_id, Audit.staff_id),
        )
    )
    days_of = _day_functions(services)
    found: dict = defaultdict(dict)
    for service_id, checklist_id, kind, subject_id, seconds in db.connection().execute(query):
        if (service_id, checklist_id) in wanted:
            found[(service_id, checklist_id)][(kind, subject_id)] = days_of[service_id](seconds)
    return found


EPOCH_DAY = date(1970, 1, 1).toordinal()


def local_day(zone: ZoneInfo):
    """A function from an instant, as whole seconds since 1970-01-01 00:00 UTC
    (careobs.periods.epoch_seconds), to its day ordinal on ``zone``'s clock, as
    ``astimezone(zone)`` gives it: the offset is worked out once per UTC day (a day on which the
    clocks change is converted instant by instant). Integers all the way: reading thousands of
    audit times as datetimes with their time zone cost more than everything done with them."""
    offsets: dict[int, int | None] = {}

    def day_of(seconds: int) -> int:
        key = seconds // 86400
        try:
            offset = offsets[key]
        except KeyError:
            midnight = datetime.combine(date.fromordinal(key + EPOCH_DAY), time(0), UTC)
            first = midnight.astimezone(zone).utcoffset()
            last = (midnight + timedelta(days=1, microseconds=-1)).astimezone(zone).utcoffset()
            offset = offsets[key] = int(first.total_seconds()) if first == last else None
        if offset is None:
            instant = datetime.fromtimestamp(seconds, UTC)
            return instant.astimezone(zone).toordinal()
        return (seconds + offset) // 86400 + EPOCH_DAY

    return day_of


@dataclass
class Summary:
    """Counts of a list of due items, for the home page and the reminders."""

    overdue: int
    due: int
    due_today: int
    done: int
    upcoming: int = 0

    @classmethod
    def of(cls, items: list[DueItem]) -> Summary:
        return cls(
            overdue=sum(i.status == "overdue" for i in items),
            due=sum(i.status == "due" for i in items),
            due_today=sum(i.status == "due" and i.due_on == i.today for i in items),
            done=sum(i.status == "done" for i in items),
            upcoming=sum(i.status == "upcoming" for i in items),
        )


def services_due(
    db: Session, services: list[Service], today: date, template_ids_by_service=None
) -> list[DueItem]:
    """The due items of several services, worst first (a fixed number of queries: see
    :func:`walks`)."""
    soon = today + timedelta(days=DUE_SOON_DAYS)
    items = [_item(w, today, soon) for w in walks(db, services, template_ids_by_service)]
    return sorted(items, key=lambda i: i.sort_key)


def service_by_uuid(db: Session, services: list[Service], value: str | None) -> Service | None:
    """One of ``services`` by its public id as written in a query string (None: not one)."""
    return next((s for s in services if value and s.uuid.hex == value.replace("-", "")), None)
