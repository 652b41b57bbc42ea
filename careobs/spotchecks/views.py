"""Monitoring visit pages: the offline visit form, the list of visits and a visit's record."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from careobs.accounts.models import User
from careobs.audit.service import record
from careobs.db import get_session
from careobs.org.models import Service, StaffMember
from careobs.pagination import paginate
from careobs.permissions import can_capture, can_manage_service, capture_required
from careobs.spotchecks.models import VISIT_TYPES, MonitoringVisit, VisitAddendum
from careobs.spotchecks.queries import get_visible, visible_visits
from careobs.spotchecks.scoring import BANDS, RATINGS

bp = Blueprint("visits", __name__, url_prefix="/visits")


class VisitFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    service = SelectField("Service", validators=[Optional()])
    worker = SelectField("Care worker", validators=[Optional()])
    supervisor = SelectField("Supervisor", validators=[Optional()])
    visit_type = SelectField("Type", validators=[Optional()])
    band = SelectField("Result", validators=[Optional()])
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])


class AddendumForm(FlaskForm):
    reason = StringField("Reason for the addendum", validators=[InputRequired(), Length(max=200)])
    text = TextAreaField("Addendum", validators=[InputRequired(), Length(max=5000)])


def _day(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


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
    services = (
        db.execute(
            sa.select(MonitoringVisit.service_id).where(MonitoringVisit.id.in_(in_view)).distinct()
        )
        .scalars()
        .all()
    )
    service_rows = db.scalars(
        sa.select(Service).where(Service.id.in_(services)).order_by(Service.name)
    ).all()
    workers = db.scalars(
        sa.select(StaffMember)
        .where(
            StaffMember.id.in_(
                sa.select(MonitoringVisit.staff_id).where(MonitoringVisit.id.in_(in_view))
            )
        )
        .order_by(StaffMember.name)
    ).all()
    supervisors = db.scalars(
        sa.select(User)
        .where(
            User.id.in_(
                sa.select(MonitoringVisit.supervisor_id).where(MonitoringVisit.id.in_(in_view))
            )
        )
        .order_by(User.display_name)
    ).all()
    form.service.choices = [("", "All"), *((s.uuid.hex, s.name) for s in service_rows)]
    form.worker.choices = [("", "Anyone"), *((w.uuid.hex, w.name) for w in workers)]
    form.supervisor.choices = [("", "Anyone"), *((u.uuid.hex, u.display_name) for u in supervisors)]
    form.visit_type.choices = [("", "Any"), *VISIT_TYPES.items()]
    form.band.choices = [("", "Any"), *BANDS.items()]
    stmt = visible.order_by(MonitoringVisit.planned_at.desc())
    if form.validate():
        pick = {
            "service": ({s.uuid.hex: s.id for s in service_rows}, MonitoringVisit.service_id),
            "worker": ({w.uuid.hex: w.id for w in workers}, MonitoringVisit.staff_id),
            "supervisor": ({u.uuid.hex: u.id for u in supervisors}, MonitoringVisit.supervisor_id),
        }
        for name, (lookup, column) in pick.items():
            value = getattr(form, name).data
            if value:
                stmt = stmt.where(column == lookup.get(value))
        if form.visit_type.data:
            stmt = stmt.where(MonitoringVisit.visit_type == form.visit_type.data)
        if form.band.data:
            stmt = stmt.where(MonitoringVisit.band == form.band.data)
        if form.date_from.data:
            stmt = stmt.where(MonitoringVisit.planned_at >= _day(form.date_from.data))
        if form.date_to.data:
            stmt = stmt.where(
                MonitoringVisit.planned_at < _day(form.date_to.data + timedelta(days=1))
            )
    return render_template(
        "visits/index.html",
        form=form,
        page=paginate(db, stmt),
        may_visit=can_capture(current_user),
        bands=BANDS,
    )


@bp.route("/<uuid:visit_id>", methods=["GET", "POST"])
@login_required
def detail(visit_id: uuid.UUID):
    db = get_session()
    visit = get_visible(db, current_user, visit_id)
    if visit is None:
        abort(404)
    may_add = visit.status == "submitted" and (
        visit.supervisor_id == current_user.id or can_manage_service(current_user, visit.service)
    )
    form = AddendumForm()
    if request.method == "POST":
        if not may_add:
            abort(403)
        if form.validate_on_submit():
            db.add(
                VisitAddendum(
                    visit_id=visit.id,
                    author_id=current_user.id,
                    reason=form.reason.data.strip(),
                    text=form.text.data.strip(),
                )
            )
            record(
                db,
                "visit_addendum_added",
                organisation_id=visit.organisation_id,
                actor=current_user,
                entity=visit,
                summary=form.reason.data.strip(),
            )
            db.commit()
            flash("Addendum added. The original record is unchanged.", "success")
            return redirect(url_for("visits.detail", visit_id=visit.uuid))
    answers = {a.item_id: a for a in visit.answers}
    return render_template(
        "visits/detail.html",
        visit=visit,
        answers=answers,
        ratings=RATINGS,
        form=form,
        may_add=may_add,
        bands=BANDS,
        manages=can_manage_service(current_user, visit.service),
    ), (400 if request.method == "POST" else 200)
