"""The "Remove personal data" page of a submitted record. HTTP only: careobs.redaction.service
redacts, careobs.permissions.redaction decides who may."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from careobs.db import get_session
from careobs.permissions import is_final, may_manage_redaction, may_redact
from careobs.permissions.redaction import DRAFT
from careobs.redaction import service, text
from careobs.redaction.fields import KINDS, kind_of, places
from careobs.redaction.forms import redaction_form
from careobs.wording import plural

bp = Blueprint("redaction", __name__, url_prefix="/redact")

GONE = (
    "These words are not in this text (any more): they may have been removed already."
    " The text as it is now is shown above."
)


@bp.app_template_global()
def redaction_url(record) -> str | None:
    """The record's "Remove personal data" page, for those who may use it (None otherwise)."""
    kind = kind_of(record)
    if kind is None or not current_user.is_authenticated or not may_redact(current_user, record):
        return None
    return url_for("redaction.redact", kind=kind.slug, record_id=record.uuid)


def done_message(outcome: service.Outcome) -> str:
    """What a redaction removed, and where: the page has no separate confirm step, so the
    counts are told here, after it."""

    def times(n: int) -> str:
        return plural(n, "time", "times")

    where = []
    if outcome.linked:
        records = plural(outcome.records, "linked record", "linked records")
        where.append(f"{times(outcome.linked)} from {records} holding copies (feedback, actions)")
    if outcome.in_copies:
        copies = plural(outcome.copies, "copy kept for review", "copies kept for review")
        where.append(f"{times(outcome.in_copies)} from {copies}")
    if outcome.removed:
        said = f"Removed {times(outcome.removed)} from this text"
        said += f"; also {' and '.join(where)}" if where else ""
    else:
        said = f"The words were no longer in this text. Removed {' and '.join(where)}"
    return said + ". The audit log records who removed it and why, never the words."


def _record(slug: str, record_id: uuid.UUID):
    """The record and its kind, or the error the user gets: 404 when they may not see it,
    403 when they may but do not answer for its service, 409 for a draft."""
    kind = KINDS.get(slug)
    if kind is None:
        abort(404)
    db = get_session()
    record = kind.find(db, current_user, record_id)
    if record is None:
        abort(404)
    if not may_manage_redaction(current_user, record):
        abort(403)
    if not is_final(record):
        abort(409, DRAFT)
    return kind, record


def _offered(record) -> list:
    """The record's texts that still say something (not only spaces, or all redacted)."""
    return [p for p in places(record, listed_only=True) if p.text.strip() not in ("", text.MARK)]


def _page(kind, record, form, status: int = 200):
    shown = _offered(record)
    form.place.choices = [SelectChoice(p.ref, p.label) for p in shown]
    return (
        render_template(
            "redaction/redact.html",
            kind=kind,
            record=record,
            places=shown,
            form=form,
            mark=text.MARK,
            back=kind.page_url(record),
        ),
        status,
    )


@bp.get("/<kind>/<uuid:record_id>")
@login_required
def redact(kind: str, record_id: uuid.UUID):
    found, record = _record(kind, record_id)
    return _page(found, record, redaction_form())


@bp.post("/<kind>/<uuid:record_id>")
@login_required
def redact_post(kind: str, record_id: uuid.UUID):
    found, record = _record(kind, record_id)
    db = get_session()
    members = service.lock(db, record)  # read afresh: another redaction may just have changed it
    form = redaction_form()
    form.place.choices = [SelectChoice(p.ref, p.label) for p in _offered(record)]
    if not form.validate_on_submit():
        return _page(found, record, form, 400)
    span = form.words.data if form.what.data == "words" else None
    try:
        outcome = service.redact(
            db,
            current_user,
            record,
            form.place.data,
            span=span,
            reason=form.reason.data,
            members=members,
        )
    except service.NotInText:
        db.rollback()
        form.words.errors = [*form.words.errors, GONE]
        return _page(found, record, form, 409)
    db.commit()
    flash(done_message(outcome), "success")
    return redirect(url_for("redaction.redact", kind=found.slug, record_id=record.uuid))
