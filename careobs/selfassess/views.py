"""Self-assessment pages: the list, and one assessment with its ratings, gaps and what changed
(raising the action for a gap is the action form's: careobs.actions.views.new)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from careobs.actions.cqc import NAMES
from careobs.actions.models import Action
from careobs.db import get_session
from careobs.org.settings import time_zone
from careobs.pagination import paginate
from careobs.permissions import (
    get_visible_self_assessment,
    may_raise_gap_actions,
    self_assessment_reach,
    visible_actions,
    visible_self_assessments,
)
from careobs.selfassess import ratings, service, suggestions
from careobs.selfassess.models import SelfAssessment, SelfAssessmentStatement
from careobs.wording import plural

bp = Blueprint("self_assessments", __name__, url_prefix="/self-assessments")


@bp.get("/")
@login_required
def index():
    """The self-assessments and mock inspections the user may read, newest first, each with
    its five key questions' ratings."""
    db = get_session()
    reach = self_assessment_reach(db, current_user)
    if not reach.opens:
        abort(403)
    stmt = (
        visible_self_assessments(current_user)
        .options(selectinload(SelfAssessment.service), selectinload(SelfAssessment.assessor))
        .order_by(SelfAssessment.assessed_at.desc(), SelfAssessment.id.desc())
    )
    page = paginate(db, stmt)
    scores: dict[int, dict[str, int | None]] = {a.id: {} for a in page.items}
    rows = db.execute(
        sa.select(
            SelfAssessmentStatement.self_assessment_id,
            SelfAssessmentStatement.code,
            SelfAssessmentStatement.score,
        ).where(SelfAssessmentStatement.self_assessment_id.in_(list(scores)))
    )
    for assessment_id, code, score in rows:
        scores[assessment_id][code] = score
    return render_template(
        "selfassess/index.html",
        page=page,
        results={a_id: ratings.key_questions(s) for a_id, s in scores.items()},
        may_start=reach.may_start,
    )


@dataclass(frozen=True)
class StatementRow:
    """One quality statement as the page shows it."""

    code: str
    name: str
    score: int | None
    rationale: str
    evidence: list  # [careobs.selfassess.suggestions.Suggestion]
    change: ratings.Change | None  # None: no previous assessment to compare with

    @property
    def score_text(self) -> str:
        """ "2 — Some shortfalls", or "Not assessed" (never 0)."""
        if self.score is None:
            return "Not assessed"
        return f"{self.score} — {ratings.SCORES[self.score]}"


@dataclass(frozen=True)
class GapRow:
    """A statement scored 1 or 2, and the action raised for it (None: none yet)."""

    code: str
    name: str
    score: int
    action: Action | None
    action_visible: bool


def gaps_summary(gaps: list[GapRow]) -> str:
    """ "3 gaps: 2 with an action, 1 still without" / "No gaps: no statement scored 1 or 2"."""
    if not gaps:
        return "No gaps: no statement is scored 1 or 2."
    raised = sum(g.action is not None for g in gaps)
    left = len(gaps) - raised
    head = plural(len(gaps), "gap", "gaps")
    if left == 0:
        return f"{head}: every one has an action."
    if raised == 0:
        return f"{head}: none has an action yet."
    return f"{head}: {raised} with an action, {left} still without."


@bp.get("/<uuid:assessment_id>")
@login_required
def detail(assessment_id: uuid.UUID):
    """One self-assessment or mock inspection: its key questions' ratings, every statement with
    its score, rationale, evidence and what changed since the service's previous one, and the
    action plan for its gaps."""
    db = get_session()
    assessment = get_visible_self_assessment(db, current_user, assessment_id)
    if assessment is None:
        abort(404)
    scores = service.scores_of(assessment)
    # What changed, against the latest earlier one this reader may read: a mock inspector does
    # not see the service's own scores through it, nor a supervisor a mock inspection's.
    previous = service.previous_of(db, assessment, visible_self_assessments(current_user))
    first = previous is None and service.previous_of(db, assessment) is None
    before = service.scores_of(previous) if previous is not None else None
    changes = {c.code: c for c in ratings.changes(before, scores)} if before is not None else {}
    stored = {s.code: s for s in assessment.statements}
    # Every statement's evidence described in one call, then handed back statement by statement.
    refs = [ref for s in assessment.statements for ref in s.evidence]
    zone = time_zone(db, assessment.organisation_id)
    day = assessment.assessed_at.astimezone(zone).date()  # the QUIS trend's 90 days end then
    described = iter(suggestions.describe(db, assessment.service, refs, until=day) if refs else [])
    evidence = {s.code: [next(described) for _ in s.evidence] for s in assessment.statements}
    groups = []
    for key, (name, codes) in ratings.KEY_QUESTIONS.items():
        rows = []
        for code in codes:
            row = stored.get(code)
            rows.append(
                StatementRow(
                    code=code,
                    name=NAMES[code],
                    score=row.score if row is not None else None,
                    rationale=row.rationale if row is not None else "",
                    evidence=evidence.get(code, []),
                    change=changes.get(code),
                )
            )
        groups.append((key, name, rows))
    submitted = assessment.status == "submitted"
    gaps = []
    if submitted:
        raised = service.gap_actions(db, assessment)
        ids = [a.id for a in raised.values() if a is not None]
        visible_ids = visible_actions(current_user).with_only_columns(Action.id)
        visible = set(db.scalars(visible_ids.where(Action.id.in_(ids))))
        gaps = [
            GapRow(
                code, NAMES[code], scores[code], action, action is not None and action.id in visible
            )
            for code, action in raised.items()
        ]
    return render_template(
        "selfassess/detail.html",
        assessment=assessment,
        results=ratings.key_questions(scores),
        threshold_note=ratings.THRESHOLD_NOTE,
        score_words=ratings.SCORES,
        groups=groups,
        previous=previous,
        first=first,
        gaps=gaps,
        gaps_summary=gaps_summary(gaps),
        may_raise=may_raise_gap_actions(current_user, assessment),
    )
