"""Who may record conversations with the people a draw picked, and read them.

The people who may draw in a service (its managers and supervisors, and admins) follow its
draws of people up and read what came of them; care workers do neither. A quality checker
(a later role) will be given the conversations assigned to them here.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.permissions.roles import WORK, in_query, service_ids_select
from careobs.permissions.selection import may_draw_in, may_view_draw
from careobs.selection.models import SelectionDraw
from careobs.voice.models import Conversation


def visible_conversations(user) -> sa.Select:
    """Conversations in services whose draws the user may see (admins: the organisation)."""
    return sa.select(Conversation).where(
        Conversation.organisation_id == user.organisation_id,
        Conversation.service_id.in_(service_ids_select(user, WORK)),
    )


def get_visible_conversation(db: Session, user, conversation_id: uuid.UUID):
    """One conversation by its document id, if the user may read it (None: answer 404)."""
    return db.scalar(visible_conversations(user).where(Conversation.uuid == conversation_id))


def may_view_conversation(user, conversation: Conversation) -> bool:
    """Whether the conversation is among :func:`visible_conversations`."""
    return in_query(visible_conversations(user), conversation)


def may_record_conversation(user, draw: SelectionDraw) -> bool:
    """Recording a conversation from a draw of people: whoever may see the draw and still draw
    in its service (a closed service's draws are kept, not followed up)."""
    return draw.kind == "people" and may_view_draw(user, draw) and may_draw_in(user, draw.service)
