"""The JSON API under /api/v1 used by the offline app; errors are always JSON."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import login_required
from flask_wtf.csrf import generate_csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/csrf")
@login_required
def csrf_token():
    """A fresh CSRF token, fetched just before sending so queued data never carries a stale one."""
    return jsonify({"csrf_token": generate_csrf()})
