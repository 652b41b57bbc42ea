"""The audit log screen: who did what and when, filterable, for organisation admins."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Optional

from careobs.accounts.models import User
from careobs.audit.models import AuditEvent
from careobs.db import get_session
from careobs.pagination import paginate
from careobs.permissions import admin_required

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    action = SelectField("What happened", validators=[Optional()])
    actor = SelectField("Who", validators=[Optional()])
    record = StringField("Record id", validators=[Optional()])
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])


def _day_start(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


@bp.get("/")
@admin_required
def index():
    db = get_session()
    org_id = current_user.organisation_id
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
    stmt = (
        sa.select(AuditEvent)
        .where(AuditEvent.organisation_id == org_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    if form.validate():
        if form.action.data:
            stmt = stmt.where(AuditEvent.action == form.action.data)
        if form.actor.data:
            actor_ids = {u.uuid.hex: u.id for u in users}
            stmt = stmt.where(AuditEvent.actor_id == actor_ids.get(form.actor.data))
        if form.record.data:
            stmt = stmt.where(AuditEvent.entity_id == form.record.data.strip())
        if form.date_from.data:
            stmt = stmt.where(AuditEvent.at >= _day_start(form.date_from.data))
        if form.date_to.data:
            stmt = stmt.where(AuditEvent.at < _day_start(form.date_to.data + timedelta(days=1)))
    page = paginate(db, stmt)
    return render_template("admin/audit.html", form=form, page=page)
