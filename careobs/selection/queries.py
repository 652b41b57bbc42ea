"""What happened after the draws: were the care workers drawn then visited, the people drawn
then asked how their care is going? Read for the evidence pack.

A care worker counts as **checked** when a submitted monitoring visit of them with a score
took place after the draw was made and on or before ``last`` (the end of the period the pack
covers, a day on the organisation's clock); a visit with nothing scored checked nothing, and a
visit earlier on the day of the draw was not its follow-up. A person drawn in a homecare
service counts as **asked** when a submitted monitoring visit in that service to their code
recorded their view (a satisfaction rating or a comment: item 13 of the checklist, "the
person's view") in the same time. Nothing else in careobs records asking a person: in a care
home, QUIS observes people but does not ask them, so there whether they were asked is not
recorded. A visit took place at its arrival, or its planned time when no arrival was recorded
(as for re-checks).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from careobs.days import local_midnight, within_days
from careobs.org import settings as org_settings
from careobs.org.models import Person, Service, StaffMember
from careobs.selection.models import SelectionDraw
from careobs.selection.service import verify
from careobs.visits.models import MonitoringVisit


@dataclass(frozen=True)
class FollowUp:
    """One draw and what followed it. ``checked`` is None when careobs cannot know."""

    draw: SelectionDraw
    day: date  # the local day it was made
    verified: bool  # re-running it from its seed and inputs gives its result
    drawn: int
    checked: int | None

    @property
    def not_checked(self) -> int | None:
        return None if self.checked is None else self.drawn - self.checked


def asking_recorded(service: Service) -> bool:
    """Whether careobs records asking the people of this kind of service (see the module)."""
    return service.kind == "homecare"


def follow_ups(db: Session, service: Service, kind: str, first: date, last: date) -> list[FollowUp]:
    """The service's draws of ``kind`` made from ``first`` to ``last`` (local days), in the
    order they were made, each with how many of those drawn were then checked by ``last``."""
    zone = org_settings.time_zone(db, service.organisation_id)
    made = list(
        db.scalars(
            sa.select(SelectionDraw)
            .where(
                SelectionDraw.service_id == service.id,
                SelectionDraw.kind == kind,
                *within_days(SelectionDraw.created_at, first, last, zone),
            )
            .options(selectinload(SelectionDraw.requested_by))
            .order_by(SelectionDraw.sequence)
        )
    )
    if not made:
        return []
    days = [d.created_at.astimezone(zone).date() for d in made]
    if kind == "workers":
        seen = _workers_visited(db, made, min(days), last, zone)
    elif asking_recorded(service):
        seen = _people_asked(db, service, made, min(days), last, zone)
    else:
        seen = None
    result = []
    for draw_row, day in zip(made, days, strict=True):
        keys = [row["key"] for row in draw_row.result]
        checked = None
        if seen is not None:
            checked = sum(
                any(at >= draw_row.created_at for at in seen.get(key, ())) for key in keys
            )
        result.append(FollowUp(draw_row, day, verify(draw_row), len(keys), checked))
    return result


def _window(first: date, last: date, zone) -> list:
    """Visits whose day (arrival, else planned time) is from ``first`` to ``last``."""
    when = sa.func.coalesce(MonitoringVisit.arrived_at, MonitoringVisit.planned_at)
    return [
        when >= local_midnight(first, zone),
        when < local_midnight(last + timedelta(days=1), zone),
    ]


def _workers_visited(db: Session, made, first: date, last: date, zone) -> dict[str, list[datetime]]:
    """For each care worker drawn (by staff uuid), when their scored visits took place."""
    keys = {row["key"] for d in made for row in d.result}
    rows = db.execute(
        sa.select(StaffMember.uuid, MonitoringVisit.arrived_at, MonitoringVisit.planned_at)
        .join(StaffMember, StaffMember.id == MonitoringVisit.staff_id)
        .where(
            StaffMember.uuid.in_(_uuids(keys)),
            MonitoringVisit.status == "submitted",
            MonitoringVisit.score.is_not(None),
            *_window(first, last, zone),
        )
    ).all()
    seen: dict[str, list[datetime]] = defaultdict(list)
    for staff_uuid, arrived, planned in rows:
        seen[str(staff_uuid)].append(arrived or planned)
    return seen


def _people_asked(
    db: Session, service: Service, made, first: date, last: date, zone
) -> dict[str, list[datetime]]:
    """For each person drawn (by person uuid), when a visit in the service recorded their
    view. Visits name people by code; a drawn person's code is the one stored with the draw
    or their code now, if it has changed since."""
    codes: dict[str, set[str]] = defaultdict(set)
    for d in made:
        for row in d.result:
            codes[row["key"]].add(row["label"])
    for person_uuid, code in db.execute(
        sa.select(Person.uuid, Person.code).where(
            Person.service_id == service.id, Person.uuid.in_(_uuids(codes))
        )
    ):
        codes[str(person_uuid)].add(code)
    by_code: dict[str, list[datetime]] = defaultdict(list)
    rows = db.execute(
        sa.select(
            MonitoringVisit.person_code, MonitoringVisit.arrived_at, MonitoringVisit.planned_at
        ).where(
            MonitoringVisit.service_id == service.id,
            MonitoringVisit.status == "submitted",
            MonitoringVisit.person_code.in_({c for cs in codes.values() for c in cs}),
            sa.or_(MonitoringVisit.satisfaction.is_not(None), MonitoringVisit.person_comment != ""),
            *_window(first, last, zone),
        )
    ).all()
    for code, arrived, planned in rows:
        by_code[code].append(arrived or planned)
    return {key: [at for c in cs for at in by_code.get(c, ())] for key, cs in codes.items()}


def _uuids(keys) -> list:
    """The keys that are UUIDs, as UUIDs (a stored draw's keys are; anything else is skipped)."""
    found = []
    for key in keys:
        try:
            found.append(uuid.UUID(str(key)))
        except ValueError:
            continue
    return found
