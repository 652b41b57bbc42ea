"""Web Push endpoints of design §3.1: the public key, and storing or removing a subscription."""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user, login_required

from careobs.db import get_session
from careobs.errors import error_response
from careobs.notifications.models import PushMessage, PushSubscription
from careobs.push.keys import load

bp = Blueprint("push", __name__, url_prefix="/api/v1/push")


@bp.get("/key")
@login_required
def public_key():
    """The VAPID public key browsers subscribe with (their applicationServerKey)."""
    keys = load(current_app.instance_path)
    if keys is None:
        return error_response(
            404,
            "Push notifications are not set up on this server (run 'careobs push keys').",
            "push_not_configured",
        )
    return jsonify({"public_key": keys.public_key})


def _endpoint(value) -> str | None:
    if not isinstance(value, str) or len(value) > 2000:
        return None
    parts = urlsplit(value)
    return value if parts.scheme in ("https", "http") and parts.netloc else None


@bp.post("/subscriptions")
@login_required
def subscribe():
    """Store this browser's subscription (200 when it was already known)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error_response(400, "Send the subscription as JSON.", "malformed_json")
    endpoint = _endpoint(body.get("endpoint"))
    keys = body.get("keys") if isinstance(body.get("keys"), dict) else {}
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    if (
        not endpoint
        or not isinstance(p256dh, str)
        or not isinstance(auth, str)
        or not 20 <= len(p256dh) <= 200
        or not 8 <= len(auth) <= 100
    ):
        return error_response(
            400,
            "A subscription needs an endpoint URL and keys p256dh and auth.",
            "invalid_subscription",
        )
    db = get_session()
    existing = db.scalar(sa.select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    status = 200
    if existing is None:
        existing = PushSubscription(
            endpoint=endpoint, user_id=current_user.id, p256dh=p256dh, auth=auth
        )
        db.add(existing)
        status = 201
    # The same browser may now belong to someone else (a shared phone): it follows the login,
    # and pushes still queued for the previous user must not reach the new one's lock screen.
    if existing.id is not None and existing.user_id != current_user.id:
        db.execute(
            sa.delete(PushMessage).where(
                PushMessage.subscription_id == existing.id, PushMessage.status == "pending"
            )
        )
    existing.user_id = current_user.id
    existing.p256dh, existing.auth = p256dh, auth
    existing.user_agent = (request.user_agent.string or "")[:300]
    existing.failure_count = 0
    db.commit()
    return jsonify({"endpoint": endpoint}), status


@bp.delete("/subscriptions")
@login_required
def unsubscribe():
    """Forget this browser's subscription (only the user's own)."""
    body = request.get_json(silent=True)
    endpoint = body.get("endpoint") if isinstance(body, dict) else None
    if not isinstance(endpoint, str):
        return error_response(400, 'Send {"endpoint": "..."}.', "malformed_request")
    db = get_session()
    db.execute(
        sa.delete(PushSubscription).where(
            PushSubscription.endpoint == endpoint, PushSubscription.user_id == current_user.id
        )
    )
    db.commit()
    return "", 204
