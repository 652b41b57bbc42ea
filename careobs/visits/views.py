"""Monitoring visit pages: the offline visit form, the list of visits and a visit's record."""

from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from wtforms import SelectField
from wtforms.validators import Optional, ValidationError

from careobs.accounts.models import User
from careobs.capture import addenda
from careobs.checklists.scoring import BANDS, RATINGS
from careobs.days import DateRangeFilter, within_days
from careobs.db import get_session
from careobs.forms import FilterForm
from careobs.org.models import Service, StaffMember
from careobs.org.settings import time_zone
from careobs.pagination import paginate
from careobs.permissions import (
    can_capture,
    capture_required,
    get_visible_visit,
    may_follow_up_visit,
    visible_visits,
)
from careobs.visits.models import VISIT_TYPES, MonitoringVisit

bp = Blueprint("visits", __name__, url_prefix="/visits")


class ListChoice(SelectField):
    """A filter picked from a list; a value not on the list (typed into the address, or for a
    service or person the user may not see) is an error in words, not a silent "All"."""

    def __init__(self, label, unknown: str, **kwargs):
        super().__init__(label, validators=[Optional()], **kwargs)
        self.unknown = unknown

    def pre_validate(self, form):
        if self.data and self.data not in {value for value, _label in self.choices}:
            raise ValidationError(self.unknown)


class VisitFilterForm(DateRangeFilter, FilterForm):
    service = ListChoice("Service", "Choose a service from the list.")
    worker = ListChoice(
        "Care worker", "Choose a care worker from the list: it offers those whose visits you see."
    )
    supervisor = ListChoice(
        "Supervisor", "Choose a supervisor from the list: it offers those whose visits you see."
    )
    visit_type = ListChoice("Type", "Choose announced, unannounced or responsive.")
    band = ListChoice("Result", "Choose green, amber or red.")


def _filtered(stmt: sa.Select, form: VisitFilterForm, lookups: dict, zone: ZoneInfo) -> sa.Select:
    """The list narrowed by a valid filter form; days are the organisation's local days."""
    for name, (lookup, column) in lookups.items():
        value = getattr(form, name).data
        if value:
            stmt = stmt.where(column == lookup[value])
    if form.visit_type.data:
        stmt = stmt.where(MonitoringVisit.visit_type == form.visit_type.data)
    if form.band.data:
        stmt = stmt.where(MonitoringVisit.band == form.band.data)
    days = within_days(MonitoringVisit.planned_at, form.date_from.data, form.date_to.data, zone)
    return stmt.where(*days)


def _named_in_visits(db, in_view: sa.Select, column, name) -> list:
    """The services, workers or supervisors (``column`` of a visit) of the visits in view,
    sorted by ``name``, their model's name column: the list's filters offer only those."""
    model = name.class_
    used = sa.select(column).where(MonitoringVisit.id.in_(in_view))
    return db.scalars(sa.select(model).where(model.id.in_(used)).order_by(name)).all()


@bp.get("/record")
@capture_required
def record_page():
    """The visit form: works offline once opened, driven by visit-form.js."""
    return render_template("visits/record.html")


@bp.get("/")
@login_required
def index():
    db = get_session()
    visible = visible_visits(current_user)
    ids = visible.with_only_columns(MonitoringVisit.id).subquery()
    in_view = sa.select(ids.c.id)
    form = VisitFilterForm(request.args)
    service_rows = _named_in_visits(db, in_view, MonitoringVisit.service_id, Service.name)
    workers = _named_in_visits(db, in_view, MonitoringVisit.staff_id, StaffMember.name)
    supervisors = _named_in_visits(db, in_view, MonitoringVisit.supervisor_id, User.display_name)
    form.service.choices = [("", "All"), *((s.uuid.hex, s.name) for s in service_rows)]
    form.worker.choices = [("", "Anyone"), *((w.uuid.hex, w.name) for w in workers)]
    form.supervisor.choices = [("", "Anyone"), *((u.uuid.hex, u.display_name) for u in supervisors)]
    form.visit_type.choices = [("", "Any"), *VISIT_TYPES.items()]
    form.band.choices = [("", "Any"), *BANDS.items()]
    zone = time_zone(db, current_user.organisation_id)
    stmt = visible.order_by(MonitoringVisit.planned_at.desc()).options(
        selectinload(MonitoringVisit.staff), selectinload(MonitoringVisit.supervisor)
    )
    if form.validate():
        lookups = {
            "service": ({s.uuid.hex: s.id for s in service_rows}, MonitoringVisit.service_id),
            "worker": ({w.uuid.hex: w.id for w in workers}, MonitoringVisit.staff_id),
            "supervisor": ({u.uuid.hex: u.id for u in supervisors}, MonitoringVisit.supervisor_id),
        }
        stmt = _filtered(stmt, form, lookups, zone)
    else:
        # Nothing rather than a list that quietly ignores part of what was asked for: the
        # errors sit next to the filters to correct.
        stmt = stmt.where(sa.false())
    return render_template(
        "visits/index.html",
        form=form,
        page=paginate(db, stmt),
        may_visit=can_capture(current_user),
        bands=BANDS,
        zone=zone,
    )


@bp.get("/<uuid:visit_id>")
@login_required
def detail(visit_id: uuid.UUID, form: addenda.AddendumForm | None = None):
    """A visit's record; ``form`` is an addendum refused by ``addenda.add_addendum``."""
    db = get_session()
    visit = get_visible_visit(db, current_user, visit_id)
    if visit is None:
        abort(404)
    may_add = addenda.may_add(current_user, visit)
    answers = {a.item_id: a for a in visit.answers}
    return render_template(
        "visits/detail.html",
        visit=visit,
        answers=answers,
        ratings=RATINGS,
        form=form or addenda.form_for(addenda.MONITORING_VISIT),
        may_add=may_add,
        bands=BANDS,
        may_follow_up=may_follow_up_visit(current_user, visit),
        zone=time_zone(db, current_user.organisation_id),
    ), (200 if form is None else 400)


addenda.register(
    bp,
    "/<uuid:visit_id>",
    addenda.MONITORING_VISIT,
    find=get_visible_visit,
    page=detail,
    guard=login_required,
)
