"""In-app notifications: what each user is told under the bell (careobs/push echoes them)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from careobs.db import Base, PublicIdMixin, UTCDateTime, utcnow

KINDS = {
    "feedback_released": "New feedback",
    "feedback_acknowledged": "Feedback acknowledged",
    "feedback_replied": "Reply to your feedback",
    "safeguarding": "Possible safeguarding concern",
    "visits_due": "Monitoring visits due",
    "action_due": "Action due",
    "action_assigned": "New action for you",
    "recheck_due": "Re-check due",
    "audits_due": "Audits due",
    # A quality checker is given work (careobs.checkers): the words are the whole message.
    "coaudit_assigned": "You have a new co-audit to do",
    "conversation_assigned": "You have a new conversation to do",
}


class Notification(PublicIdMixin, Base):
    """Something a user should know; shown under the bell whether or not push is on.

    The title is generic and the link carries only an id: both may appear on a lock screen.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_user_read", "user_id", "read_at"),
        sa.Index("ix_notifications_org_link", "organisation_id", "link"),
        sa.UniqueConstraint("user_id", "dedupe_key"),
    )

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(30))
    title: Mapped[str] = mapped_column(sa.String(120))
    body: Mapped[str] = mapped_column(sa.String(300), default="")
    link: Mapped[str] = mapped_column(sa.String(300))
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
