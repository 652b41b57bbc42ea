"""A conversation with one person picked by a draw of people (document kind ``conversation``).

It shares :class:`CapturedRecord`'s columns and the sync's revision rules. The person is
stored by id and exchanged with devices by code; one conversation per draw and person.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from careobs.capture.records import CapturedRecord, ProposedAction
from careobs.db import Base, UTCDateTime
from careobs.selection.models import SelectionDraw

if TYPE_CHECKING:
    from careobs.accounts.models import User
    from careobs.actions.models import Action
    from careobs.org.models import Person


class Conversation(CapturedRecord, Base):
    """One conversation, or the record that the person declined or was not available."""

    __tablename__ = "conversations"
    __table_args__ = (
        # One per draw and person: two devices recording the same pair end with one.
        sa.UniqueConstraint("draw_id", "person_id"),
        sa.Index("ix_conversations_service_started", "service_id", "started_at"),
        sa.CheckConstraint("status IN ('draft', 'submitted')", name="status_allowed"),
        sa.CheckConstraint(
            "outcome IN ('asked', 'declined', 'not_available')", name="outcome_allowed"
        ),
    )

    interviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    draw_id: Mapped[int] = mapped_column(sa.ForeignKey("selection_draws.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), index=True)
    outcome: Mapped[str] = mapped_column(sa.String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    comments: Mapped[str] = mapped_column(sa.Text, default="")

    interviewer: Mapped[User] = relationship()
    draw: Mapped[SelectionDraw] = relationship()
    person: Mapped[Person] = relationship()
    answers: Mapped[list[ConversationAnswer]] = relationship(
        back_populates="conversation",
        order_by="ConversationAnswer.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    actions: Mapped[list[ConversationAction]] = relationship(
        back_populates="conversation",
        order_by="ConversationAction.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def author_id(self) -> int:
        """The sync contract's name for whoever wrote the document."""
        return self.interviewer_id


class ConversationAnswer(Base):
    """The person's answer to one question (by its versioned key), with what they said."""

    __tablename__ = "conversation_answers"
    __table_args__ = (
        sa.UniqueConstraint("conversation_id", "question"),
        sa.CheckConstraint(
            "answer IN ('strongly_agree', 'agree', 'neither', 'disagree',"
            " 'strongly_disagree', 'prefer_not_to_say')",
            name="answer_allowed",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    question: Mapped[str] = mapped_column(sa.String(32))
    answer: Mapped[str] = mapped_column(sa.String(20))
    comment: Mapped[str] = mapped_column(sa.Text, default="")

    conversation: Mapped[Conversation] = relationship(back_populates="answers")


class ConversationAction(ProposedAction, Base):
    """A follow-up agreed in the conversation; on submission it becomes an action, once
    (``action_id`` names it, and is unique)."""

    __tablename__ = "conversation_actions"
    __table_args__ = (sa.UniqueConstraint("conversation_id", "uuid"),)

    conversation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    action_id: Mapped[int | None] = mapped_column(sa.ForeignKey("actions.id"), unique=True)

    conversation: Mapped[Conversation] = relationship(back_populates="actions")
    action: Mapped[Action | None] = relationship()
