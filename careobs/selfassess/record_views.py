"""The offline self-assessment form (capture core) and the evidence it suggests.

The form is one page, the same for everyone who may assess a service (driven on the device by
static/js/self-assessment-form.js); the services and types each user may record come with the
bootstrap (``self_assessment_services``), and the evidence for the chosen service from
:func:`suggestions`, fetched while online and kept on the device with the draft.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Blueprint, abort, jsonify, render_template, request
from flask_login import current_user, login_required

from careobs.actions.cqc import QUALITY_STATEMENTS
from careobs.db import get_session, utcnow
from careobs.errors import error_response
from careobs.org.models import Service
from careobs.org.settings import time_zone
from careobs.permissions import assessment_refusal, may_assess_any
from careobs.selfassess import ratings
from careobs.selfassess.documents import NO_RATIONALE, NOTHING_SCORED
from careobs.selfassess.models import TYPES
from careobs.selfassess.suggestions import suggest

bp = Blueprint("self_assessment_capture", __name__, url_prefix="/self-assessments")
api_bp = Blueprint(
    "self_assessment_suggestions_api", __name__, url_prefix="/api/v1/self-assessments"
)


@bp.get("/record")
@login_required
def record():
    """The self-assessment and mock inspection form: works offline once opened."""
    if not may_assess_any(get_session(), current_user):
        abort(403)
    key_questions = [
        {
            "key": key,
            "name": name,
            "statements": [(code, QUALITY_STATEMENTS[name][code]) for code in codes],
        }
        for key, (name, codes) in ratings.KEY_QUESTIONS.items()
    ]
    return render_template(
        "selfassess/record.html",
        key_questions=key_questions,
        scores=ratings.SCORES,
        types=TYPES,
        threshold_note=ratings.THRESHOLD_NOTE,
        nothing_scored=NOTHING_SCORED,
        no_rationale=NO_RATIONALE,
    )


@api_bp.get("/suggestions")
@login_required
def suggestions():
    """``?service_id=<uuid>``: the evidence careobs holds for each of the 34 statements in a
    service the user may assess (either type), for the form to offer. 400 without a service id
    that reads as one; 404 for a service the user may not assess or another organisation's."""
    value = request.args.get("service_id", "")
    try:
        service_uuid = uuid.UUID(value) if len(value) <= 64 else None
    except ValueError:
        service_uuid = None
    if service_uuid is None:
        return error_response(400, "Give service_id: a service's id.", "bad_request")
    db = get_session()
    service = db.scalar(
        sa.select(Service).where(
            Service.uuid == service_uuid, Service.organisation_id == current_user.organisation_id
        )
    )
    if service is None or all(assessment_refusal(current_user, service, t) for t in TYPES):
        return error_response(404)
    now = utcnow()
    today = now.astimezone(time_zone(db, service.organisation_id)).date()
    found = suggest(db, service, today)
    return jsonify(
        {
            "service_id": str(service.uuid),
            "generated_at": now.isoformat(),
            "statements": {
                code: [s.as_json() for s in found.get(code, [])] for code in ratings.KEY_OF
            },
        }
    )
