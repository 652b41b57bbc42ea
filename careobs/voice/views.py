"""People's voice pages: the offline conversation form, a conversation's record, and the
summary of what people said."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from careobs.actions.models import Action
from careobs.db import get_session
from careobs.permissions import (
    get_visible_conversation,
    get_visible_draw,
    may_record_conversation,
    visible_actions,
)
from careobs.selection.service import drawable_services
from careobs.voice.models import Conversation
from careobs.voice.questions import ANSWERS, OUTCOMES, QUESTIONS
from careobs.voice.service import question_text

bp = Blueprint("voice", __name__, url_prefix="/voice")


def may_record_any(user) -> bool:
    """Whether the user may follow up draws of people in at least one service."""
    services = drawable_services(user, "people").order_by(None)
    return get_session().scalar(sa.select(services.exists())) is True


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
            draw = get_visible_draw(get_session(), current_user, uuid.UUID(draw_value))
        except ValueError:
            abort(404)
        if draw is None or not may_record_conversation(current_user, draw):
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
    """A conversation's record: what came of asking, every answer and its follow-ups."""
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
    )


def load_conversation(stmt: sa.Select) -> sa.Select:
    """What a conversation's lines on other pages read, loaded with it."""
    return stmt.options(
        selectinload(Conversation.answers),
        selectinload(Conversation.actions),
        selectinload(Conversation.interviewer),
    )
