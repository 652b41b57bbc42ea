"""The comparison of a co-audit with its staff audit: its page, its API and the one-tap
follow-up of a difference.

``<audit id>`` is either audit's document id: a co-audit's leads to its comparison, a staff
audit's to its latest submitted co-audit (careobs.permissions.comparisons).
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from careobs.coaudits import service
from careobs.coaudits.comparison import EASY_READ_WORDS, STAFF_WORDS, agreement_text, as_json
from careobs.coaudits.queries import co_audit_label, co_audit_who, comparison_of, follow_ups_of
from careobs.db import get_session
from careobs.errors import error_response
from careobs.org.settings import time_zone
from careobs.permissions import get_visible_comparison, may_follow_up_comparison
from careobs.permissions.comparisons import latest_co_audit_of
from careobs.retention.late import past_its_period

bp = Blueprint("coaudits", __name__, url_prefix="/audits")
api_bp = Blueprint("coaudits_api", __name__, url_prefix="/api/v1/audits")

NOT_ARRIVED = "The staff audit this co-audit is compared with has not reached the server yet."
NOT_ARRIVED_PAGE = f"{NOT_ARRIVED} The comparison appears here once it has been synced."
NOT_A_DIFFERENCE = "Only an item on which the two audits differ can be followed up."
# A co-audit past its own period (kept for an open action, or as the latest audit of its
# subject) whose staff audit is not here: that audit, of the same occasion, was removed with it.
REMOVED = (
    "The staff audit this co-audit is compared with was removed at the end of its retention period."
)


def _missing_staff_audit(db, co_audit) -> tuple[str, str]:
    """(code, sentence) for a co-audit whose staff audit is not stored."""
    if past_its_period(db, "audits", co_audit.organisation_id, co_audit.started_at):
        return "staff_audit_removed", REMOVED
    return "staff_audit_not_arrived", NOT_ARRIVED


@bp.app_template_global()
def co_audit_label_of(audit) -> str:
    """The label audit lists show beside a co-audit (see :func:`co_audit_label`)."""
    return co_audit_label(audit)


@bp.app_template_global()
def co_audit_comparison(audit) -> dict | None:
    """What an audit's page says of its comparison: a co-audit links to it (whether or not its
    staff audit has arrived), a staff audit to its latest co-audit's; None when there is none
    the user may see."""
    db = get_session()
    if audit.is_co_audit:
        if get_visible_comparison(db, current_user, audit.uuid) is None:
            return None
        return {
            "heading": co_audit_label(audit),
            "text": "This is a co-audit, compared with a staff audit of the same template.",
            "url": url_for("coaudits.page", audit_id=audit.uuid),
        }
    co_audit = latest_co_audit_of(db, current_user, audit)
    if co_audit is None:
        return None
    return {
        "heading": "Co-audit",
        "text": f"{co_audit_label(co_audit)} is compared with this audit.",
        "url": url_for("coaudits.page", audit_id=co_audit.uuid),
    }


@bp.get("/<uuid:audit_id>/comparison")
@login_required
def page(audit_id: uuid.UUID):
    """Both answers item by item, the agreement in words and a follow-up per difference."""
    db = get_session()
    pair = get_visible_comparison(db, current_user, audit_id)
    if pair is None:
        abort(404)
    comparison = comparison_of(db, pair) if pair.staff is not None else None
    return render_template(
        "coaudits/comparison.html",
        pair=pair,
        comparison=comparison,
        agreement=agreement_text(comparison) if comparison else "",
        label=co_audit_label(pair.co_audit),
        who=co_audit_who(pair.co_audit),
        follow_ups=follow_ups_of(db, pair.co_audit),
        may_follow_up=may_follow_up_comparison(current_user, pair),
        staff_words=STAFF_WORDS,
        easy_words=EASY_READ_WORDS,
        not_arrived=pair.refusal[1] if pair.refusal else _not_arrived_page(db, pair.co_audit),
        zone=time_zone(db, current_user.organisation_id),
    )


def _not_arrived_page(db, co_audit) -> str:
    code, words = _missing_staff_audit(db, co_audit)
    return NOT_ARRIVED_PAGE if code == "staff_audit_not_arrived" else words


@bp.post("/<uuid:audit_id>/comparison/follow-up")
@login_required
def follow_up(audit_id: uuid.UUID):
    """Raise an action from one difference (form field ``item``: the item's key), once: a
    second tap, from any session, finds the first and goes to the same action."""
    db = get_session()
    pair = get_visible_comparison(db, current_user, audit_id)
    if pair is None:
        abort(404)
    if not may_follow_up_comparison(current_user, pair):
        abort(403)
    try:
        key = uuid.UUID(str(request.form.get("item", "")))
    except ValueError:
        return error_response(400, NOT_A_DIFFERENCE)
    difference = next((d for d in comparison_of(db, pair).differences if d.key == key), None)
    if difference is None:
        return error_response(400, NOT_A_DIFFERENCE)
    action, raised = service.follow_up(db, current_user, pair, difference)
    db.commit()
    flash(
        "Action raised: it is yours, due in 14 days; change it on its page."
        if raised
        else "This difference was already followed up.",
        "success",
    )
    return redirect(url_for("actions.detail", action_id=action.uuid))


@api_bp.get("/<uuid:audit_id>/comparison")
@login_required
def api(audit_id: uuid.UUID):
    """The comparison as JSON (issue 16's contract); 409 while the staff audit has not
    arrived or is a draft, or when the audit the co-audit names is not its staff audit
    (careobs.permissions.comparisons.pair_refusal); 404 for an audit the user may not read, or
    a staff audit with no co-audit."""
    db = get_session()
    pair = get_visible_comparison(db, current_user, audit_id)
    if pair is None:
        return error_response(404)
    if pair.refusal is not None:
        return error_response(409, pair.refusal[1], pair.refusal[0])
    if pair.staff is None:
        code, words = _missing_staff_audit(db, pair.co_audit)
        return error_response(409, words, code)
    return jsonify(as_json(pair.staff.uuid, pair.co_audit.uuid, comparison_of(db, pair)))
