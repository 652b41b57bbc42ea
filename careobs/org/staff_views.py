"""Admin screens for staff: the care workers whose practice is observed."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from careobs.accounts.models import User
from careobs.db import get_session
from careobs.org import service as org_service
from careobs.org.forms import StaffForm
from careobs.org.models import StaffMember
from careobs.org.scoping import (
    get_scoped_or_404,
    manageable_services,
    service_choices,
    service_from_form,
)
from careobs.org.screens import roster_filters, switch_active
from careobs.pagination import paginate
from careobs.permissions import admin_area_required, visible_staff

bp = Blueprint("staff", __name__, url_prefix="/admin/staff")


@bp.get("/")
@admin_area_required
def index():
    staff = visible_staff(current_user).order_by(StaffMember.name)
    stmt, filters = roster_filters(staff, StaffMember)
    return render_template("admin/staff.html", page=paginate(get_session(), stmt), **filters)


def user_choices() -> list[tuple[str, str]]:
    users = get_session().scalars(
        sa.select(User)
        .where(User.organisation_id == current_user.organisation_id, User.active.is_(True))
        .order_by(User.display_name)
    )
    return [("", "No login"), *((u.uuid.hex, f"{u.display_name} ({u.email})") for u in users)]


def prepared_form(member: StaffMember | None) -> StaffForm:
    if member is None:
        form = StaffForm(service=request.args.get("service"))
    else:
        form = StaffForm(obj=member)
        if not form.is_submitted():
            # obj= would fill the selects with the Service and User objects (same names).
            form.service.data = member.service.uuid.hex
            form.user.data = member.user.uuid.hex if member.user else ""
    form.service.choices = service_choices(manageable_services())
    form.user.choices = user_choices()
    return form


def save(form: StaffForm, member: StaffMember | None) -> StaffMember | None:
    db = get_session()
    svc = service_from_form(form)
    if svc is None:
        return None
    user = None
    if form.user.data:
        user = db.scalar(
            sa.select(User).where(
                User.organisation_id == current_user.organisation_id,
                User.uuid == uuid.UUID(form.user.data),
            )
        )
        linked = user and org_service.staff_for_user(db, user.id)
        if linked is not None and linked is not member:
            form.user.errors.append(f"This login already belongs to {linked.name}.")
            return None
    creating = member is None
    today = org_service.organisation_today(db, current_user.organisation_id)  # before the add
    if creating:
        member = StaffMember(organisation_id=current_user.organisation_id)
        db.add(member)
    if member.service_id != svc.id:  # new, or moved to another service: nothing due before today
        member.added_on = today
    member.service_id = svc.id
    member.name = form.name.data.strip()
    member.job_role = form.job_role.data.strip()
    member.start_date = form.start_date.data
    member.user_id = user.id if user else None
    summary = f"{svc.name}: {member.name}"
    org_service.record_saved(
        db, member, created=creating, actor=current_user, what="staff", summary=summary
    )
    db.commit()
    return member


@bp.route("/new", methods=["GET", "POST"])
@admin_area_required
def new():
    form = prepared_form(None)
    if form.validate_on_submit() and (member := save(form, None)):
        flash(f"Added {member.name}.", "success")
        return redirect(url_for("staff.index", service=member.service.uuid.hex))
    return render_template("admin/staff_form.html", form=form, member=None)


@bp.route("/<uuid:member_id>", methods=["GET", "POST"])
@admin_area_required
def edit(member_id: uuid.UUID):
    member = get_scoped_or_404(StaffMember, member_id)
    form = prepared_form(member)
    if form.validate_on_submit() and save(form, member):
        flash(f"Saved {member.name}.", "success")
        return redirect(url_for("staff.index", service=member.service.uuid.hex))
    return render_template("admin/staff_form.html", form=form, member=member)


@bp.post("/<uuid:member_id>/active")
@admin_area_required
def toggle_active(member_id: uuid.UUID):
    member = switch_active(StaffMember, member_id, "staff")
    flash(f"{member.name} is now {'active' if member.active else 'inactive'}.", "success")
    return redirect(url_for("staff.edit", member_id=member.uuid))
