"""Web Push endpoints of design §3.1: the public key, and storing or removing a subscription."""

from __future__ import annotations

import base64
import binascii
import re

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user, login_required

from careobs.db import get_session
from careobs.errors import error_response
from careobs.push import endpoints
from careobs.push.keys import load
from careobs.push.models import PushMessage, PushSubscription
from careobs.push.service import forget_subscription

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
    """The endpoint when it is an http(s) URL at all (whether careobs may use it comes later)."""
    try:
        endpoints.parse(value)
    except endpoints.MalformedEndpoint:
        return None
    return value


_BASE64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")


def _decode_key(value, size: int) -> bytes | None:
    """The bytes of a base64url key (padding optional) when it is exactly ``size`` long."""
    if not isinstance(value, str) or len(value) > 200 or not _BASE64URL.fullmatch(value):
        return None
    try:
        raw = base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == size else None


def _browser_keys(keys) -> tuple[str, str] | None:
    """The subscription's keys, unpadded, when pywebpush can encrypt to them.

    p256dh must be an uncompressed P-256 point on the curve and auth a 16-byte secret: anything
    else makes pywebpush raise while sending, so it is refused here rather than queued.
    """
    if not isinstance(keys, dict):
        return None
    p256dh, auth = _decode_key(keys.get("p256dh"), 65), _decode_key(keys.get("auth"), 16)
    if p256dh is None or auth is None or p256dh[0] != 4:
        return None
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), p256dh)
    except ValueError:  # not a point on the curve
        return None
    return keys["p256dh"].rstrip("="), keys["auth"].rstrip("=")


@bp.post("/subscriptions")
@login_required
def subscribe():
    """Store this browser's subscription (200 when it was already known)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error_response(400, "Send the subscription as JSON.", "malformed_json")
    endpoint = _endpoint(body.get("endpoint"))
    browser_keys = _browser_keys(body.get("keys"))
    if not endpoint or browser_keys is None:
        return error_response(
            400,
            "A subscription needs an endpoint URL and keys p256dh (a P-256 public key) and "
            "auth (16 bytes), base64url-encoded.",
            "invalid_subscription",
        )
    # Only now, as it may ask DNS: careobs must never be made to POST to itself or its network.
    try:
        endpoints.check(endpoint, current_app.config.get("PUSH_ALLOWED_ORIGINS", ()))
    except endpoints.RefusedEndpoint as refused:
        return error_response(400, str(refused), "push_endpoint_not_allowed")
    p256dh, auth = browser_keys
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
    # Only new keys make a fresh start: the same subscription sent again (every app start
    # does) must not forgive refusals, or one bound to a replaced VAPID key is never removed.
    if (existing.p256dh, existing.auth) != (p256dh, auth):
        existing.failure_count = 0
    existing.user_id = current_user.id
    existing.p256dh, existing.auth = p256dh, auth
    existing.user_agent = (request.user_agent.string or "")[:300]
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
    forget_subscription(db, current_user, endpoint)
    db.commit()
    return "", 204
