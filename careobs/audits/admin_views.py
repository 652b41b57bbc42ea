"""Planning audits: schedules and champions per service (managers, admins), and "Audits due"
(managers, supervisors, and champions for their own templates)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional

from careobs.accounts.models import User
from careobs.audits import champions as champion_service
from careobs.audits import due as due_audits
from careobs.audits import schedules as schedule_service
from careobs.audits.schedules import (
    MAX_FREQUENCY_DAYS,
    MIN_FREQUENCY_DAYS,
    AuditChampion,
    AuditSchedule,
)
from careobs.checklists.models import Checklist, ChecklistVersion
from careobs.db import get_session
from careobs.org.models import Service
from careobs.permissions import audits_due_scope, may_plan_audits, planning_services
from careobs.wording import plural

bp = Blueprint("audit_plans", __name__, url_prefix="/audits")

FREQUENCY = NumberRange(
    MIN_FREQUENCY_DAYS,
    MAX_FREQUENCY_DAYS,
    message=f"Between {MIN_FREQUENCY_DAYS} and {MAX_FREQUENCY_DAYS} days.",
)


START_WITHIN_DAYS = 366  # a schedule's first due date: no more than a year from today


class ScheduleForm(FlaskForm):
    template = SelectField("Audit template", validators=[InputRequired()])
    frequency_days = IntegerField(
        "Every how many days (optional)",
        validators=[Optional(), FREQUENCY],
        description="Leave empty to use the template's own frequency.",
    )
    starts_on = DateField(
        "First due on (optional)",
        validators=[Optional()],
        description="Leave empty to start today.",
    )


class FrequencyForm(FlaskForm):
    frequency_days = IntegerField(
        "Every how many days", validators=[InputRequired(message="Enter a number."), FREQUENCY]
    )


class ChampionForm(FlaskForm):
    template = SelectField("Audit template", validators=[InputRequired()])
    user = SelectField(
        "Care worker",
        validators=[InputRequired()],
        description="Care workers of this service who have a login.",
    )


def _published_templates(db, organisation_id: int) -> list[Checklist]:
    """The organisation's audit templates that have a published version (can be completed)."""
    published = sa.select(ChecklistVersion.checklist_id).where(
        ChecklistVersion.published_at.is_not(None)
    )
    return list(
        db.scalars(
            sa.select(Checklist)
            .where(
                Checklist.organisation_id == organisation_id,
                Checklist.purpose == "audit",
                Checklist.id.in_(published),
            )
            .order_by(Checklist.name)
        )
    )


def _planned_service(service_id: uuid.UUID) -> Service:
    """A service of the user's organisation (404 otherwise) that they plan audits for (403)."""
    service = get_session().scalar(
        sa.select(Service).where(
            Service.uuid == service_id, Service.organisation_id == current_user.organisation_id
        )
    )
    if service is None:
        abort(404)
    if not may_plan_audits(current_user, service):
        abort(403)
    return service


def _owned(model, record_id: uuid.UUID):
    """A schedule or assignment by public id, 404 outside the organisation, 403 unless the user
    plans its service's audits."""
    record = get_session().scalar(
        sa.select(model).where(
            model.uuid == record_id, model.organisation_id == current_user.organisation_id
        )
    )
    if record is None:
        abort(404)
    if not may_plan_audits(current_user, record.service):
        abort(403)
    return record


def _forms(db, service: Service, schedule_form=None, champion_form=None):
    templates = _published_templates(db, service.organisation_id)
    choices = [(t.uuid.hex, f"{t.name} (every {t.frequency_days or 30} days)") for t in templates]
    schedule_form = schedule_form or ScheduleForm(formdata=None)
    schedule_form.template.choices = choices
    champion_form = champion_form or ChampionForm(formdata=None)
    champion_form.template.choices = [(t.uuid.hex, t.name) for t in templates]
    champion_form.user.choices = [
        (u.uuid.hex, u.display_name) for u in champion_service.candidates(db, service)
    ]
    return templates, schedule_form, champion_form


def _render_plan(service: Service, schedule_form=None, champion_form=None, status: int = 200):
    db = get_session()
    templates, schedule_form, champion_form = _forms(db, service, schedule_form, champion_form)
    in_force, lapsed = champion_service.standing(db, service.id)
    return render_template(
        "audits/admin/schedules.html",
        service=service,
        schedules=schedule_service.schedules_of(db, service.id),
        champions=in_force,
        lapsed=lapsed,
        schedule_form=schedule_form,
        champion_form=champion_form,
        frequency_form=FrequencyForm(formdata=None),
        has_templates=bool(templates),
    ), status


@bp.get("/plan")
@login_required
def plan_index():
    """The services whose audits the user plans."""
    services = list(get_session().scalars(planning_services(current_user).order_by(Service.name)))
    if not services:
        abort(403)
    return render_template("audits/admin/plan_index.html", services=services)


@bp.route("/services/<uuid:service_id>/schedules", methods=["GET", "POST"])
@login_required
def schedules(service_id: uuid.UUID):
    """A service's schedules and champions; POST adds (or restarts) a schedule."""
    service = _planned_service(service_id)
    if request.method == "GET":
        return _render_plan(service)
    db = get_session()
    templates, form, _ = _forms(db, service, ScheduleForm())
    today = due_audits.organisation_today(db, service.organisation_id)
    valid = form.validate_on_submit()
    if form.starts_on.data and abs((form.starts_on.data - today).days) > START_WITHIN_DAYS:
        # What is due is worked out from the first due date on every page that shows it.
        form.starts_on.errors = [*form.starts_on.errors, "Choose a date within a year of today."]
        valid = False
    if not valid:
        return _render_plan(service, schedule_form=form, status=400)
    template = next(t for t in templates if t.uuid.hex == form.template.data)
    frequency = form.frequency_days.data or template.frequency_days or 30
    starts_on = form.starts_on.data or today
    _, changed = schedule_service.add_schedule(
        db, service, template, frequency, starts_on, current_user
    )
    db.commit()
    if changed:
        flash(f"{template.name}: every {plural(frequency, 'day', 'days')}.", "success")
    else:
        flash(f"{template.name} is already scheduled here.", "success")
    return redirect(url_for("audit_plans.schedules", service_id=service.uuid))


@bp.post("/schedules/<uuid:schedule_id>/frequency")
@login_required
def change_frequency(schedule_id: uuid.UUID):
    schedule = _owned(AuditSchedule, schedule_id)
    form = FrequencyForm()
    if not form.validate_on_submit():
        flash(f"Frequency not changed: {next(iter(form.errors.values()))[0]}", "error")
        return _render_plan(schedule.service, status=400)
    db = get_session()
    if schedule_service.change_frequency(db, schedule, form.frequency_days.data, current_user):
        db.commit()
        flash(f"{schedule.checklist.name}: every {schedule.frequency_days} days.", "success")
    return redirect(url_for("audit_plans.schedules", service_id=schedule.service.uuid))


@bp.post("/schedules/<uuid:schedule_id>/stop")
@login_required
def stop(schedule_id: uuid.UUID):
    schedule = _owned(AuditSchedule, schedule_id)
    db = get_session()
    if schedule_service.stop_schedule(db, schedule, current_user):
        db.commit()
        flash(f"{schedule.checklist.name} is no longer scheduled here.", "success")
    return redirect(url_for("audit_plans.schedules", service_id=schedule.service.uuid))


@bp.post("/services/<uuid:service_id>/champions")
@login_required
def assign_champion(service_id: uuid.UUID):
    service = _planned_service(service_id)
    db = get_session()
    templates, _, form = _forms(db, service, champion_form=ChampionForm())
    if not form.validate_on_submit():
        return _render_plan(service, champion_form=form, status=400)
    template = next(t for t in templates if t.uuid.hex == form.template.data)
    user = db.scalar(sa.select(User).where(User.uuid == uuid.UUID(form.user.data)))
    _, created = champion_service.assign(db, service, template, user, current_user)
    db.commit()
    if created:
        flash(f"{user.display_name} may now complete the {template.name}.", "success")
    return redirect(url_for("audit_plans.schedules", service_id=service.uuid))


@bp.post("/champions/<uuid:champion_id>/remove")
@login_required
def remove_champion(champion_id: uuid.UUID):
    champion = _owned(AuditChampion, champion_id)
    service_uuid = champion.service.uuid
    name, template = champion.user.display_name, champion.checklist.name
    db = get_session()
    champion_service.remove(db, champion, current_user)
    db.commit()
    flash(f"{name} no longer completes the {template}.", "success")
    return redirect(url_for("audit_plans.schedules", service_id=service_uuid))


# What "Audits due" shows: by default what needs doing (overdue and due soon).
SHOW = {
    "": ("overdue", "due"),
    "overdue": ("overdue",),
    "due": ("due",),
    "done": ("done",),
    "upcoming": ("upcoming",),
    "all": ("overdue", "due", "done", "upcoming"),
}
SHOW_LABELS = {
    "": "Overdue and due soon",
    "overdue": "Overdue",
    "due": "Due soon",
    "done": "Done, not yet due again",
    "upcoming": "Never done, not due yet",
    "all": "Everything",
}


@bp.get("/due")
@login_required
def due():
    """Audits due, overdue and done in the user's services, worst first."""
    db = get_session()
    today = due_audits.organisation_today(db, current_user.organisation_id)
    services, templates = audits_due_scope(db, current_user)
    if not services:
        abort(403)
    chosen = due_audits.service_by_uuid(db, services, request.args.get("service"))
    if request.args.get("service") and chosen is None:
        abort(404)  # not a service whose audits the user sees (or no such service)
    shown = [chosen] if chosen else services
    status = request.args.get("status", "")
    status = status if status in SHOW else ""
    items = due_audits.services_due(db, shown, today, templates)
    summary = due_audits.Summary.of(items)
    start = today - timedelta(days=due_audits.RATE_DAYS - 1)
    on_time, fell_due = due_audits.on_time_rate(items, start, today)
    items = [i for i in items if i.status in SHOW[status]]
    return render_template(
        "audits/admin/due.html",
        services=services,
        chosen=chosen,
        status=status,
        show=SHOW_LABELS,
        items=items,
        summary=summary,
        on_time=on_time,
        fell_due=fell_due,
        rate_days=due_audits.RATE_DAYS,
        today=today,
        due_soon_days=due_audits.DUE_SOON_DAYS,
    )
