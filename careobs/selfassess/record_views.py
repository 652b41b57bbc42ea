"""The offline self-assessment form (capture core) and the evidence it suggests."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("self_assessment_capture", __name__, url_prefix="/self-assessments")
api_bp = Blueprint(
    "self_assessment_suggestions_api", __name__, url_prefix="/api/v1/self-assessments"
)
