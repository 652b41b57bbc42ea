"""QUIS pages: the offline recorder, the list of sessions and a session's summary."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy.orm import selectinload
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from careobs.accounts.models import User
from careobs.capture import addenda
from careobs.days import DateRangeFilter, within_days
from careobs.db import get_session
from careobs.forms import FilterForm
from careobs.org.models import StaffMember
from careobs.org.settings import time_zone
from careobs.pagination import paginate
from careobs.permissions import (
    capture_required,
    get_visible_quis_session,
    may_link_quis_session,
    may_write_quis_feedback,
    observable_services,
    visible_quis_sessions,
)
from careobs.quis import scoring
from careobs.quis.documents import ROLE_WORDS
from careobs.quis.models import CONTEXTS, QuisSession
from careobs.quis.queries import link_candidates, summary

bp = Blueprint("quis", __name__, url_prefix="/quis")


class SessionFilterForm(DateRangeFilter, FilterForm):
    service = SelectField("Service", validators=[Optional()])
    observer = SelectField("Observer", validators=[Optional()])
    status = SelectField(
        "Status",
        choices=[
            SelectChoice("", "Any"),
            SelectChoice("submitted", "Submitted"),
            SelectChoice("draft", "Draft"),
        ],
        validators=[Optional()],
    )


@bp.get("/record")
@capture_required
def record_page():
    """The recorder: a page that works offline once opened, driven by quis-recorder.js."""
    return render_template(
        "quis/record.html",
        categories=scoring.CATEGORY_LABELS,
        contexts=CONTEXTS,
        reasons=scoring.NEGATIVE_REASONS,
        coaching=scoring.COACHING_PROMPTS,
        rate_rule=scoring.RATE_RULE,
    )


@bp.get("/")
@capture_required
def index():
    db = get_session()
    services = list(db.scalars(observable_services(current_user)))
    form = SessionFilterForm(request.args)
    form.service.choices = [
        SelectChoice("", "All"),
        *(SelectChoice(s.uuid.hex, s.name) for s in services),
    ]
    observers = db.scalars(
        sa.select(User)
        .where(
            User.id.in_(
                visible_quis_sessions(current_user).with_only_columns(QuisSession.observer_id)
            )
        )
        .order_by(User.display_name)
    ).all()
    form.observer.choices = [
        SelectChoice("", "Anyone"),
        *(SelectChoice(u.uuid.hex, u.display_name) for u in observers),
    ]
    stmt = (
        visible_quis_sessions(current_user)
        .order_by(QuisSession.started_at.desc())
        .options(
            selectinload(QuisSession.service),
            selectinload(QuisSession.area),
            selectinload(QuisSession.observer),
        )
    )
    if form.validate():
        by_hex = {s.uuid.hex: s.id for s in services}
        if form.service.data:
            stmt = stmt.where(QuisSession.service_id == by_hex.get(form.service.data))
        if form.observer.data:
            ids = {u.uuid.hex: u.id for u in observers}
            stmt = stmt.where(QuisSession.observer_id == ids.get(form.observer.data))
        if form.status.data:
            stmt = stmt.where(QuisSession.status == form.status.data)
        zone = time_zone(db, current_user.organisation_id)
        first, last = form.date_from.data, form.date_to.data
        stmt = stmt.where(*within_days(QuisSession.started_at, first, last, zone))
    else:
        stmt = stmt.where(sa.false())  # nothing, rather than quietly ignoring a filter
    page = paginate(db, stmt)
    return render_template("quis/index.html", form=form, page=page, percent=scoring.percent)


@bp.get("/sessions/<uuid:session_id>")
@capture_required
def detail(
    session_id: uuid.UUID,
    form: addenda.AddendumForm | None = None,
    link_error: str | None = None,
):
    """A session's summary; ``form`` is an addendum refused by ``addenda.add_addendum``,
    ``link_error`` why linking it to a pair was refused (careobs.quis.pair_views.link)."""
    db = get_session()
    session = get_visible_quis_session(db, current_user, session_id)
    if session is None:
        abort(404)
    may_add = addenda.may_add(current_user, session)
    may_link = may_link_quis_session(current_user, session)
    team = db.scalars(
        sa.select(StaffMember)
        .where(StaffMember.service_id == session.service_id, StaffMember.active.is_(True))
        .order_by(StaffMember.name)
    ).all()
    named_staff = {i.staff_id for i in session.interactions if i.staff_id}
    return render_template(
        "quis/detail.html",
        session=session,
        summary=summary(session),
        form=form or addenda.form_for(addenda.QUIS_SESSION),
        may_add=may_add,
        labels=scoring.CATEGORY_LABELS,
        reasons=scoring.NEGATIVE_REASONS,
        categories=scoring.CATEGORIES,
        percent=scoring.percent,
        rate_rule=scoring.RATE_RULE,
        # Its privacy flags to check, feedback and actions are for whoever may write its
        # feedback (its observer, its service's managers), as permissions.quis says.
        may_follow_up=may_write_quis_feedback(current_user, session),
        team=team,
        named_staff=named_staff,
        role_label=ROLE_WORDS.get(session.pair_role or ""),
        may_link=may_link,
        link_candidates=link_candidates(db, current_user, session) if may_link else [],
        link_error=link_error,
    ), (200 if form is None and link_error is None else 400)


addenda.register(
    bp,
    "/sessions/<uuid:session_id>",
    addenda.QUIS_SESSION,
    find=get_visible_quis_session,
    page=detail,
    guard=capture_required,
)
