"""``GET /api/v1/self-assessments/<id>``: an assessment's key question ratings (the contract)."""

from __future__ import annotations

from flask import Blueprint

api_bp = Blueprint("self_assessments_api", __name__, url_prefix="/api/v1/self-assessments")
