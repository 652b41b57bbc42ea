"""Selection pages: draw care workers to check or people to ask, and show stored draws.

Organisation admins and the managers and supervisors of a service may draw in it and see its
draws; care workers may not (the weights reveal overdue checks and red results).
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from careobs.db import get_session, utcnow
from careobs.org import settings as org_settings
from careobs.pagination import paginate
from careobs.permissions import (
    capture_required,
    get_visible_draw,
    may_record_conversation,
    visible_conversations,
    visible_draws,
)
from careobs.selection import service
from careobs.selection.draw import MAX_COUNTED_ACTIONS, TooFewCandidates
from careobs.selection.forms import DrawForm
from careobs.selection.models import KINDS, SelectionDraw
from careobs.voice import service as voice
from careobs.voice.questions import OUTCOMES

bp = Blueprint("selection", __name__, url_prefix="/selection")


@bp.route("/", methods=["GET", "POST"])
@capture_required
def workers():
    """Choose care workers to check next."""
    return _draw_page("workers")


@bp.route("/people", methods=["GET", "POST"])
@capture_required
def people():
    """Choose people to ask for feedback."""
    return _draw_page("people")


def _draw_page(kind: str):
    db = get_session()
    services = db.scalars(service.drawable_services(current_user, kind)).all()
    form = DrawForm()
    form.service.choices = [SelectChoice(str(s.uuid), s.name) for s in services]
    today = _today(db)
    conflicted, conflict, earlier = False, None, None
    if form.validate_on_submit():
        chosen = next(s for s in services if str(s.uuid) == form.service.data)
        try:
            draw = service.make_draw(
                db, current_user, chosen, kind, form.count.data, today, form.reason.data
            )
        except TooFewCandidates as error:
            db.rollback()
            form.count.errors.append(str(error))
        except service.ReasonNeeded as needed:
            db.rollback()
            earlier = needed.earlier
            form.reason.errors.append(REASON_NEEDED)
        except service.DrawnMeanwhile as meanwhile:
            db.rollback()
            conflicted, conflict = True, meanwhile.draw
        except sa.exc.IntegrityError:  # the unique sequence: another draw took this place
            db.rollback()
            conflicted, conflict = True, service.previous_draw(db, chosen, kind)
        else:
            db.commit()
            flash("Drawn. This record is kept and cannot be changed.", "success")
            return redirect(url_for("selection.detail", draw_id=draw.uuid))
    zone = org_settings.time_zone(db, current_user.organisation_id)
    drawn_today = service.drawn_on(db, [s.id for s in services], kind, today, zone)
    page = render_template(
        "selection/draw.html",
        form=form,
        kind=kind,
        kinds=KINDS,
        services=services,
        drawn_today=[(s, drawn_today[s.id]) for s in services if s.id in drawn_today],
        max_counted=MAX_COUNTED_ACTIONS,
        conflicted=conflicted,
        conflict=conflict,
        earlier=earlier,
    )
    return (page, 409) if conflicted else page


REASON_NEEDED = "This service already had a draw of this kind today: say why you are drawing again."


@bp.get("/history")
@capture_required
def history():
    """Past draws in the user's services, newest first; filter by service and kind."""
    db = get_session()
    stmt = visible_draws(current_user).order_by(
        SelectionDraw.created_at.desc(), SelectionDraw.id.desc()
    )
    services = db.scalars(
        service.drawable_services(current_user, "people")
    ).all()  # every kind of service anyone draws in
    chosen = request.args.get("service", "")
    by_uuid = {str(s.uuid): s for s in services}
    if chosen and chosen not in by_uuid:
        abort(404)  # not a service of yours: as for any record you cannot see
    if chosen:
        stmt = stmt.where(SelectionDraw.service_id == by_uuid[chosen].id)
    kind = request.args.get("kind", "")
    if kind in KINDS:
        stmt = stmt.where(SelectionDraw.kind == kind)
    return render_template(
        "selection/history.html",
        page=paginate(db, stmt),
        services=services,
        chosen=chosen,
        kind=kind if kind in KINDS else "",
        kinds=KINDS,
    )


@bp.get("/<uuid:draw_id>")
@capture_required
def detail(draw_id: uuid.UUID):
    """The permanent record of one draw."""
    draw = _visible(draw_id)
    return render_template("selection/detail.html", draw=draw, verified=None, **_voice(draw))


@bp.get("/<uuid:draw_id>/verify")
@capture_required
def verify(draw_id: uuid.UUID):
    """Re-run the stored draw and say whether it gives the stored result."""
    draw = _visible(draw_id)
    return render_template(
        "selection/detail.html", draw=draw, verified=service.verify(draw), **_voice(draw)
    )


def _voice(draw: SelectionDraw) -> dict:
    """For a draw of people: who was asked and what came of it (careobs.voice), so that the
    draw shows everyone drawn was followed up, not only those with something good to say."""
    if draw.kind != "people":
        return {"conversations": None}
    return {
        "conversations": voice.by_draw(get_session(), draw, visible_conversations(current_user)),
        "may_record": may_record_conversation(current_user, draw),
        "outcomes": OUTCOMES,
        "agreeing_text": voice.agreeing_text,
    }


def _visible(draw_id: uuid.UUID) -> SelectionDraw:
    """The draw, if it is in a service where the user may draw; otherwise 404."""
    draw = get_visible_draw(get_session(), current_user, draw_id)
    if draw is None:
        abort(404)
    return draw


def _today(db):
    zone = org_settings.time_zone(db, current_user.organisation_id)
    return utcnow().astimezone(zone).date()
