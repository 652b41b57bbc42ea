"""Feedback pages: the worker's "My feedback", and the author's and managers' view of status."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm import selectinload
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from careobs.db import get_session, utcnow
from careobs.feedback import service
from careobs.feedback.models import Feedback
from careobs.notifications.service import mark_read_for_link
from careobs.org.models import StaffMember
from careobs.pagination import paginate
from careobs.permissions import (
    compliment_services,
    get_feedback_roles,
    get_visible_quis_session,
    managed_feedback,
    may_edit_feedback,
    may_release_feedback,
    own_feedback,
    own_staff_ids,
)
from careobs.privacy import identifier_warnings
from careobs.wording import plural

bp = Blueprint("feedback", __name__, url_prefix="/feedback")


STAFF = ("member of staff", "members of staff")

# Free text gets the live identifier warning of design §2.4 (static/js/privacy-fields.js).
WATCHED = {"data-privacy": "", "rows": 5}


class FeedbackForm(FlaskForm):
    went_well = TextAreaField("What went well", validators=[Length(max=20000)], render_kw=WATCHED)
    to_develop = TextAreaField(
        "Areas for development", validators=[Length(max=20000)], render_kw=WATCHED
    )
    actions = TextAreaField("Agreed actions", validators=[Length(max=20000)], render_kw=WATCHED)


class ReplyForm(FlaskForm):
    reply = TextAreaField(
        "Your reflection",
        validators=[DataRequired(), Length(max=5000)],  # a blank reflection is no reflection
        description="What you think about this feedback and what you will do.",
        render_kw=WATCHED,
    )


@bp.get("/mine")
@login_required
def my_feedback():
    stmt = own_feedback(current_user).order_by(Feedback.released_at.desc())
    return render_template("feedback/mine.html", page=paginate(get_session(), stmt))


@bp.get("/")
@login_required
def index():
    # The list shows each worker, whether they can log in, and the author: loaded with the page.
    stmt = (
        managed_feedback(current_user)
        .order_by(Feedback.updated_at.desc())
        .options(
            selectinload(Feedback.staff).selectinload(StaffMember.user),
            selectinload(Feedback.author),
        )
    )
    status = request.args.get("status")
    if status == "draft":
        stmt = stmt.where(Feedback.status == "draft")
    elif status == "unread":
        stmt = stmt.where(Feedback.status == "released", Feedback.read_at.is_(None))
    db = get_session()
    observed = db.scalar(sa.select(own_staff_ids(current_user).exists()))
    # Compliments naming a worker become their feedback: those who may record them are
    # pointed to the log from here.
    logs = db.scalar(sa.select(compliment_services(current_user).exists()))
    return render_template(
        "feedback/index.html",
        page=paginate(db, stmt),
        status=status,
        observed=observed,
        logs_compliments=logs,
    )


def privacy_flags(feedback: Feedback) -> list[str]:
    """What in the feedback's text looks like a personal identifier (design §2.4)."""
    texts = (feedback.went_well, feedback.to_develop, feedback.actions, feedback.reply)
    return sorted({w for text in texts if text for w in identifier_warnings(text)})


def _load(feedback_id: uuid.UUID) -> tuple[Feedback, bool, bool]:
    """The feedback, whether the user is the worker it is for, and whether they manage it."""
    feedback, is_worker, is_manager = get_feedback_roles(get_session(), current_user, feedback_id)
    if feedback is None:
        abort(404)
    return feedback, is_worker, is_manager


@bp.get("/<uuid:feedback_id>")
@login_required
def detail(feedback_id: uuid.UUID):
    feedback, is_worker, is_manager = _load(feedback_id)
    db = get_session()
    if is_worker:
        service.mark_read(db, feedback, current_user)
    else:
        mark_read_for_link(db, current_user, url_for("feedback.detail", feedback_id=feedback.uuid))
    db.commit()
    return render_template(
        "feedback/detail.html",
        feedback=feedback,
        is_worker=is_worker,
        is_manager=is_manager,
        reply_form=ReplyForm(formdata=None),
        privacy_flags=privacy_flags(feedback) if is_manager else [],
        may_edit=may_edit_feedback(current_user, feedback),
        may_release=may_release_feedback(current_user, feedback),
    )


def _edited_text(feedback: Feedback) -> tuple[str, ...]:
    """The text an edit can change, with browsers' CRLF line breaks read as plain newlines."""
    return tuple(
        (getattr(feedback, name) or "").replace("\r\n", "\n")
        for name in ("went_well", "to_develop", "actions")
    )


@bp.route("/<uuid:feedback_id>/edit", methods=["GET", "POST"])
@login_required
def edit(feedback_id: uuid.UUID):
    feedback, _is_worker, _is_manager = _load(feedback_id)
    if not may_edit_feedback(current_user, feedback):
        abort(403)
    form = FeedbackForm(obj=feedback)
    may_release = may_release_feedback(current_user, feedback)
    if request.form.get("release") and not may_release:
        abort(403, "Feedback from a compliment is released by a manager of the service.")
    if form.validate_on_submit():
        db = get_session()
        before = _edited_text(feedback)
        form.populate_obj(feedback)
        feedback.updated_at = utcnow()
        if _edited_text(feedback) != before:  # saving or releasing it unchanged is no edit
            service.edited(db, feedback, current_user)
        if request.form.get("release"):
            service.release(db, feedback, current_user)
            if feedback.reaches_worker:
                flash("Feedback released. The care worker has been notified.", "success")
            elif feedback.staff.user is None:
                flash(
                    f"Feedback released. {feedback.staff.name} has no careobs login, so nobody "
                    "was notified: give it to them in person or invite them (Admin → Staff).",
                    "warning",
                )
            else:
                flash(
                    f"Feedback released. {feedback.staff.name}'s careobs login is deactivated, "
                    "so nobody was notified: give it to them in person.",
                    "warning",
                )
        else:
            flash("Draft saved.", "success")
        db.commit()
        return redirect(url_for("feedback.detail", feedback_id=feedback.uuid))
    return render_template(
        "feedback/edit.html", form=form, feedback=feedback, may_release=may_release
    )


@bp.post("/<uuid:feedback_id>/acknowledge")
@login_required
def acknowledge(feedback_id: uuid.UUID):
    feedback, _ = _load_as_worker(feedback_id)
    db = get_session()
    service.acknowledge(db, feedback, current_user)
    return _saved(db, feedback, "Thank you. Your acknowledgement has been recorded.")


@bp.post("/<uuid:feedback_id>/reply")
@login_required
def reply(feedback_id: uuid.UUID):
    feedback, is_manager = _load_as_worker(feedback_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        return render_template(
            "feedback/detail.html",
            feedback=feedback,
            is_worker=True,
            is_manager=is_manager,
            reply_form=form,
        ), 400
    db = get_session()
    service.reply(db, feedback, current_user, form.reply.data)
    return _saved(db, feedback, "Your reflection has been sent.")


def _load_as_worker(feedback_id: uuid.UUID) -> tuple[Feedback, bool]:
    """Feedback the user is the worker of (403 otherwise), and whether they also manage it."""
    feedback, is_worker, is_manager = _load(feedback_id)
    if not is_worker:
        abort(403)
    return feedback, is_manager


def _saved(db, feedback: Feedback, message: str):
    """Commit the worker's response, thank them, and go back to the feedback."""
    db.commit()
    flash(message, "success")
    return redirect(url_for("feedback.detail", feedback_id=feedback.uuid))


def _submitted_session(db, session_id: uuid.UUID):
    """The submitted QUIS session feedback is written from: 404 unless the user may see it,
    409 while it is still a draft."""
    session = get_visible_quis_session(db, current_user, session_id)
    if session is None:
        abort(404)
    if session.status != "submitted":
        abort(409, "Submit the session before writing feedback.")
    return session


@bp.post("/from-quis/<uuid:session_id>")
@login_required
def from_quis(session_id: uuid.UUID):
    """Draft feedback for each member of staff observed in a submitted session."""
    db = get_session()
    session = _submitted_session(db, session_id)
    staff_ids = {i.staff_id for i in session.interactions if i.staff_id}
    if not staff_ids:
        flash("No member of staff was named in this session's interactions.", "error")
        return redirect(url_for("quis.detail", session_id=session.uuid))
    for member in db.scalars(sa.select(StaffMember).where(StaffMember.id.in_(staff_ids))):
        service.draft_from_quis(db, session, member, current_user)
    db.commit()
    flash(
        f"Feedback drafted for {plural(len(staff_ids), *STAFF)}. Check and release each.",
        "success",
    )
    return redirect(url_for("feedback.index", status="draft"))


class TeamFeedbackForm(FlaskForm):
    went_well = TextAreaField("What went well for the team", validators=[Length(max=20000)])
    to_develop = TextAreaField("Areas for development for the team", validators=[Length(max=20000)])


@bp.post("/team/<uuid:session_id>")
@login_required
def team(session_id: uuid.UUID):
    """The same feedback to each chosen member of the team on duty during a session."""
    db = get_session()
    session = _submitted_session(db, session_id)
    form = TeamFeedbackForm()
    chosen = set(request.form.getlist("staff"))
    staff = [
        m
        for m in db.scalars(
            sa.select(StaffMember).where(
                StaffMember.service_id == session.service_id, StaffMember.active.is_(True)
            )
        )
        if m.uuid.hex in chosen
    ]
    if (
        not form.validate_on_submit()
        or not staff
        or not (form.went_well.data.strip() or form.to_develop.data.strip())
    ):
        flash("Choose at least one member of staff and write the feedback.", "error")
        return redirect(url_for("quis.detail", session_id=session.uuid) + "#team-feedback")
    made = service.team_feedback(
        db,
        session,
        staff,
        form.went_well.data,
        form.to_develop.data,
        current_user,
        send=bool(request.form.get("send")),
    )
    db.commit()
    skipped = len(staff) - len(made)
    note = f" ({skipped} already had feedback from this session)" if skipped else ""
    flash(
        f"Team feedback {'sent' if request.form.get('send') else 'drafted'} for "
        f"{plural(len(made), *STAFF)}{note}.",
        "success",
    )
    return redirect(url_for("feedback.index"))
