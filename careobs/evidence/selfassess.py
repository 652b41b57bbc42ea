"""The service's latest self-assessment (or mock inspection) in the evidence pack: its key
questions rated the CQC way, a chart of them against CQC's bands, the action plan for its gaps,
and each statement's own score and rationale (shown under that statement's section).

The assessment is the latest submitted one carried out on or before the period's last day (in
the organisation's time zone), whenever it began: a pack shows the provider's current view of
itself. The ratings are worked out by careobs.selfassess.ratings, as on the assessment's page.
People supported never appear; staff are named as the assessor and as owners of actions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session

from careobs.actions.cqc import NAMES
from careobs.dashboards.tables import Column, Table
from careobs.days import local_midnight
from careobs.evidence.charts import Bar, Chart, Line, Series, bar_chart
from careobs.evidence.contents import CHECKED, DONE, FOUND, Item
from careobs.org.models import Service
from careobs.org.settings import time_zone
from careobs.selfassess import ratings
from careobs.selfassess import service as assessments
from careobs.selfassess.models import SelfAssessment
from careobs.wording import plural

TITLE = "Self-assessment and action plan"
NO_ACTION = "No action yet"
# Where each band above inadequate begins, labelled: "63%: good".
BAND_LINES = tuple(
    Line(low, f"{low}%: {ratings.RATINGS[rating].lower()}")
    for rating, low, _high in ratings.BANDS
    if rating != "inadequate"
)
CHART_TITLE = "Key question scores against CQC's rating bands"
SCORE_FILL = "#1f5f8b"
KEY_QUESTION_COLUMNS = [
    Column("key_question", "Key question"),
    Column("assessed", "Statements assessed"),
    Column("sum", "Sum of scores"),
    Column("score", "Score"),
    Column("rating", "Rating"),
    Column("position", "Where it sits"),
]
GAP_COLUMNS = [
    Column("statement", "Quality statement"),
    Column("score", "Score"),
    Column("action", "Action"),
    Column("owner", "Owner"),
    Column("due", "Due", "date"),
    Column("status", "Status"),
]


@dataclass(frozen=True)
class StatementLine:
    """What the assessment said of one statement: "Self-assessed: 2 — Some shortfalls"."""

    line: str
    rationale: str


@dataclass
class SelfAssessmentPart:
    """The pack's self-assessment section; ``missing`` is the sentence shown when the service
    has none (then nothing else is set). ``items`` are what the page and the PDF draw, as they
    draw any other evidence: what it was, the key questions (table and chart), the action plan.
    """

    missing: str = ""
    title: str = TITLE
    heading: str = ""  # "Mock inspection, 3 Jun 2026"
    independent: bool = False  # a mock inspection, by someone independent of the service
    facts: list[tuple[str, str]] = field(default_factory=list)
    key_questions: Table | None = None
    chart: Chart | None = None
    gaps_text: str = ""
    gaps: Table | None = None
    statements: dict[str, StatementLine] = field(default_factory=dict)

    @property
    def items(self) -> list[Item]:
        if self.missing:
            return []
        return [
            Item(
                self.heading,
                CHECKED,
                (
                    "Someone independent of the service scored it"
                    if self.independent
                    else "The service scored itself"
                )
                + " on CQC's quality statements, 1 (significant shortfalls) to 4 (exceptional"
                " standard), on the evidence careobs holds. The latest carried out by the end "
                "of the period is shown.",
                facts=self.facts,
            ),
            Item(
                "Key questions rated the CQC way",
                FOUND,
                ratings.THRESHOLD_NOTE,
                table=self.key_questions,
                chart=self.chart,
            ),
            Item("Action plan for the gaps", DONE, self.gaps_text, table=self.gaps),
        ]


def score_text(score: int) -> str:
    """ "2 — Some shortfalls"."""
    return f"{score} — {ratings.SCORES[score]}"


def latest(db: Session, service: Service, last: date) -> SelfAssessment | None:
    """The latest submitted assessment carried out by the end of ``last`` (local day)."""
    zone = time_zone(db, service.organisation_id)
    until = local_midnight(last + timedelta(days=1), zone) - timedelta(microseconds=1)
    return assessments.latest_submitted(db, service.id, until=until)


def self_assessment_part(db: Session, service: Service, last: date) -> SelfAssessmentPart:
    assessment = latest(db, service, last)
    if assessment is None:
        return SelfAssessmentPart(
            missing=(
                f"No self-assessment or mock inspection of {service.name} was submitted in "
                f"careobs on or before {last:%-d %b %Y}."
            )
        )
    zone = time_zone(db, service.organisation_id)
    scores = assessments.scores_of(assessment)
    results = ratings.key_questions(scores)
    assessed = sum(score is not None for score in scores.values())
    carried_out = assessment.assessed_at.astimezone(zone)
    return SelfAssessmentPart(
        heading=f"{assessment.type_label}, {carried_out:%-d %b %Y}",
        independent=assessment.type == "mock_inspection",
        facts=[
            ("Type", assessment.type_label),
            ("Carried out", f"{carried_out:%-d %b %Y}"),
            ("Assessor", assessment.assessor.display_name),
            ("Statements assessed", f"{assessed} of {len(ratings.KEY_OF)}"),
        ],
        key_questions=key_question_table(results),
        chart=key_question_chart(results),
        **_action_plan(db, assessment),
        statements={
            s.code: StatementLine(
                f"{SCORED_BY[assessment.type]}: {score_text(s.score)}",
                _rationale(assessment, s.rationale),
            )
            for s in assessment.statements
            if s.score is not None
        },
    )


# How each statement's line in the pack names who scored it.
SCORED_BY = {"self_assessment": "Self-assessed", "mock_inspection": "Mock inspection"}
RATIONALE_CHARS = 400  # the pack quotes the start of a rationale; the full one is on its page
HELD_BACK = "Rationale not quoted: it may name someone (see the self-assessment's page)."


def _rationale(assessment, text: str) -> str:
    """A rationale as the pack quotes it: none when the assessment's free text was flagged as
    possibly naming someone (the pack names nobody), and never more than its first 400
    characters."""
    if assessment.privacy_flags:
        return HELD_BACK
    text = " ".join(text.split())
    if len(text) <= RATIONALE_CHARS:
        return text
    return text[: RATIONALE_CHARS - 1].rstrip() + "…"


def key_question_table(results: list[ratings.KeyQuestionResult]) -> Table:
    rows = []
    for kq in results:
        rated = kq.score_pct is not None
        rows.append(
            [
                kq.name,
                f"{kq.assessed} of {kq.statements}",
                f"{kq.total} of {kq.maximum}" if rated else "—",
                f"{kq.score_pct}%" if rated else "—",
                kq.rating_label,
                kq.position,
            ]
        )
    return Table(
        "self_assessment_key_questions",
        "Key questions",
        KEY_QUESTION_COLUMNS,
        rows,
        caption=(
            "Each key question's score is the sum of its assessed statements' scores (1 to 4) "
            "as a percentage of the most they could score, rounded to a whole number; "
            "statements not assessed are left out, never counted as 0. CQC's bands: 88-100% "
            "outstanding, 63-87% good, 39-62% requires improvement, 38% or lower inadequate."
        ),
    )


def key_question_chart(results: list[ratings.KeyQuestionResult]) -> Chart:
    """Chart (a): each key question's score against the bands' lower limits."""
    said = "; ".join(
        f"{kq.name} {kq.score_pct}%, {kq.rating_label.lower()}"
        if kq.score_pct is not None
        else f"{kq.name} not rated"
        for kq in results
    )
    return bar_chart(
        CHART_TITLE,
        (
            "Bars show each key question's score as a percentage of the most it could score; "
            "dashed lines mark where CQC's bands begin: outstanding from 88%, good from 63%, "
            f"requires improvement from 39% (38% or lower is inadequate). {said}."
        ),
        [
            (
                kq.name,
                [
                    Bar(
                        kq.score_pct,
                        f"{kq.score_pct}% {kq.rating_label}"
                        if kq.score_pct is not None
                        else "Not rated",
                    )
                ],
            )
            for kq in results
        ],
        [Series("Score", SCORE_FILL)],
        axis_label="Score (% of the most possible)",
        empty="No statement was assessed, so there is nothing to chart.",
        lines=BAND_LINES,
    )


def _action_plan(db: Session, assessment: SelfAssessment) -> dict:
    """The gaps' table, and how many have an action, in words."""
    raised = assessments.gap_actions(db, assessment)
    by_code = {s.code: s for s in assessment.statements}
    rows = []
    for code, action in raised.items():
        statement = f"{code} {NAMES[code]}"
        score = score_text(by_code[code].score)
        if action is None:
            rows.append([statement, score, NO_ACTION, "—", None, "—"])
        else:
            rows.append(
                [
                    statement,
                    score,
                    action.description,
                    action.owner_name,
                    action.due_on,
                    action.status_label,
                ]
            )
    gaps = len(raised)
    with_action = [a for a in raised.values() if a is not None]
    done = sum(a.status == "done" for a in with_action)
    if not gaps:
        text = "No gaps: no quality statement was scored 1 or 2."
    else:
        text = (
            f"{plural(gaps, 'gap', 'gaps')} (quality statements scored 1 or 2): "
            f"{len(with_action)} with an action ({done} done), "
            f"{gaps - len(with_action)} with no action yet."
        )
    table = Table(
        "self_assessment_gaps",
        "Action plan",
        GAP_COLUMNS,
        rows,
        caption="Every statement scored 1 or 2 needs an action, raised from the assessment.",
        empty="No statement was scored 1 or 2, so no action is needed.",
    )
    return {"gaps_text": text, "gaps": table}
