"""Copies of synced documents that conflicted with what the server already holds."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from careobs.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from careobs.accounts.models import User
    from careobs.org.models import Service


class QuarantinedDocument(Base):
    """A submitted copy the server could not accept as it stood; kept for a manager, never lost."""

    __tablename__ = "quarantined_documents"
    __table_args__ = (sa.UniqueConstraint("document_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    service_id: Mapped[int | None] = mapped_column(sa.ForeignKey("services.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    document_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    revision: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.String(200))
    data: Mapped[dict] = mapped_column(sa.JSON)
    # The copy's fingerprint (careobs.sync.payload.fingerprint): one row per document and content.
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User] = relationship()
    service: Mapped[Service | None] = relationship()
