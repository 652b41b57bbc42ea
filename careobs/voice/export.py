"""The export's files of conversations: each conversation (the person by code), its answers
and its follow-up actions. ``KIND`` carries them (see ``service``)."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.capture import checklist_export
from careobs.export.records import RecordType, uuid_of
from careobs.org.models import Person, Service
from careobs.selection.models import SelectionDraw
from careobs.voice.models import Conversation, ConversationAction, ConversationAnswer


def conversations(org_id: int) -> sa.Select:
    """Conversations with their draw, the person's code and what came of asking."""
    c = Conversation
    return (
        sa.select(
            c.uuid,
            uuid_of(Service, c.service_id, "service_uuid"),
            uuid_of(SelectionDraw, c.draw_id, "draw_uuid"),
            uuid_of(User, c.interviewer_id, "interviewer_uuid"),
            sa.select(Person.code)
            .where(Person.id == c.person_id)
            .correlate_except(Person)
            .scalar_subquery()
            .label("person_code"),
            c.outcome,
            c.started_at,
            c.ended_at,
            c.comments,
            c.status,
            c.revision,
            c.privacy_flags,
            c.created_at,
            c.updated_at,
            c.submitted_at,
        )
        .where(c.organisation_id == org_id)
        .order_by(c.id)
    )


def conversation_answers(org_id: int) -> sa.Select:
    """Each answer by its question's versioned key, in the order asked."""
    a = ConversationAnswer
    return (
        sa.select(
            Conversation.uuid.label("conversation_uuid"),
            a.position,
            a.question,
            a.answer,
            a.comment,
        )
        .join(Conversation, Conversation.id == a.conversation_id)
        .where(Conversation.organisation_id == org_id)
        .order_by(a.conversation_id, a.position)
    )


conversation_actions = checklist_export.proposed_actions(
    Conversation, ConversationAction.conversation_id, "conversation_uuid"
)

TABLES = (
    RecordType("conversations", "conversations", conversations),
    RecordType("conversation_answers", "conversation answers", conversation_answers),
    RecordType("conversation_actions", "conversation actions", conversation_actions),
)
