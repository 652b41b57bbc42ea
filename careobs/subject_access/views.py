"""Downloading a care worker's data: their own from their account page, or any worker's by an
organisation admin from the staff member's or user's admin page (careobs.permissions
.subject_access says who may). Each is a POST with its CSRF token, answered with the ZIP."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Blueprint, Response, abort
from flask_login import current_user, login_required

from careobs.accounts.models import User
from careobs.db import get_session
from careobs.org.models import StaffMember
from careobs.permissions.roles import require
from careobs.permissions.subject_access import (
    in_organisation_of,
    may_download_own_data,
    may_produce_for_others,
)
from careobs.subject_access import collect
from careobs.subject_access.service import Copy, produce

bp = Blueprint("subject_access", __name__)

admin_may_produce = require(may_produce_for_others)


@bp.app_context_processor
def subject_access_helpers() -> dict:
    """The admin pages ask the same rule the routes do whether to offer the download."""
    return {"may_produce_subject_access": may_produce_for_others}


def attachment(copy: Copy) -> Response:
    """The ZIP as a download no browser or proxy keeps a copy of."""
    response = Response(copy.content, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{copy.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def answer(subject: collect.Subject, *, complete: bool, how: str) -> Response:
    db = get_session()
    copy = produce(db, subject, actor=current_user, complete=complete, how=how)
    db.commit()
    return attachment(copy)


@bp.post("/account/data")
@login_required
def own():
    """The user's own data, as the app shows it to them (released records only)."""
    if not may_download_own_data(current_user):
        abort(403)
    user = current_user._get_current_object()
    subject = collect.for_user(get_session(), user)
    return answer(subject, complete=False, how="their own account page")


def _in_organisation(model, record_id: uuid.UUID):
    record = get_session().scalar(sa.select(model).where(model.uuid == record_id))
    if record is None or not in_organisation_of(current_user, record):
        abort(404)
    return record


@bp.post("/admin/staff/<uuid:member_id>/data")
@admin_may_produce
def for_staff(member_id: uuid.UUID):
    """A member of staff's complete copy (with or without a login), for an admin to hand over."""
    member = _in_organisation(StaffMember, member_id)
    subject = collect.for_staff(get_session(), member)
    return answer(subject, complete=True, how="the admin staff page")


@bp.post("/admin/users/<uuid:user_id>/data")
@admin_may_produce
def for_user(user_id: uuid.UUID):
    """A user's complete copy, with their staff record's if they have one."""
    user = _in_organisation(User, user_id)
    subject = collect.for_user(get_session(), user)
    return answer(subject, complete=True, how="the admin user page")
