"""A self-assessment or mock inspection of one service (document kind ``self_assessment``).

It shares :class:`CapturedRecord`'s columns and the sync's revision rules. Each quality
statement assessed is one row with its score on CQC's scale (1 to 4), the rationale and the
evidence chosen; a statement not assessed has no row, or a row with no score (a draft's note),
and counts as not assessed — never as 0. The key questions' percentages and ratings are worked
out from these rows when read (careobs.selfassess.ratings), never stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from careobs.capture.records import CapturedRecord
from careobs.db import Base, UTCDateTime

if TYPE_CHECKING:
    from careobs.accounts.models import User

TYPES = {
    "self_assessment": "Self-assessment",
    "mock_inspection": "Mock inspection",
}


class SelfAssessment(CapturedRecord, Base):
    """One self-assessment (by the service's own people) or mock inspection (by someone
    independent of the service, with interview notes)."""

    __tablename__ = "self_assessments"
    __table_args__ = (
        sa.Index("ix_self_assessments_service_assessed", "service_id", "assessed_at"),
        sa.CheckConstraint("status IN ('draft', 'submitted')", name="status_allowed"),
        sa.CheckConstraint("type IN ('self_assessment', 'mock_inspection')", name="type_allowed"),
    )

    assessor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    type: Mapped[str] = mapped_column(sa.String(16))
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    interview_notes: Mapped[str] = mapped_column(sa.Text, default="")

    assessor: Mapped[User] = relationship()
    statements: Mapped[list[SelfAssessmentStatement]] = relationship(
        back_populates="self_assessment",
        order_by="SelfAssessmentStatement.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def author_id(self) -> int:
        """The sync contract's name for whoever wrote the document."""
        return self.assessor_id

    @property
    def type_label(self) -> str:
        return TYPES[self.type]


class SelfAssessmentStatement(Base):
    """One quality statement as assessed: its score (None: a note, not yet assessed), the
    rationale, and the evidence it rests on as ``[{"kind", "id"}]`` (careobs.selfassess.evidence
    names the kinds).

    A revision of a draft replaces these rows; a submitted assessment's rows never change, so an
    action raised for a gap (``Action.self_assessment_statement_id``) always names its row.
    """

    __tablename__ = "self_assessment_statements"
    __table_args__ = (
        sa.UniqueConstraint("self_assessment_id", "code"),
        sa.CheckConstraint("score IS NULL OR score BETWEEN 1 AND 4", name="score_allowed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    self_assessment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("self_assessments.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    code: Mapped[str] = mapped_column(sa.String(4))
    score: Mapped[int | None]
    rationale: Mapped[str] = mapped_column(sa.Text, default="")
    evidence: Mapped[list] = mapped_column(sa.JSON, default=list)

    self_assessment: Mapped[SelfAssessment] = relationship(back_populates="statements")
