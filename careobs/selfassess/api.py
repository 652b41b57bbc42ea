"""``GET /api/v1/self-assessments/<id>``: an assessment's key question ratings (the contract)."""

from __future__ import annotations

import uuid

from flask import Blueprint, jsonify
from flask_login import current_user, login_required

from careobs.db import get_session
from careobs.errors import error_response
from careobs.permissions import get_visible_self_assessment
from careobs.selfassess import ratings, service
from careobs.selfassess.models import SelfAssessment

api_bp = Blueprint("self_assessments_api", __name__, url_prefix="/api/v1/self-assessments")


def as_json(assessment: SelfAssessment) -> dict:
    """The contract's shape: all five key questions in CQC's order (no score, rating or
    threshold when none of its statements is assessed) and all 34 statements in CQC's order (a
    null score when not assessed, never 0)."""
    scores = service.scores_of(assessment)
    return {
        "id": str(assessment.uuid),
        "service_id": str(assessment.service.uuid),
        "type": assessment.type,
        "status": assessment.status,
        "assessed_at": assessment.assessed_at.isoformat(),
        "key_questions": [
            {
                "key": r.key,
                "name": r.name,
                "assessed": r.assessed,
                "score_pct": r.score_pct,
                "rating": r.rating,
                "threshold": r.threshold,
            }
            for r in ratings.key_questions(scores)
        ],
        "statements": [{"code": code, "score": scores.get(code)} for code in ratings.KEY_OF],
    }


@api_bp.get("/<uuid:assessment_id>")
@login_required
def detail(assessment_id: uuid.UUID):
    """One self-assessment or mock inspection the user may read (404 otherwise)."""
    assessment = get_visible_self_assessment(get_session(), current_user, assessment_id)
    if assessment is None:
        return error_response(404)
    return jsonify(as_json(assessment))
