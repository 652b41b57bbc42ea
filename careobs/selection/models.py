"""A stored random draw: its seed, every input and the result, kept so it can be re-run."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from careobs.db import Base, PublicIdMixin, UTCDateTime, utcnow

if TYPE_CHECKING:
    from careobs.accounts.models import User
    from careobs.org.models import Service

KINDS = {"workers": "Care workers to check", "people": "People to ask for feedback"}


class SelectionDraw(PublicIdMixin, Base):
    """One draw. Rows are never changed: the record is the evidence the choice was fair."""

    __tablename__ = "selection_draws"
    __table_args__ = (
        sa.Index("ix_selection_draws_service_kind_created", "service_id", "kind", "created_at"),
        sa.CheckConstraint("kind IN ('workers', 'people')", name="kind_allowed"),
    )

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"))
    kind: Mapped[str] = mapped_column(sa.String(8))
    seed: Mapped[str] = mapped_column(sa.String(64))
    # Every candidate with the facts behind its weight, the settings used, who sat it out.
    inputs: Mapped[dict] = mapped_column(sa.JSON)
    result: Mapped[list] = mapped_column(sa.JSON)  # the picks, in draw order
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    service: Mapped[Service] = relationship()
    requested_by: Mapped[User] = relationship()

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]
