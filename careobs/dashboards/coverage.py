"""Coverage: who has been checked, who is due, and whether checks are predictable."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import Session, aliased

from careobs.actions.queries import rechecks_due
from careobs.dashboards.filters import Scope, whole_services
from careobs.dashboards.tables import Chart, Column, Table, counts_with_shares
from careobs.org import settings as org_settings
from careobs.org.models import Service, StaffMember
from careobs.periods import WEEKDAYS, local_slot, offset_spans, slot_columns
from careobs.visits.models import VISIT_TYPES, MonitoringVisit
from careobs.wording import plural

DUE_SOON_DAYS = 14

# Status, in the order the list shows them (most urgent first). The selection draw
# (careobs.selection.draw) compares these strings: keep the names and values.
OVERDUE = "Overdue"  # the due date has passed, whatever the check was due for
NEVER = "Never checked"  # no scored visit and no start date to count a first check from
RECHECK_AFTER_RED = "Re-check due after red"
NEW_STARTER = "New starter — first check due"
RECHECK = "Targeted re-check booked"
DUE_SOON = "Due soon"
UP_TO_DATE = "Up to date"
ORDER = {
    OVERDUE: 0,
    NEVER: 1,
    RECHECK_AFTER_RED: 2,
    NEW_STARTER: 3,
    RECHECK: 4,
    DUE_SOON: 5,
    UP_TO_DATE: 6,
}
OVERDUE_STATUSES = (OVERDUE, NEVER)

# Why the next check is due when it is ("Due because").
BECAUSE_INTERVAL = "regular interval"
BECAUSE_RED = "re-check after red"
BECAUSE_NEW_STARTER = "first check (new starter)"
BECAUSE_ACTION = "targeted re-check (action)"
BECAUSE_NEVER = "never checked (no start date)"
# The status a date that has not passed gives, by reason (regular intervals: see _status).
UPCOMING = {
    BECAUSE_RED: RECHECK_AFTER_RED,
    BECAUSE_NEW_STARTER: NEW_STARTER,
    BECAUSE_ACTION: RECHECK,
}


@dataclass
class WorkerCoverage:
    staff_id: int
    staff_uuid: str
    name: str
    service: str
    start_date: date | None
    last_visit: date | None
    last_unannounced: date | None
    due: date | None
    last_band: str | None
    status: str
    days_since: int | None
    days_since_unannounced: int | None
    recheck_focus: str = ""  # the checklist items a booked re-check is to look at
    due_because: str = ""  # one of the BECAUSE_ reasons

    def days_overdue(self, today: date) -> int | None:
        """How many days past the due date (None unless overdue)."""
        return (today - self.due).days if self.due is not None and self.due < today else None


def workers(
    db: Session, scope: Scope, today: date, staff_ids: list[int] | None = None
) -> list[WorkerCoverage]:
    """Every active care worker in the scope's services (or just ``staff_ids`` of them), most
    urgent first.

    Only submitted visits with a score count as checks: a visit with every item N/A checked
    nothing, so it neither sets the next due date nor the last (unannounced) visit.
    """
    settings = org_settings.settings_for(db, scope.organisation_id)
    # Each worker's latest scored visit and latest scored unannounced one, found through the
    # (staff, planned time) index: the cost grows with the number of workers, not of visits.
    earlier = aliased(MonitoringVisit)

    def latest(column, *conditions):
        return (
            sa.select(column)
            .where(
                earlier.staff_id == StaffMember.id,
                earlier.status == "submitted",
                earlier.score.is_not(None),
                *conditions,
            )
            .order_by(earlier.planned_at.desc())
            .limit(1)
            .correlate(StaffMember)
            .scalar_subquery()
        )

    chosen = [StaffMember.service_id.in_(scope.service_ids), StaffMember.active.is_(True)]
    if staff_ids is not None:
        chosen.append(StaffMember.id.in_(staff_ids))
    last_visit = aliased(MonitoringVisit)
    query = (
        sa.select(
            StaffMember.id,
            StaffMember.uuid,
            StaffMember.name,
            StaffMember.start_date,
            Service.name.label("service_name"),
            last_visit.planned_at.label("last"),
            last_visit.next_check_on,
            last_visit.band,
            latest(earlier.planned_at, earlier.visit_type == "unannounced").label(
                "last_unannounced"
            ),
        )
        .join(Service, Service.id == StaffMember.service_id)
        .outerjoin(last_visit, last_visit.id == latest(earlier.id))
        .where(*chosen)
    )
    rows = db.execute(query).all()
    rechecks = rechecks_due(db, sa.select(StaffMember.id).where(*chosen))
    result = []
    for row in rows:
        member, service_name = row, row.service_name
        last = _local_day(row.last, scope) if row.last else None
        last_unannounced = _local_day(row.last_unannounced, scope) if row.last_unannounced else None
        due, because = _due(row if row.last else None, member, settings.new_starter_days)
        recheck = rechecks.get(member.id)
        if recheck is not None and (due is None or recheck.due_by < due):
            # A booked re-check brings the date forward (a red visit's own booking is due on
            # its next check date, so it changes nothing).
            due = recheck.due_by
            because = BECAUSE_RED if recheck.after_red else BECAUSE_ACTION
        elif recheck is not None and recheck.due_by == due and because == BECAUSE_INTERVAL:
            because = BECAUSE_ACTION  # the same day: the booking says more than the routine
        result.append(
            WorkerCoverage(
                member.id,
                str(member.uuid),
                member.name,
                service_name,
                member.start_date,
                last,
                last_unannounced,
                due,
                row.band,
                _status(due, because, today),
                (today - last).days if last else None,
                (today - last_unannounced).days if last_unannounced else None,
                "; ".join(recheck.focus) if recheck else "",
                because,
            )
        )
    result.sort(key=lambda w: (ORDER[w.status], w.due or date.min, w.name))
    return result


def _due(latest, member, new_starter_days: int) -> tuple[date | None, str]:
    """When a worker's next check is due and why: from their last scored visit (sooner after
    a red one), or for someone never visited from their start date (the first check is due
    within the new-starter window); no date for someone with neither."""
    if latest is not None:
        return latest.next_check_on, BECAUSE_RED if latest.band == "red" else BECAUSE_INTERVAL
    if member.start_date is None:
        return None, BECAUSE_NEVER
    return member.start_date + timedelta(days=new_starter_days), BECAUSE_NEW_STARTER


def _status(due: date | None, because: str, today: date) -> str:
    """Overdue once the date has passed, whatever the check was due for; before that, the
    reason names the status (a regular check is "due soon" within DUE_SOON_DAYS)."""
    if due is None:
        return NEVER
    if due < today:
        return OVERDUE
    if because in UPCOMING:
        return UPCOMING[because]
    return DUE_SOON if due <= today + timedelta(days=DUE_SOON_DAYS) else UP_TO_DATE


def service_scope(db: Session, organisation_id: int, service_ids, today: date) -> Scope:
    """A scope of whole services on ``today``, for coverage read outside the dashboard (the
    daily reminders, a worker's page): only the services and the clock matter to workers()."""
    return whole_services(db, organisation_id, service_ids, today, today)


def _worker_links(people: list[WorkerCoverage]) -> list[str]:
    """Each worker's own page (built once and filled in: url_for per row is slow for 1,500)."""
    blank = str(uuid.UUID(int=0))
    page = url_for("dashboards.worker_page", staff_id=uuid.UUID(int=0))
    return [page.replace(blank, w.staff_uuid) for w in people]


def _local_day(instant: datetime, scope: Scope) -> date:
    return instant.astimezone(scope.zone).date()


@dataclass
class Spread:
    """When the scope's visits happened: by type, and by local weekday and hour."""

    types: dict[str, int]  # every type, whatever the visit-type filter
    weekdays: list[int]  # Monday first; visits of the filtered type only
    hours: list[int]


def spread(db: Session, scope: Scope) -> Spread:
    """One pass over the scope's visits, grouped by type and UTC quarter-hour of the week."""
    spans = offset_spans(scope.start, scope.end, scope.zone)
    slot = slot_columns(MonitoringVisit.planned_at, spans, scope.end)
    rows = db.execute(
        sa.select(MonitoringVisit.visit_type, *slot, sa.func.count().label("visits"))
        .where(
            MonitoringVisit.service_id.in_(scope.service_ids),
            MonitoringVisit.status == "submitted",
            MonitoringVisit.planned_at >= scope.start,
            MonitoringVisit.planned_at < scope.end,
        )
        .group_by(MonitoringVisit.visit_type, *slot)
    )
    result = Spread(dict.fromkeys(VISIT_TYPES, 0), [0] * 7, [0] * 24)
    for row in rows:
        result.types[row.visit_type] += row.visits
        if scope.visit_type and row.visit_type != scope.visit_type:
            continue
        weekday, hour = local_slot(spans[row.span][1], row.quarter)
        result.weekdays[weekday] += row.visits
        result.hours[hour] += row.visits
    return result


CAPTION = (
    'Due dates follow the organisation\'s settings. "Due because" says which: the regular '
    "interval after a visit, a re-check after a red result, a new starter's first check, or a "
    "targeted re-check booked from an action. Overdue means the date has passed, whatever the "
    "reason; never checked means no scored visit and no start date. Visits that scored nothing "
    "(every item N/A) do not count as checks."
)


def tables(
    db: Session, scope: Scope, today: date
) -> tuple[tuple[list[WorkerCoverage], dict[str, int]], list[Table]]:
    """The workers and the visits by type (for the headline), and every table."""
    people = workers(db, scope, today)
    worker_table = Table(
        "workers",
        "Care workers",
        [
            Column("name", "Care worker"),
            Column("service", "Service"),
            Column("status", "Status"),
            Column("due", "Next check due", "date"),
            Column("due_because", "Due because"),
            Column("days_overdue", "Days overdue", "int"),
            Column("last_visit", "Last visit", "date"),
            Column("days_since", "Days since", "int"),
            Column("last_unannounced", "Last unannounced", "date"),
            Column("days_since_unannounced", "Days since unannounced", "int"),
            Column("start_date", "Started", "date"),
            Column("recheck_focus", "Re-check focus"),
        ],
        [
            [
                w.name,
                w.service,
                w.status,
                w.due,
                w.due_because,
                w.days_overdue(today),
                w.last_visit,
                w.days_since,
                w.last_unannounced,
                w.days_since_unannounced,
                w.start_date,
                w.recheck_focus,
            ]
            for w in people
        ],
        caption=CAPTION,
        empty="No care workers in these services.",
        links=_worker_links(people),
    )
    found = spread(db, scope)
    types = found.types
    type_table = counts_with_shares(
        "types",
        "Visits by type",
        Column("type", "Type"),
        ((VISIT_TYPES[code], n) for code, n in types.items()),
        caption=f"{plural(sum(types.values()), 'visit', 'visits')} in the period.",
        chart=Chart("Visits by type", "bar", "type", ("share",)),
    )
    # Each visit of the filtered type counts once by weekday and once by hour: the same total.
    weekday_table = counts_with_shares(
        "weekdays",
        "Visits by weekday",
        Column("day", "Weekday"),
        zip(WEEKDAYS, found.weekdays, strict=True),
        caption=(
            "Local time of the planned visit. Checks spread over every day are harder to predict."
        ),
        chart=Chart("Visits by weekday", "bar", "day", ("visits",), percent=False),
    )
    hour_table = counts_with_shares(
        "hours",
        "Visits by hour of day",
        Column("hour", "Hour"),
        ((f"{hour:02d}:00", n) for hour, n in enumerate(found.hours)),
        caption="Local time of the planned visit.",
        chart=Chart("Visits by hour", "bar", "hour", ("visits",), percent=False),
    )
    return (people, types), [worker_table, type_table, weekday_table, hour_table]


def headline(people: list[WorkerCoverage], types: dict[str, int]) -> list[tuple[str, str]]:
    counts = {status: 0 for status in ORDER}
    for w in people:
        counts[w.status] += 1
    total = sum(types.values())
    unannounced = types["unannounced"]
    return [
        ("Care workers", str(len(people))),
        ("Overdue", str(counts[OVERDUE])),
        ("Never checked", str(counts[NEVER])),
        ("Re-checks due after red", str(counts[RECHECK_AFTER_RED])),
        ("New starters due", str(counts[NEW_STARTER])),
        ("Re-checks booked", str(counts[RECHECK])),
        (f"Due in {DUE_SOON_DAYS} days", str(counts[DUE_SOON])),
        (
            "Unannounced visits",
            f"{unannounced} ({unannounced / total * 100:.1f}%)" if total else "—",
        ),
    ]
