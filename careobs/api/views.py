"""The JSON API under /api/v1 used by the offline app; errors are always JSON."""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, jsonify, request
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from sqlalchemy.exc import IntegrityError

from careobs.api.bootstrap import bootstrap as build_bootstrap
from careobs.api.openapi import OPENAPI
from careobs.db import get_session
from careobs.errors import error_response
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
    payload = request.get_json(silent=True)
    if payload is None:
        return error_response(400, "The body is not valid JSON.", "malformed_json")
    documents = payload.get("documents") if isinstance(payload, dict) else None
    if not isinstance(documents, list):
        return error_response(400, 'Send {"documents": [...]}.', "malformed_request")
    if len(documents) > sync.MAX_DOCUMENTS:
        return error_response(
            413, f"Send at most {sync.MAX_DOCUMENTS} documents per request.", "too_many_documents"
        )
    db = get_session()
    try:
        results = sync.process_batch(db, current_user, documents)
        db.commit()
    except IntegrityError:
        # Another request stored one of these documents at the same moment: nothing from this
        # batch was kept, and sending it again answers each document properly.
        db.rollback()
        return error_response(
            409,
            "Some of these documents were being saved by another request. Send them again.",
            "retry",
        )
    return jsonify({"results": results})


@bp.get("/openapi.json")
def openapi():
    """The API description (OpenAPI 3.1)."""
    return jsonify(OPENAPI)
