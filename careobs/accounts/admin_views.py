"""Organisation admins manage users: invitations, roles in each service, deactivation."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from careobs.accounts import password_reset, service
from careobs.accounts.forms import UserForm
from careobs.accounts.models import ROLE_HINTS, ROLES, User
from careobs.audit.service import record_about
from careobs.db import get_session
from careobs.org.models import Service
from careobs.org.scoping import get_scoped_or_404
from careobs.permissions import admin_required

bp = Blueprint("users", __name__, url_prefix="/admin/users")

NO_ACCESS = ""
# The roles and what each means, explained once above the per-service choices.
ROLE_WORDS = {"roles": ROLES, "role_hints": ROLE_HINTS}


def role_field_name(svc: Service) -> str:
    return f"role_{svc.uuid.hex}"


def user_form(services: list[Service], user: User | None = None):
    """The user form with one role choice per service of the organisation."""

    class Form(UserForm):
        pass

    current = {m.service_id: m.role for m in user.memberships} if user else {}
    for svc in services:
        field = SelectField(
            svc.name,
            choices=[
                SelectChoice(NO_ACCESS, "No access"),
                *(SelectChoice(role, label) for role, label in ROLES.items()),
            ],
            default=current.get(svc.id, NO_ACCESS),
        )
        setattr(Form, role_field_name(svc), field)
    if user is None:
        return Form()
    return Form(obj=user)


def chosen_roles(form, services: list[Service]) -> dict[int, str | None]:
    return {svc.id: getattr(form, role_field_name(svc)).data or None for svc in services}


def org_services() -> list[Service]:
    return list(
        get_session().scalars(
            sa.select(Service)
            .where(Service.organisation_id == current_user.organisation_id)
            .order_by(Service.name)
        )
    )


def get_user_or_404(user_id: uuid.UUID) -> User:
    """A user of the current organisation; any other organisation's user is simply not found."""
    return get_scoped_or_404(User, user_id, manage=False)


@bp.get("/")
@admin_required
def index():
    users = get_session().scalars(
        sa.select(User)
        .where(User.organisation_id == current_user.organisation_id)
        .order_by(User.active.desc(), User.display_name)
    )
    return render_template("admin/users.html", users=list(users))


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    db = get_session()
    services = org_services()
    form = user_form(services)
    if form.validate_on_submit():
        if service.email_taken(db, form.email.data):
            form.email.errors.append("A user with this email already exists.")
        else:
            user = service.create_user(
                db,
                organisation_id=current_user.organisation_id,
                email=form.email.data,
                display_name=form.display_name.data,
                is_org_admin=form.is_org_admin.data,
                actor=current_user,
            )
            service.set_memberships(db, user, chosen_roles(form, services))
            token = service.invite(db, user, current_user)
            db.commit()
            return render_template("admin/user_invited.html", user=user, token=token)
    return render_template(
        "admin/user_form.html", form=form, services=services, user=None, **ROLE_WORDS
    )


@bp.route("/<uuid:user_id>", methods=["GET", "POST"])
@admin_required
def edit(user_id: uuid.UUID):
    db = get_session()
    user = get_user_or_404(user_id)
    services = org_services()
    form = user_form(services, user)
    if form.validate_on_submit():
        if service.email_taken(db, form.email.data, except_user=user):
            form.email.errors.append("A user with this email already exists.")
        elif user.id == current_user.id and not form.is_org_admin.data:
            form.is_org_admin.errors = ["You cannot remove your own admin rights."]
        else:
            user.email = service.normalise_email(form.email.data)
            user.display_name = form.display_name.data.strip()
            user.is_org_admin = form.is_org_admin.data
            service.set_memberships(db, user, chosen_roles(form, services))
            record_about(db, "user_updated", user, actor=current_user, summary=user.email)
            db.commit()
            flash(f"Saved changes to {user.display_name}.", "success")
            return redirect(url_for("users.index"))
    return render_template(
        "admin/user_form.html", form=form, services=services, user=user, **ROLE_WORDS
    )


@bp.post("/<uuid:user_id>/invitation")
@admin_required
def reinvite(user_id: uuid.UUID):
    db = get_session()
    user = get_user_or_404(user_id)
    try:
        token = service.invite(db, user, current_user)
    except service.InvitationError as exc:
        flash(str(exc), "error")
        return redirect(url_for("users.edit", user_id=user.uuid))
    db.commit()
    return render_template("admin/user_invited.html", user=user, token=token)


@bp.post("/<uuid:user_id>/password-reset")
@admin_required
def reset_link(user_id: uuid.UUID):
    """A link for a user with a password to choose a new one (the way out of a lockout)."""
    db = get_session()
    user = get_user_or_404(user_id)
    try:
        token = password_reset.create_reset_link(db, user, current_user)
    except password_reset.CannotReset as exc:
        flash(str(exc), "error")
        return redirect(url_for("users.edit", user_id=user.uuid))
    db.commit()
    return render_template(
        "admin/user_reset_link.html",
        user=user,
        token=token,
        hours=password_reset.RESET_LINK.valid_hours(),
    )


@bp.post("/<uuid:user_id>/active")
@admin_required
def toggle_active(user_id: uuid.UUID):
    db = get_session()
    user = get_user_or_404(user_id)
    if user.id == current_user.id:
        flash("You cannot deactivate your own account.", "error")
        return redirect(url_for("users.edit", user_id=user.uuid))
    service.set_active(db, user, not user.active, current_user)
    db.commit()
    state = "reactivated" if user.active else "deactivated; their sessions have ended"
    flash(f"{user.display_name} has been {state}.", "success")
    return redirect(url_for("users.index"))
