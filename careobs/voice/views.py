"""People's voice pages: the offline conversation form, a conversation's record, and the
summary of what people said."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Blueprint, Response, abort, jsonify, render_template, request
from flask_login import current_user, login_required

from careobs.actions.models import Action
from careobs.checkers.models import CheckerAssignment
from careobs.db import get_session, utcnow
from careobs.org.settings import time_zone
from careobs.permissions import (
    assigned_draw,
    assignments_in_force,
    get_visible_conversation,
    get_visible_draw,
    may_record_conversation,
    may_view_draw,
    visible_actions,
)
from careobs.selection.service import drawable_services
from careobs.voice import queries
from careobs.voice.questions import ANSWERS, OUTCOMES, QUESTIONS
from careobs.voice.service import question_text

bp = Blueprint("voice", __name__, url_prefix="/voice")


def may_record_any(user) -> bool:
    """Whether the user may follow up draws of people in at least one service, or holds a
    conversation given to them as a quality checker."""
    services = drawable_services(user, "people").order_by(None)
    given = assignments_in_force(user).where(CheckerAssignment.kind == "conversation")
    db = get_session()
    return db.scalar(sa.select(services.exists())) is True or (
        db.scalar(sa.select(given.exists())) is True
    )


@bp.get("/record")
@login_required
def record_page():
    """The conversation form: works offline once opened, driven by voice-form.js.

    The draw's page links here naming the draw and the person (``draw``, ``person``); the form
    reads them on the device. A draw this user may not follow up, or a person it did not pick,
    is not found here, as any page about another's record is."""
    if not may_record_any(current_user):
        abort(403)
    draw_value, person = request.args.get("draw"), request.args.get("person")
    if draw_value is None and (person is not None or request.args.get("service") is not None):
        abort(404)  # a person or service means nothing without the draw
    if draw_value is not None:
        try:
            draw_id = uuid.UUID(draw_value)
        except ValueError:
            abort(404)
        db = get_session()
        draw = get_visible_draw(db, current_user, draw_id) or assigned_draw(
            db, current_user, draw_id
        )
        if draw is None or not may_record_conversation(current_user, draw, person):
            abort(404)
        if person is not None and person not in {row.get("label") for row in draw.result}:
            abort(404)
        if request.args.get("service") not in (None, str(draw.service.uuid)):
            abort(404)  # the service is the draw's own: the form reads its staff from it
    return render_template(
        "voice/record.html", questions=QUESTIONS, answers=ANSWERS, outcomes=OUTCOMES
    )


@bp.get("/<uuid:conversation_id>")
@login_required
def detail(conversation_id: uuid.UUID):
    """A conversation's record: what came of asking, every answer and its follow-ups.

    The draw and the raised actions are linked only for who may open them: a quality checker
    reads the conversation they held, not the draw it came from nor the manager's actions."""
    db = get_session()
    conversation = get_visible_conversation(db, current_user, conversation_id)
    if conversation is None:
        abort(404)
    action_ids = [a.action_id for a in conversation.actions if a.action_id]
    visible = visible_actions(current_user).with_only_columns(Action.id)
    raised = {
        action.id: action
        for action in db.scalars(
            sa.select(Action).where(Action.id.in_(action_ids), Action.id.in_(visible))
        )
    }
    return render_template(
        "voice/detail.html",
        conversation=conversation,
        question_text=question_text,
        answers=ANSWERS,
        outcomes=OUTCOMES,
        raised=raised,
        may_open_draw=may_view_draw(current_user, conversation.draw),
    )


PERIOD_DAYS = 90  # the summary's period unless one is asked for
EARLIEST = date(2000, 1, 1)


@bp.get("/summary")
@login_required
def summary():
    """What people said, statement by statement, and who was asked from each draw: a page, its
    JSON (``format=json``) and each table's CSV (``format=csv&table=<key>``), three views of the
    same tables. Filters: ``service`` (one of the user's, or all of them), ``from`` and ``to``
    (local days, the last 90 by default); a filter that is not valid is a 400."""
    db = get_session()
    services = db.scalars(drawable_services(current_user, "people")).all()
    if not services:
        abort(403)
    zone = time_zone(db, current_user.organisation_id)
    today = utcnow().astimezone(zone).date()
    chosen = request.args.get("service", "")
    by_uuid = {str(s.uuid): s for s in services}
    if chosen and chosen not in by_uuid:
        abort(404)  # not a service of yours: as for any record you cannot see
    first = _day(request.args.get("from"), today - timedelta(days=PERIOD_DAYS - 1), today)
    last = _day(request.args.get("to"), today, today)
    if first > last:
        abort(400, "The period's first day is after its last.")
    ids = [by_uuid[chosen].id] if chosen else [s.id for s in services]
    scope = queries.Scope(ids, first, last, zone)
    tables = [queries.answers_table(db, scope), queries.follow_up_table(db, scope)]
    wanted = request.args.get("format", "")
    if wanted == "json":
        return jsonify(
            {
                "from": first.isoformat(),
                "to": last.isoformat(),
                "service": chosen or None,
                "tables": [t.as_json() for t in tables],
            }
        )
    if wanted == "csv":
        table = next((t for t in tables if t.key == request.args.get("table")), None)
        if table is None:
            abort(404)
        filename = f"careobs-{table.key}-{first}-{last}.csv"
        return Response(
            table.as_csv(),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    if wanted:
        abort(400, "format is json or csv.")
    return render_template(
        "voice/summary.html",
        tables=tables,
        services=services,
        chosen=chosen,
        first=first,
        last=last,
    )


def _day(value: str | None, default: date, today: date) -> date:
    """A local day from the address (400 when it is not a date from 2000 to today)."""
    if value in (None, ""):
        return default
    try:
        day = date.fromisoformat(value)
    except ValueError:
        abort(400, "Dates are written YYYY-MM-DD.")
    if not EARLIEST <= day <= today:
        abort(400, "Dates run from 2000 to today.")
    return day
