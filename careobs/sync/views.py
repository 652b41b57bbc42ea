"""Managers review submitted copies that conflicted with what the server held (the quarantine)."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from careobs.audit.service import record_about
from careobs.capture.kinds import label_of, page_of
from careobs.db import get_session, utcnow
from careobs.pagination import paginate
from careobs.permissions import admin_area_required, visible_quarantine
from careobs.sync.models import QuarantinedDocument

bp = Blueprint("quarantine", __name__, url_prefix="/sync/quarantine")


def visible() -> sa.Select:
    """Quarantined copies the current user may review (careobs.permissions.sync)."""
    return visible_quarantine(current_user)


@bp.get("/")
@admin_area_required
def index():
    stmt = visible().order_by(
        QuarantinedDocument.resolved_at.is_not(None), QuarantinedDocument.received_at.desc()
    )
    return render_template(
        "sync/quarantine.html", page=paginate(get_session(), stmt), kind_label=label_of
    )


@bp.get("/<int:item_id>")
@admin_area_required
def detail(item_id: int):
    item = get_session().scalar(visible().where(QuarantinedDocument.id == item_id))
    if item is None:
        abort(404)
    pretty = json.dumps(item.data, indent=2, sort_keys=True, ensure_ascii=False)
    return render_template(
        "sync/quarantine_detail.html",
        item=item,
        pretty=pretty,
        kind_label=label_of(item.kind),
        stored_page=page_of(item.kind, item.document_id),
    )


@bp.post("/<int:item_id>/resolve")
@admin_area_required
def resolve(item_id: int):
    db = get_session()
    item = db.scalar(visible().where(QuarantinedDocument.id == item_id))
    if item is None:
        abort(404)
    if item.resolved_at is None:
        item.resolved_at = utcnow()
        record_about(
            db,
            "sync_conflict_resolved",
            item,
            actor=current_user,
            summary=f"{item.kind} {item.document_id}",
        )
        db.commit()
    flash("Marked as reviewed. The copy is kept for the record.", "success")
    return redirect(url_for("quarantine.index"))
