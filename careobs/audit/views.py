"""The audit log screen: who did what and when, filterable, for organisation admins."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_login import current_user
from wtforms import SelectField, StringField
from wtforms.validators import Optional

from careobs.accounts.models import User
from careobs.audit.models import AuditEvent
from careobs.days import DateRangeFilter, within_days
from careobs.db import get_session
from careobs.forms import FilterForm
from careobs.org.settings import time_zone
from careobs.pagination import Page, paginate
from careobs.permissions import admin_required

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


class AuditFilterForm(DateRangeFilter, FilterForm):
    action = SelectField("What happened", validators=[Optional()])
    actor = SelectField("Who", validators=[Optional()])
    record = StringField("Record id", validators=[Optional()])


@bp.get("/")
@admin_required
def index():
    db = get_session()
    org_id = current_user.organisation_id
    zone = time_zone(db, org_id)
    form = AuditFilterForm(request.args)
    actions = db.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.organisation_id == org_id)
        .distinct()
        .order_by(AuditEvent.action)
    )
    form.action.choices = [("", "Anything"), *((a, a.replace("_", " ")) for a in actions)]
    users = list(
        db.scalars(
            sa.select(User).where(User.organisation_id == org_id).order_by(User.display_name)
        )
    )
    form.actor.choices = [("", "Anyone"), *((u.uuid.hex, u.display_name) for u in users)]
    if not form.validate():
        # Listing everything would pass for the answer to what was asked: list nothing and
        # say which filter to correct, next to it.
        return render_template("admin/audit.html", form=form, page=None, zone=zone)
    stmt = (
        sa.select(AuditEvent)
        .where(AuditEvent.organisation_id == org_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    if form.action.data:
        stmt = stmt.where(AuditEvent.action == form.action.data)
    if form.actor.data:
        actor_ids = {u.uuid.hex: u.id for u in users}
        stmt = stmt.where(AuditEvent.actor_id == actor_ids.get(form.actor.data))
    if form.record.data:
        stmt = stmt.where(AuditEvent.entity_id == form.record.data.strip())
    stmt = stmt.where(*within_days(AuditEvent.at, form.date_from.data, form.date_to.data, zone))
    page: Page = paginate(db, stmt)
    return render_template("admin/audit.html", form=form, page=page, zone=zone)
