"""The checklist editor's blueprint and the look-ups its screens share (this organisation only)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, url_for
from flask_login import current_user

from careobs.checklists.models import Checklist, ChecklistDomain, ChecklistItem, ChecklistVersion
from careobs.checklists.service import draft_of
from careobs.db import get_session
from careobs.org.scoping import get_scoped_or_404

bp = Blueprint("checklists", __name__, url_prefix="/admin/checklists")


def checklist_or_404(checklist_id: uuid.UUID) -> Checklist:
    """A checklist of the admin's organisation; others' are 404, not 403, so none are revealed."""
    return get_scoped_or_404(Checklist, checklist_id, manage=False)


def draft_or_404(checklist_id: uuid.UUID) -> tuple[Checklist, ChecklistVersion]:
    """A checklist of the admin's organisation and its draft (404 when it has none)."""
    checklist = checklist_or_404(checklist_id)
    draft = draft_of(get_session(), checklist)
    if draft is None:
        abort(404)
    return checklist, draft


def draft_row_or_404(model, row_id: uuid.UUID):
    """A domain or item of a draft of this organisation (published versions never change)."""
    stmt = sa.select(model).where(model.uuid == row_id)
    if model is ChecklistItem:
        stmt = stmt.join(ChecklistItem.domain)
    stmt = stmt.join(ChecklistDomain.version).where(
        ChecklistVersion.organisation_id == current_user.organisation_id
    )
    row = get_session().scalar(stmt)
    if row is None:
        abort(404)
    version = row.version if model is ChecklistDomain else row.domain.version
    if not version.is_draft:
        abort(409, "Published versions cannot be changed; edit the draft instead.")
    return row, version


def back_to_draft(version: ChecklistVersion):
    """Back to the draft on the checklist's page, where the change shows."""
    return redirect(url_for("checklists.detail", checklist_id=version.checklist.uuid) + "#draft")
