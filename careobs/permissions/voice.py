"""Who may record conversations with the people a draw picked, and read them.

The people who may draw in a service (its managers and supervisors, and admins) follow its
draws of people up and read what came of them; care workers do neither. A quality checker
records the conversations a manager gave them (careobs.permissions.checkers: an assignment in
force for that draw and person) and reads only the conversations they recorded themselves, while
they are still a checker of that service: another's record names staff (its interviewer, its
follow-ups' owners), which a checker never sees.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session

from careobs.org.models import Service
from careobs.permissions.checkers import conversation_assignment, services_checked_by
from careobs.permissions.roles import WORK, in_query, service_ids_select
from careobs.permissions.selection import may_draw_in, may_view_draw
from careobs.selection.models import SelectionDraw
from careobs.voice.models import Conversation


def visible_conversations(user) -> sa.Select:
    """Conversations in services whose draws the user may see (admins: the organisation), and
    a quality checker's own, in the services where they are still a checker."""
    as_checker = services_checked_by(user).with_only_columns(Service.id)
    return sa.select(Conversation).where(
        Conversation.organisation_id == user.organisation_id,
        sa.or_(
            Conversation.service_id.in_(service_ids_select(user, WORK)),
            sa.and_(
                Conversation.interviewer_id == user.id,
                Conversation.service_id.in_(as_checker),
            ),
        ),
    )


def get_visible_conversation(db: Session, user, conversation_id: uuid.UUID):
    """One conversation by its document id, if the user may read it (None: answer 404)."""
    return db.scalar(visible_conversations(user).where(Conversation.uuid == conversation_id))


def may_view_conversation(user, conversation: Conversation) -> bool:
    """Whether the conversation is among :func:`visible_conversations`."""
    return in_query(visible_conversations(user), conversation)


def may_record_conversation(user, draw: SelectionDraw, person_code: str | None = None) -> bool:
    """Recording a conversation from a draw of people: whoever may see the draw and still draw
    in its service (a closed service's draws are kept, not followed up), or a quality checker
    holding an assignment in force from the draw (for ``person_code``, when it is given)."""
    if draw.kind != "people":
        return False
    if may_view_draw(user, draw) and may_draw_in(user, draw.service):
        return True
    held = conversation_assignment(user, draw, person_code)
    return object_session(draw).scalar(sa.select(held.exists())) is True
