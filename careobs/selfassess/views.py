"""Self-assessment pages: the list, one assessment with its ratings, gaps and what changed,
and raising the action for a gap."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort
from flask_login import login_required

bp = Blueprint("self_assessments", __name__, url_prefix="/self-assessments")


@bp.get("/<uuid:assessment_id>")
@login_required
def detail(assessment_id: uuid.UUID):
    abort(404)
