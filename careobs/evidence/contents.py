"""What an evidence pack is made of: items of evidence under CQC quality statements, grouped by
key question (design §2.3). :mod:`careobs.evidence.pack` builds one; the page and the PDF both
draw it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from careobs.dashboards.tables import Table
from careobs.evidence.charts import Chart
from careobs.org.models import Service

if TYPE_CHECKING:
    from careobs.evidence.selfassess import SelfAssessmentPart, StatementLine

PRIVACY = (
    "People supported appear only as codes; staff are named only as the owners of actions and "
    "as the assessor of a self-assessment."
)

# The four things the pack says about each statement, in the order CQC reads them.
CHECKED, FOUND, DONE, CHANGED = (
    "What was checked",
    "What was found",
    "What was done",
    "What changed",
)


@dataclass
class Item:
    """One piece of evidence: a heading, what kind of evidence it is, a short paragraph,
    headline figures and/or a table, and a chart drawn from that table (the table stays beside
    it as its equivalent in words and figures)."""

    title: str
    kind: str  # CHECKED, FOUND, DONE or CHANGED
    text: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)
    table: Table | None = None
    chart: Chart | None = None


@dataclass
class Statement:
    code: str
    name: str
    items: list[Item] = field(default_factory=list)
    # The latest self-assessment's score and rationale for this statement, if it scored it.
    self_assessed: StatementLine | None = None


@dataclass
class Section:
    """One CQC key question and the statements with evidence in the period."""

    question: str
    statements: list[Statement] = field(default_factory=list)
    note: str = ""  # a paragraph under the heading


@dataclass
class Pack:
    organisation: str
    service: Service
    first: date
    last: date
    generated_at: datetime
    counts: dict[str, int]
    summary: list[tuple[str, str]]
    sections: list[Section]
    # How the audits in the summary add up (a caption under it), and the audits of templates
    # that name no quality statement: a section after the key questions, one Statement (with
    # no code) per template, its note telling the manager to map them.
    audits_note: str = ""
    unmapped_audits: Section | None = None
    # The latest self-assessment (or mock inspection) by the period's end, and its action plan.
    self_assessment: SelfAssessmentPart | None = None

    @property
    def title(self) -> str:
        return f"Evidence pack: {self.service.name}"

    @property
    def privacy(self) -> str:
        return PRIVACY

    @property
    def period(self) -> str:
        return f"{self.first:%-d %b %Y} to {self.last:%-d %b %Y}"
