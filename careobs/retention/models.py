"""An organisation's retention periods, one row per record type an admin has changed."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from careobs.db import Base, UTCDateTime, utcnow


class RetentionPeriod(Base):
    """How many months one organisation keeps one type of record (careobs.retention.periods
    names the types). A type with no row keeps its default."""

    __tablename__ = "retention_periods"
    __table_args__ = (sa.CheckConstraint("months BETWEEN 1 AND 300", name="months_allowed"),)

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id"), primary_key=True
    )
    record_type: Mapped[str] = mapped_column(sa.String(24), primary_key=True)
    months: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
