"""The dashboard filters: read from the URL (so a view can be shared), checked, and resolved
into a :class:`Scope` that the queries trust."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session
from wtforms import DateField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from careobs.checklists.models import Checklist
from careobs.days import local_midnight
from careobs.forms import FilterForm
from careobs.org import settings as org_settings
from careobs.org.models import Area, Service
from careobs.periods import GROUPINGS, Period, periods
from careobs.permissions import dashboard_services
from careobs.quis.models import CONTEXTS
from careobs.visits.models import VISIT_TYPES

MAX_DAYS = 3 * 366
# The kind of service each dashboard counts; audits are run in care homes and homecare alike.
KIND_FOR = {
    "quis": "care_home",
    "visits": "homecare",
    "coverage": "homecare",
    "audits": None,
    "compliments": None,
}
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)


def _plausible_date(form, field) -> None:
    """Dates near the calendar's ends (year 9999) would overflow the period arithmetic."""
    if field.data and not EARLIEST <= field.data <= LATEST:
        raise ValidationError(f"Pick a date between {EARLIEST.year} and {LATEST.year}.")


class DashboardFilters(FilterForm):
    service = SelectMultipleField("Services", validators=[Optional()])
    date_from = DateField("From", validators=[Optional(), _plausible_date])
    date_to = DateField("To", validators=[Optional(), _plausible_date])
    grouping = SelectField(
        "Group by",
        choices=[SelectChoice(k, v) for k, v in GROUPINGS.items()],
        default="month",
        validators=[Optional()],
    )
    context = SelectField(
        "Context",
        choices=[SelectChoice("", "Any context")]
        + [SelectChoice(k, v) for k, v in CONTEXTS.items()],
        default="",
        validators=[Optional()],
    )
    area = SelectField("Area", default="", validators=[Optional()])
    visit_type = SelectField(
        "Visit type",
        choices=[SelectChoice("", "Any type")]
        + [SelectChoice(k, v) for k, v in VISIT_TYPES.items()],
        default="",
        validators=[Optional()],
    )

    template = SelectField("Audit template", default="", validators=[Optional()])

    def validate_date_to(self, field) -> None:
        if self.date_from.data and field.data:
            if field.data < self.date_from.data:
                raise ValidationError("Must be on or after the start date.")
            if (field.data - self.date_from.data).days > MAX_DAYS:
                raise ValidationError("Pick a period of at most three years.")


@dataclass(frozen=True)
class Scope:
    """What a dashboard may count: checked services, local dates and the other filters.

    ``service_ids`` only ever hold services of the user's organisation that they may see, so
    queries filter on them alone: an extra ``organisation_id =`` condition would tempt SQLite
    into scanning the whole organisation's rows through that index instead of the
    (service, time) index.
    """

    organisation_id: int
    zone: ZoneInfo
    service_ids: tuple[int, ...]
    first: date
    last: date
    grouping: str
    context: str | None
    area_id: int | None
    visit_type: str | None
    query: dict  # the filters as URL parameters, for links to the same view
    template_id: int | None = None  # the audits dashboard's template (a checklist's id)

    @property
    def start(self) -> datetime:
        return local_midnight(self.first, self.zone)

    @property
    def end(self) -> datetime:
        return local_midnight(self.last + timedelta(days=1), self.zone)

    @cached_property
    def spans(self) -> list[Period]:
        return periods(self.first, self.last, self.grouping, self.zone)

    def periods(self) -> list[Period]:
        """The weeks or months of the scope (worked out once per scope)."""
        return self.spans


def whole_services(
    db: Session, organisation_id: int, service_ids, first: date, last: date
) -> Scope:
    """A monthly scope of whole services from ``first`` to ``last`` (local dates, both
    included) with no other filter, for figures read outside the dashboard pages: the evidence
    pack, the daily reminders, a worker's page."""
    return Scope(
        organisation_id=organisation_id,
        zone=org_settings.time_zone(db, organisation_id),
        service_ids=tuple(service_ids),
        first=first,
        last=last,
        grouping="month",
        context=None,
        area_id=None,
        visit_type=None,
        query={},
    )


def default_range(today: date) -> tuple[date, date]:
    """The last twelve months by calendar month: the eleven whole months before this one, and
    this month up to today. Counted in months, not days, so it is twelve in every month of every
    year (335 days back gave thirteen after a 31-day month)."""
    month = today.year * 12 + today.month - 1 - 11
    return date(month // 12, month % 12 + 1, 1), today


def build_form(db: Session, user, dashboard: str, args, today: date) -> DashboardFilters:
    """The filter form for ``dashboard`` with the choices this user may pick."""
    form = DashboardFilters(formdata=args, meta={"csrf": False})
    kind = KIND_FOR[dashboard]
    services = db.scalars(
        dashboard_services(user).where(
            *([Service.kind == kind] if kind else []), Service.active.is_(True)
        )
    ).all()
    form.service.choices = [SelectChoice(str(s.uuid), s.name) for s in services]
    # As tall as the list (a box of four empty rows for one service looks broken), up to 6.
    form.service.render_kw = {"size": min(6, max(2, len(services)))}
    areas = db.execute(
        sa.select(Area, Service.name)
        .join(Service, Area.service_id == Service.id)
        .where(Area.service_id.in_([s.id for s in services]), Area.active.is_(True))
        .order_by(Service.name, Area.name)
    ).all()
    many = len(services) > 1
    form.area.choices = [SelectChoice("", "Any area")] + [
        SelectChoice(str(a.uuid), f"{name} — {a.name}" if many else a.name) for a, name in areas
    ]
    templates = db.execute(
        sa.select(Checklist.uuid, Checklist.name)
        .where(Checklist.organisation_id == user.organisation_id, Checklist.purpose == "audit")
        .order_by(Checklist.name)
    ).all()
    form.template.choices = [SelectChoice("", "Every template")] + [
        SelectChoice(str(u), name) for u, name in templates
    ]
    first, last = default_range(today)
    if not args.get("date_from"):
        form.date_from.data = first
    if not args.get("date_to"):
        form.date_to.data = last
    form.services = services
    return form


def scope_from(db: Session, user, form: DashboardFilters, dashboard: str) -> Scope:
    """The checked filters as a scope; call only after ``form.validate()`` succeeded."""
    by_uuid = {str(s.uuid): s.id for s in form.services}
    chosen = [by_uuid[u] for u in form.service.data or [] if u in by_uuid]
    service_ids = tuple(chosen or by_uuid.values())
    area_id = None
    if form.area.data:
        area_id = db.scalar(sa.select(Area.id).where(Area.uuid == uuid.UUID(form.area.data)))
    query = {
        "service": list(form.service.data or []),
        "date_from": form.date_from.data.isoformat(),
        "date_to": form.date_to.data.isoformat(),
        "grouping": form.grouping.data or "month",
    }
    template_id = None
    if dashboard == "quis":
        query |= {"context": form.context.data or "", "area": form.area.data or ""}
    elif dashboard == "audits":
        query |= {"template": form.template.data or ""}
        if form.template.data:
            template_id = db.scalar(
                sa.select(Checklist.id).where(
                    Checklist.uuid == uuid.UUID(form.template.data),
                    Checklist.organisation_id == user.organisation_id,
                )
            )
    elif dashboard in ("visits", "coverage"):
        query |= {"visit_type": form.visit_type.data or ""}
    return Scope(
        organisation_id=user.organisation_id,
        zone=org_settings.time_zone(db, user.organisation_id),
        service_ids=service_ids,
        first=form.date_from.data,
        last=form.date_to.data,
        grouping=form.grouping.data or "month",
        context=(form.context.data or None) if dashboard == "quis" else None,
        area_id=area_id if dashboard == "quis" else None,
        visit_type=(form.visit_type.data or None) if dashboard in ("visits", "coverage") else None,
        query={k: v for k, v in query.items() if v},
        template_id=template_id,
    )
