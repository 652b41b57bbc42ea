"""The JSON API under /api/v1 used by the offline app; errors are always JSON."""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, jsonify, request
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from careobs.api.bootstrap import bootstrap as build_bootstrap
from careobs.api.openapi import OPENAPI
from careobs.db import get_session
from careobs.errors import error_response
from careobs.sync import payload
from careobs.sync import service as sync

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/csrf")
@login_required
def csrf_token():
    """A fresh CSRF token, fetched just before sending so queued data never carries a stale one."""
    return jsonify({"csrf_token": generate_csrf()})


@bp.get("/bootstrap")
@login_required
def bootstrap():
    """Services, rosters and settings for offline capture; 304 when the device is up to date."""
    body = json.dumps(build_bootstrap(get_session(), current_user), sort_keys=True)
    etag = hashlib.sha256(body.encode()).hexdigest()[:32]
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = Response(body, mimetype="application/json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.post("/sync")
@login_required
def sync_documents():
    """Apply a batch of documents (design §3.1); one result per document, in order."""
    if not request.is_json:
        return error_response(
            415, "Send JSON with the Content-Type application/json.", "unsupported_media_type"
        )
    try:
        body = payload.parse_body(request.get_data(cache=False))
    except payload.Unreadable as exc:
        return error_response(400, str(exc), "malformed_json")
    documents = body.get("documents") if isinstance(body, dict) else None
    if not isinstance(documents, list):
        return error_response(400, 'Send {"documents": [...]}.', "malformed_request")
    if len(documents) > sync.MAX_DOCUMENTS:
        return error_response(
            413, f"Send at most {sync.MAX_DOCUMENTS} documents per request.", "too_many_documents"
        )
    try:
        # The user itself, not Flask-Login's proxy: the batch reads the user's id and
        # organisation for every document, and each read through the proxy looks the user up
        # again (3 % of the sync's profile, bench/sync_ingest.py).
        user = current_user._get_current_object()
        results = sync.process_batch(get_session(), user, documents)
    except sync.Busy:
        # Only when the database stayed locked through every retry: what was applied before is
        # kept and answered as unchanged when the device sends the batch again.
        response, status = error_response(
            503,
            "The server is busy. Your records are safe on this device; it will send them "
            "again shortly.",
            "busy",
        )
        return response, status, {"Retry-After": "5"}
    return jsonify({"results": results})


@bp.get("/openapi.json")
def openapi():
    """The API description (OpenAPI 3.1)."""
    return jsonify(OPENAPI)
