"""Writing conversations received from devices, and raising their follow-up actions once."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from careobs.actions import service as actions_service
from careobs.actions.models import Action
from careobs.capture import storing
from careobs.capture.kinds import DocumentKind
from careobs.voice import documents, export
from careobs.voice.documents import CleanConversation
from careobs.voice.models import Conversation, ConversationAction, ConversationAnswer
from careobs.voice.questions import AGREEING, BY_KEY, OUTCOMES

KIND_NAME = "conversation"  # the "kind" devices send; the app factory registers KIND below
# What a follow-up from a conversation evidences: listening to people, and learning from them.
ACTION_TAGS = ("R4", "W7")


def _apply(db: Session, conversation: Conversation, clean: CleanConversation) -> None:
    """Copy the document's fields onto the record."""
    conversation.service_id = clean.draw.service_id
    conversation.draw_id = clean.draw.id
    conversation.person_id = clean.person_id
    conversation.outcome = clean.outcome
    conversation.started_at = clean.started_at
    conversation.ended_at = clean.ended_at
    conversation.comments = clean.comments
    conversation.status = clean.status
    conversation.privacy_flags = storing.privacy_flags(
        (
            clean.comments,
            *(a.comment for a in clean.answers),
            *(a.description for a in clean.actions),
        )
    )
    storing.stamp(conversation, clean.status)


def _insert_children(db: Session, conversation_id: int, clean: CleanConversation) -> None:
    if clean.answers:
        db.connection().execute(
            ConversationAnswer.__table__.insert(),
            [
                {
                    "conversation_id": conversation_id,
                    "position": position,
                    "question": a.question,
                    "answer": a.answer,
                    "comment": a.comment,
                }
                for position, a in enumerate(clean.answers)
            ],
        )
    if clean.actions:
        db.connection().execute(
            ConversationAction.__table__.insert(),
            [
                {
                    "conversation_id": conversation_id,
                    "uuid": a.uuid,
                    "position": position,
                    "description": a.description,
                    "owner_staff_id": a.owner_staff_id,
                    "owner_user_id": a.owner_user_id,
                    "due_on": a.due_on,
                }
                for position, a in enumerate(clean.actions)
            ],
        )


def _summary(conversation: Conversation, clean: CleanConversation) -> str:
    """The audit event's summary, e.g. "Conversation with R07 (draw 3): Asked, 7 answers"."""
    told = f", {len(clean.answers)} answers" if clean.outcome == "asked" else ""
    return (
        f"Conversation with {clean.person_code} (draw {clean.draw.sequence} in"
        f" {clean.draw.service.name}): {OUTCOMES[clean.outcome]}{told}"
    )


def create(db: Session, user, document_id, revision: int, clean, content_hash: str):
    """Store a new conversation document."""
    return storing.create(KIND, db, user, document_id, revision, clean, content_hash)


def update(db: Session, user, conversation, revision: int, clean, content_hash: str):
    """Replace a draft with a newer revision from its author."""
    return storing.update(KIND, db, user, conversation, revision, clean, content_hash)


def raise_actions(db: Session, actor, conversation: Conversation) -> list[Action]:
    """Each follow-up agreed in a submitted conversation becomes an Action, once."""
    return actions_service.from_conversation(db, actor, conversation, list(ACTION_TAGS))


def after_conversation_submitted(_kind_name: str, *, db: Session, actor, record, **_) -> None:
    """A submitted conversation's follow-ups become actions (a receiver of
    careobs.capture.events.record_submitted for conversations)."""
    raise_actions(db, actor, record)


KIND = DocumentKind(
    name=KIND_NAME,
    model=Conversation,
    # Looked up when called, so a function replaced in its module (tests do) is the one run.
    validate=lambda data, rosters: documents.validate(data, rosters),
    create=lambda *args: create(*args),
    update=lambda *args: update(*args),
    export_tables=export.TABLES,
    label="conversation",
    page=("voice.detail", "conversation_id"),
    author="interviewer_id",
    apply=_apply,
    children=(ConversationAnswer.conversation_id, ConversationAction.conversation_id),
    insert_children=_insert_children,
    written_with_core=("answers", "actions"),
    audit_prefix="conversation",
    summary=_summary,
    clash=lambda db, document_id, clean, _stored: documents.clash(db, document_id, clean),
)


def question_text(key: str) -> str:
    """A stored answer's question as worded when asked (a retired key says so)."""
    question = BY_KEY.get(key)
    return question.text if question else f"(a question no longer asked: {key})"


def by_draw(db: Session, draw, visible: sa.Select) -> dict[str, Conversation]:
    """The conversations recorded from ``draw`` that the reader may see (careobs.permissions
    .visible_conversations), by the person's code, with their answers and follow-ups."""
    rows = db.scalars(
        visible.where(Conversation.draw_id == draw.id).options(
            selectinload(Conversation.person),
            selectinload(Conversation.interviewer),
            selectinload(Conversation.answers),
            selectinload(Conversation.actions),
        )
    )
    return {c.person.code: c for c in rows}


def agreeing_text(conversation: Conversation) -> str:
    """What came of a conversation in a few words: "5 of 7 agreeing, 1 follow-up"."""
    given = [a for a in conversation.answers if a.answer != "prefer_not_to_say"]
    agreeing = sum(a.answer in AGREEING for a in given)
    follow = len(conversation.actions)
    followups = f"{follow} follow-up" + ("" if follow == 1 else "s")
    return f"{agreeing} of {len(given)} statements agreed with, {followups}"
