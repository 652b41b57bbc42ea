"""The compliments and concerns log pages: the log, recording an entry, one entry and the
response to a concern. HTTP only: careobs.compliments.service writes, careobs.permissions
decides who may do what."""

from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from careobs.actions import choices as action_choices
from careobs.compliments import service
from careobs.compliments.forms import ComplimentForm, LogFilterForm, ResponseForm
from careobs.compliments.models import Compliment
from careobs.db import get_session
from careobs.feedback.models import Feedback
from careobs.org.models import Organisation, Person, StaffMember
from careobs.org.service import organisation_today
from careobs.pagination import paginate
from careobs.permissions import (
    capture_required,
    compliment_services,
    get_visible_compliment,
    may_edit_compliment_sections,
    may_record_compliment,
    may_respond_to_concern,
    may_see_compliment_trends,
    visible_compliments,
)

bp = Blueprint("compliments", __name__, url_prefix="/compliments")

EARLIEST = date(2000, 1, 1)


def _today() -> date:
    return organisation_today(get_session(), current_user.organisation_id)


@bp.get("/")
@capture_required
def index():
    """The log of the services the user manages, and what they recorded themselves."""
    db = get_session()
    services = list(db.scalars(compliment_services(current_user)))
    sections = service.sections(db, current_user.organisation_id)
    db.commit()  # the default sections, added on first use
    form = LogFilterForm(request.args)
    form.service.choices = [
        SelectChoice("", "All"),
        *(SelectChoice(s.uuid.hex, s.name) for s in services),
    ]
    form.section.choices = [
        SelectChoice("", "Any section"),
        *(SelectChoice(s.key, s.label) for s in sections),
    ]
    stmt = visible_compliments(current_user)
    if form.validate():
        chosen = next((s for s in services if s.uuid.hex == form.service.data), None)
        if chosen is not None:
            stmt = stmt.where(Compliment.service_id == chosen.id)
        if form.kind.data:
            stmt = stmt.where(Compliment.kind == form.kind.data)
        section = next((s for s in sections if s.key == form.section.data), None)
        if section is not None:
            stmt = stmt.where(Compliment.section_id == section.id)
    else:
        stmt = stmt.where(sa.false())
    stmt = stmt.order_by(Compliment.received_on.desc(), Compliment.id.desc()).options(
        selectinload(Compliment.section),
        selectinload(Compliment.service),
        selectinload(Compliment.person),
    )
    return render_template(
        "compliments/index.html",
        form=form,
        page=paginate(db, stmt),
        may_record=bool(services),
        shows_trends=may_see_compliment_trends(current_user),
        edits_sections=may_edit_compliment_sections(
            current_user, db.get(Organisation, current_user.organisation_id)
        ),
    )


def _fill(db, form: ComplimentForm, services, sections) -> list[StaffMember]:
    form.service.choices = [
        SelectChoice("", "Choose a service"),
        *(SelectChoice(s.uuid.hex, s.name) for s in services),
    ]
    form.section.choices = [
        SelectChoice("", "Choose a section"),
        *(SelectChoice(s.key, s.label) for s in sections),
    ]
    names = {s.id: s.name for s in services}
    staff = list(
        db.scalars(
            sa.select(StaffMember)
            .where(StaffMember.service_id.in_(names), StaffMember.active.is_(True))
            .order_by(StaffMember.name)
        )
    )
    choices = [SelectChoice(m.uuid.hex, m.name, optgroup=names[m.service_id]) for m in staff]
    form.staff.choices = sorted(choices, key=lambda c: c.optgroup)
    return staff


@bp.route("/new", methods=["GET", "POST"])
@capture_required
def new():
    """Record a compliment or concern. The form carries the entry's id from when it was shown,
    so sending it twice records it once."""
    db = get_session()
    services = list(db.scalars(compliment_services(current_user)))
    if not services:
        abort(403)
    sections = service.sections(db, current_user.organisation_id)
    db.commit()
    form = ComplimentForm()
    staff = _fill(db, form, services, sections)
    if request.method == "GET":
        form.entry_id.data = uuid.uuid4().hex
        form.received_on.data = _today()
        if len(services) == 1:
            form.service.data = services[0].uuid.hex
    if form.validate_on_submit():
        try:
            entry_id = uuid.UUID(form.entry_id.data or "")
        except ValueError:
            abort(400, "The form is missing its entry id: open the form again.")
        checked = _checked(db, form, services, sections, staff)
        if checked is not None:
            already = get_visible_compliment(db, current_user, entry_id)
            if already is not None:  # sent twice: the first is the entry
                return redirect(url_for("compliments.detail", compliment_id=already.uuid))
            chosen, section, person, named = checked
            try:
                entry = service.record(
                    db,
                    current_user,
                    entry_id=entry_id,
                    service=chosen,
                    kind=form.kind.data,
                    section=section,
                    received_on=form.received_on.data,
                    source=form.source.data,
                    person=person,
                    text=form.text.data,
                    staff=named,
                )
                db.commit()
            except sa.exc.IntegrityError:  # the same form, sent at the same moment
                db.rollback()
                entry = get_visible_compliment(db, current_user, entry_id)
                if entry is None:
                    abort(409, "This entry was recorded by someone else.")
                return redirect(url_for("compliments.detail", compliment_id=entry.uuid))
            flash(_recorded_message(entry, len(named)))
            return redirect(url_for("compliments.detail", compliment_id=entry.uuid))
    status = 400 if request.method == "POST" else 200
    return render_template("compliments/form.html", form=form), status


def _recorded_message(entry: Compliment, named: int) -> str:
    if named == 1:
        return (
            f"{entry.kind_label} recorded. Feedback to the care worker is drafted, for a manager "
            "to release."
        )
    if named:
        return (
            f"{entry.kind_label} recorded. Feedback to the {named} care workers is drafted, for "
            "a manager to release."
        )
    return f"{entry.kind_label} recorded."


def _checked(db, form: ComplimentForm, services, sections, staff):
    """(service, section, person, staff named) from a submitted form, or None after adding
    form errors: every choice must be one the form offered, for the chosen service."""
    chosen = next((s for s in services if s.uuid.hex == form.service.data), None)
    section = next((s for s in sections if s.key == form.section.data), None)
    if chosen is None or not may_record_compliment(current_user, chosen):
        form.service.errors.append("Choose a service.")
    if section is None:
        form.section.errors.append("Choose what it is about.")
    today = _today()
    if form.received_on.data > today:
        form.received_on.errors.append("The date it was received cannot be in the future.")
    elif form.received_on.data < EARLIEST:
        form.received_on.errors.append(f"Enter a date from {EARLIEST.year} on.")
    person = None
    code = (form.person_code.data or "").strip()
    if code and chosen is not None and not form.person_code.errors:
        person = db.scalar(
            sa.select(Person).where(Person.service_id == chosen.id, Person.code == code)
        )
        if person is None:
            form.person_code.errors.append(f"No person supported has the code {code} here.")
        elif not person.active:
            form.person_code.errors.append(
                f"{code} no longer receives support here: give the code of a person supported "
                "now, or leave it blank."
            )
            person = None
    by_id = {m.uuid.hex: m for m in staff}
    named = [by_id[v] for v in dict.fromkeys(form.staff.data or []) if v in by_id]
    if named and form.kind.data != "compliment":
        form.staff.errors.append("Name care workers only in a compliment.")
    elif chosen is not None and any(m.service_id != chosen.id for m in named):
        form.staff.errors.append("Name only care workers of the service it is about.")
    if form.errors:
        return None
    return chosen, section, person, named


def _load(compliment_id: uuid.UUID) -> Compliment:
    entry = get_visible_compliment(get_session(), current_user, compliment_id)
    if entry is None:
        abort(404)
    return entry


def _render_detail(entry: Compliment, form: ResponseForm | None = None, status: int = 200):
    db = get_session()
    feedback = list(
        db.scalars(
            sa.select(Feedback)
            .where(Feedback.compliment_id == entry.id)
            .options(selectinload(Feedback.staff))
        )
    )
    may_respond = may_respond_to_concern(current_user, entry)
    if may_respond and form is None:
        form = ResponseForm(
            formdata=None, response=entry.response, seen=service.response_token(entry.response)
        )
    if form is not None:
        owners, _meaning = action_choices.owner_choices(db, [entry.service])
        form.owner.choices = [SelectChoice("", "No owner yet"), *owners]
    return render_template(
        "compliments/detail.html",
        entry=entry,
        feedback=sorted(feedback, key=lambda f: f.staff.name),
        form=form if may_respond else None,
        privacy_flags=service.privacy_flags(entry),
    ), status


@bp.get("/<uuid:compliment_id>")
@capture_required
def detail(compliment_id: uuid.UUID):
    return _render_detail(_load(compliment_id))


@bp.post("/<uuid:compliment_id>/respond")
@capture_required
def respond(compliment_id: uuid.UUID):
    """The response to a concern and, optionally, the action it raises."""
    db = get_session()
    entry = _load(compliment_id)
    if not may_respond_to_concern(current_user, entry):
        abort(403)
    form = ResponseForm()
    owners, meaning = action_choices.owner_choices(db, [entry.service])
    form.owner.choices = [SelectChoice("", "No owner yet"), *owners]
    if not form.validate_on_submit():
        return _render_detail(entry, form, 400)
    if form.due_on.data is not None and form.due_on.data < _today():
        form.due_on.errors.append("The due date cannot be in the past.")
        return _render_detail(entry, form, 400)
    owner = meaning.get(f"{form.owner.data}@{entry.service_id}") if form.owner.data else None
    try:
        service.respond(
            db,
            current_user,
            entry,
            response=form.response.data or "",
            action_text=form.action.data or "",
            owner=owner,
            due_on=form.due_on.data,
            seen=form.seen.data or service.response_token(""),
        )
        db.commit()
    except service.AnsweredMeanwhile:
        db.rollback()
        form.seen.data = service.response_token(entry.response)
        form.response.errors.append(
            "Someone else answered this concern meanwhile: here is their answer, above. Your "
            "response was not saved; it is kept here for you to add to theirs and save again."
        )
        return _render_detail(entry, form, 409)
    except service.ResponseReplaced:
        db.rollback()
        form.response.errors.append(
            "A saved response is not changed or removed: keep it as it is and add below it "
            "what happened next."
        )
        return _render_detail(entry, form, 400)
    except service.ActionedMeanwhile:
        db.rollback()
        form.response.errors.append(
            "Someone else raised an action for this concern at the same moment, so your "
            "response was not saved. Their action is shown above; your text is kept here: "
            "save it again."
        )
        return _render_detail(entry, form, 409)
    flash("Response saved.")
    return redirect(url_for("compliments.detail", compliment_id=entry.uuid))
