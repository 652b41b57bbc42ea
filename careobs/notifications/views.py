"""The notification list behind the bell, and the page to turn push notifications on or off."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from careobs.db import get_session, utcnow
from careobs.notifications.models import Notification
from careobs.pagination import paginate

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("/")
@login_required
def index():
    stmt = (
        sa.select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return render_template("notifications/index.html", page=paginate(get_session(), stmt))


@bp.get("/<uuid:notice_id>")
@login_required
def open_notice(notice_id: uuid.UUID):
    """Mark as read and go to what it is about."""
    db = get_session()
    notice = db.scalar(
        sa.select(Notification).where(
            Notification.uuid == notice_id, Notification.user_id == current_user.id
        )
    )
    if notice is None:
        abort(404)
    if notice.read_at is None:
        notice.read_at = utcnow()
        db.commit()
    target = (
        notice.link
        if notice.link.startswith("/") and not notice.link.startswith("//")
        else url_for("home.index")
    )
    return redirect(target)


@bp.post("/read")
@login_required
def mark_all_read():
    db = get_session()
    db.execute(
        sa.update(Notification)
        .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.commit()
    return redirect(url_for("notifications.index"))


@bp.get("/settings")
@login_required
def settings():
    """Turn push notifications on or off on this device (push-settings.js does the work)."""
    return render_template("notifications/settings.html")
