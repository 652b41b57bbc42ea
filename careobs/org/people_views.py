"""Admin screens for the people supported, who appear only as codes."""

from __future__ import annotations

import uuid
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from careobs.db import get_session, utcnow
from careobs.org import service as org_service
from careobs.org.forms import PersonForm
from careobs.org.models import Person
from careobs.org.scoping import (
    get_scoped_or_404,
    manageable_services,
    service_choices,
    service_from_form,
)
from careobs.org.screens import roster_filters, switch_active
from careobs.org.settings import time_zone
from careobs.pagination import paginate
from careobs.permissions import admin_area_required, visible_people
from careobs.privacy import code_warnings

bp = Blueprint("people", __name__, url_prefix="/admin/people")


@bp.get("/")
@admin_area_required
def index():
    stmt, filters = roster_filters(visible_people(current_user).order_by(Person.code), Person)
    return render_template("admin/people.html", page=paginate(get_session(), stmt), **filters)


def organisation_today() -> date:
    """Today on the organisation's clock: no consent can be recorded later than this."""
    zone = time_zone(get_session(), current_user.organisation_id)
    return utcnow().astimezone(zone).date()


def save(form: PersonForm, person: Person | None):
    """Validate what cannot be checked by the form alone, then create or update the person."""
    db = get_session()
    svc = service_from_form(form)
    if svc is None:
        return None
    code = form.code.data.strip()
    if org_service.person_code_taken(db, svc.id, code, except_id=person.id if person else None):
        form.code.errors.append(f"{svc.name} already has a person with the code {code.upper()}.")
        return None
    warnings = code_warnings(code)
    if warnings and not form.confirm_not_identifier.data:
        form.code.errors.extend(warnings)
        form.needs_confirmation = True
        return None
    creating = person is None
    today = org_service.organisation_today(db, current_user.organisation_id)  # before the add
    if creating:
        person = Person(organisation_id=current_user.organisation_id)
        db.add(person)
    if person.service_id != svc.id:  # new, or moved to another service: nothing due before today
        person.added_on = today
    person.service_id = svc.id
    org_service.apply_person(person, form.data)
    summary = f"{svc.name}: {person.code}"
    org_service.record_saved(
        db, person, created=creating, actor=current_user, what="person", summary=summary
    )
    db.commit()
    return person


@bp.route("/new", methods=["GET", "POST"])
@admin_area_required
def new():
    services = manageable_services()
    form = PersonForm(service=request.args.get("service"))
    form.service.choices = service_choices(services)
    form.today = organisation_today()
    if form.validate_on_submit() and (person := save(form, None)):
        flash(f"Added {person.code}.", "success")
        return redirect(url_for("people.index", service=person.service.uuid.hex))
    return render_template("admin/person_form.html", form=form, person=None)


@bp.route("/<uuid:person_id>", methods=["GET", "POST"])
@admin_area_required
def edit(person_id: uuid.UUID):
    person = get_scoped_or_404(Person, person_id)
    form = PersonForm(obj=person)
    if not form.is_submitted():
        # obj= would fill the select with the Service object itself (same attribute name).
        form.service.data = person.service.uuid.hex
    form.service.choices = service_choices(manageable_services())
    form.today = organisation_today()
    if form.validate_on_submit() and save(form, person):
        flash(f"Saved {person.code}.", "success")
        return redirect(url_for("people.index", service=person.service.uuid.hex))
    return render_template("admin/person_form.html", form=form, person=person)


@bp.post("/<uuid:person_id>/active")
@admin_area_required
def toggle_active(person_id: uuid.UUID):
    person = switch_active(Person, person_id, "person")
    flash(f"{person.code} is now {'active' if person.active else 'inactive'}.", "success")
    return redirect(url_for("people.edit", person_id=person.uuid))
