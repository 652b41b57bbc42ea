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
REASON_MIN, REASON_MAX = 5, 500  # characters of the reason a repeat draw needs


class SelectionDraw(PublicIdMixin, Base):
    """One draw. Rows are never changed: the record is the evidence the choice was fair."""

    __tablename__ = "selection_draws"
    __table_args__ = (
        sa.Index("ix_selection_draws_service_kind_created", "service_id", "kind", "created_at"),
        sa.CheckConstraint("kind IN ('workers', 'people')", name="kind_allowed"),
        # One draw per place in a service's line of draws of a kind: two draws made at the
        # same instant cannot both follow the same previous draw.
        sa.UniqueConstraint("service_id", "kind", "sequence"),
    )

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"))
    kind: Mapped[str] = mapped_column(sa.String(8))
    # 1 for a service's first draw of this kind, then the previous draw's sequence plus one.
    sequence: Mapped[int]
    # Made by the server (``secrets``); draws before that kept the seed their user typed.
    seed: Mapped[str] = mapped_column(sa.String(64))
    # Every candidate with the facts behind its weight, the settings used, who sat it out.
    inputs: Mapped[dict] = mapped_column(sa.JSON)
    result: Mapped[list] = mapped_column(sa.JSON)  # the picks, in draw order
    # Why the service was drawn for again on the same local day (None for the day's first draw).
    repeat_reason: Mapped[str | None] = mapped_column(sa.String(REASON_MAX))
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    service: Mapped[Service] = relationship()
    requested_by: Mapped[User] = relationship()

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def is_repeat(self) -> bool:
        """A second (or later) draw for the service and kind on the same day."""
        return self.repeat_reason is not None
