"""A manager's pages for giving quality checkers their work: a staff audit to co-audit, a drawn
person to talk with, and the service's list of what checkers hold (with the lapsed ones)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from wtforms import SelectField
from wtforms.validators import InputRequired

from careobs.accounts.models import User
from careobs.checkers import service
from careobs.checkers.models import CheckerAssignment
from careobs.db import get_session
from careobs.org.models import Person, Service
from careobs.permissions import (
    checker_may_open,
    get_visible_audit,
    get_visible_draw,
    may_ask_co_audit,
    may_assign_checkers,
    may_give_conversation,
    only_a_quality_checker,
)

bp = Blueprint("checkers", __name__, url_prefix="/checkers")

LARGEST_ID = 2**31 - 1  # an integer key above this is no row (and PostgreSQL would refuse it)


class CheckerForm(FlaskForm):
    checker = SelectField(
        "Quality checker",
        validators=[InputRequired()],
        description="Quality checkers of this service. They see the subject as a code, never"
        " a staff name.",
    )


def _form(db, svc: Service) -> CheckerForm:
    form = CheckerForm()
    form.checker.choices = [(u.uuid.hex, u.display_name) for u in service.candidates(db, svc)]
    return form


def _chosen(db, form: CheckerForm) -> User:
    return db.scalar(sa.select(User).where(User.uuid == uuid.UUID(form.checker.data)))


@bp.before_app_request
def keep_checkers_to_their_pages():
    """Someone who is only a quality checker gets 403 for any page but theirs (careobs
    .permissions.checker_may_open), whatever that page would show another logged-in user."""
    if (
        current_user.is_authenticated
        and only_a_quality_checker(current_user)
        and not checker_may_open(request.endpoint)
    ):
        abort(403)


@bp.app_context_processor
def checker_offers():
    """What the audit and draw pages ask to offer a manager the checkers' buttons."""
    return {
        "may_ask_co_audit": may_ask_co_audit,
        "may_assign_checkers": may_assign_checkers,
        "may_give_conversation": may_give_conversation,
        "conversations_given": _conversations_given,
    }


def _conversations_given(draw) -> dict[str, CheckerAssignment]:
    """The draw's people given to checkers, by code (for the draw page): one query, the code
    and the checker (whom the page names) read with each assignment, not one read per person."""
    rows = get_session().execute(
        sa.select(Person.code, CheckerAssignment)
        .join(Person, Person.id == CheckerAssignment.person_id)
        .where(CheckerAssignment.draw_id == draw.id)
        .options(joinedload(CheckerAssignment.user))
    )
    return {code: assignment for code, assignment in rows}


@bp.route("/co-audits/<uuid:audit_id>", methods=["GET", "POST"])
@login_required
def co_audit(audit_id: uuid.UUID):
    """Ask a quality checker to co-audit a submitted staff audit; who already has it."""
    db = get_session()
    audit = get_visible_audit(db, current_user, audit_id)
    if audit is None:
        abort(404)
    if not may_ask_co_audit(current_user, audit):
        abort(403)
    form = _form(db, audit.service)
    if form.validate_on_submit():
        checker = _chosen(db, form)
        _, created = service.give_co_audit(db, audit, checker, current_user)
        db.commit()
        flash(
            f"{checker.display_name} has been asked to co-audit this."
            if created
            else f"{checker.display_name} already has this co-audit.",
            "success",
        )
        return redirect(url_for("checkers.co_audit", audit_id=audit.uuid))
    given = db.scalars(sa.select(CheckerAssignment).where(CheckerAssignment.audit_id == audit.id))
    return render_template(
        "checkers/co_audit.html",
        audit=audit,
        subject=service.subject_text(audit),
        form=form,
        given=list(given),
    ), (400 if form.errors else 200)


@bp.route("/draws/<uuid:draw_id>/people/<code>", methods=["GET", "POST"])
@login_required
def conversation(draw_id: uuid.UUID, code: str):
    """Give the conversation with one person a draw picked to a quality checker."""
    db = get_session()
    draw = get_visible_draw(db, current_user, draw_id)
    if draw is None or code not in {row.get("label") for row in draw.result}:
        abort(404)
    if not may_give_conversation(current_user, draw):
        abort(403)
    person = db.scalar(
        sa.select(Person).where(Person.service_id == draw.service_id, Person.code == code)
    )
    if person is None:
        abort(404)
    form = _form(db, draw.service)
    if form.validate_on_submit():
        checker = _chosen(db, form)
        held, created = service.give_conversation(db, draw, person, checker, current_user)
        db.commit()
        if created or held.user_id == checker.id:
            flash(f"{checker.display_name} will talk with {code}.", "success")
        else:
            flash(f"The conversation with {code} is already {held.user.display_name}'s.", "error")
        return redirect(url_for("selection.detail", draw_id=draw.uuid))
    held = db.scalar(
        sa.select(CheckerAssignment).where(
            CheckerAssignment.draw_id == draw.id, CheckerAssignment.person_id == person.id
        )
    )
    return render_template(
        "checkers/conversation.html", draw=draw, code=code, form=form, held=held
    ), (400 if form.errors else 200)


@bp.get("/services/<uuid:service_id>")
@login_required
def service_page(service_id: uuid.UUID):
    """What the service's quality checkers hold, and the assignments no longer in force."""
    db = get_session()
    svc = db.scalar(
        sa.select(Service).where(
            Service.uuid == service_id, Service.organisation_id == current_user.organisation_id
        )
    )
    if svc is None or not may_assign_checkers(current_user, svc):
        abort(404)
    in_force, lapsed = service.of_service(db, svc.id)
    return render_template(
        "checkers/service.html",
        service=svc,
        in_force=in_force,
        lapsed=lapsed,
        task_text=service.task_text,
        checkers=service.candidates(db, svc),
    )


@bp.post("/assignments/<int:assignment_id>/remove")
@login_required
def remove(assignment_id: int):
    """Take an assignment back (the service's managers and admins; others: not found)."""
    db = get_session()
    assignment = None
    if assignment_id <= LARGEST_ID:
        assignment = db.scalar(
            sa.select(CheckerAssignment).where(
                CheckerAssignment.id == assignment_id,
                CheckerAssignment.organisation_id == current_user.organisation_id,
            )
        )
    if assignment is None or not may_assign_checkers(current_user, assignment.service):
        abort(404)
    svc = assignment.service
    what = service.task_text(assignment)
    name = assignment.user.display_name
    service.remove(db, assignment, current_user)
    db.commit()
    flash(f"{name} no longer has the {what}.", "success")
    return redirect(url_for("checkers.service_page", service_id=svc.uuid))
