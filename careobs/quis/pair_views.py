"""Paired QUIS observations (issue 17): the pair's page and API, the list of open pairs a second
observer may join, the lead's device announcing a pair, and linking a submitted session to a
pair afterwards.

Every pair shown is one the permissions module lets the user see (careobs.permissions.quis);
any other pair id, existing or not, is answered 404. The result is read as stored
(careobs.quis.pairs wrote it once); only the kappas are recomputed, from the stored confusion.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from careobs.accounts.models import User
from careobs.db import get_session, utcnow
from careobs.errors import error_response
from careobs.org.models import Area, Service, StaffMember
from careobs.permissions import (
    capture_required,
    get_visible_quis_pair,
    get_visible_quis_session,
    joinable_quis_pairs,
    linkable_quis_pairs,
    may_link_quis_session,
    may_view_quis_session,
    observable_services,
)
from careobs.quis import calibration, pairs
from careobs.quis import service as quis_service
from careobs.quis.models import QuisPair, QuisSession
from careobs.quis.pair_ids import normal_code, pair_id_for
from careobs.quis.scoring import CATEGORIES, CATEGORY_LABELS, percent
from careobs.quis.views import detail as session_page
from careobs.sync import payload
from careobs.sync.fields import Errors, read_uuid

bp = Blueprint("quis_pairs", __name__, url_prefix="/quis/pairs")
api_bp = Blueprint("quis_pairs_api", __name__, url_prefix="/api/v1/quis/pairs")

NOT_OF_PAIR = "This code does not belong to this pair at this service."
NO_PAIR = "No paired observation you may link to has this code at this service."
OPEN_FOR = timedelta(hours=12)  # a pair is offered to join this long after it was opened
INTERVAL_WORDS = (
    "Each 95% interval is the kappa ± 1.96 standard errors, from the large-sample variance of "
    "Fleiss, Cohen and Everitt (1969), cut to the range −1 to 1."
)
VERDICT_WORDS = (
    "Read from the A4-weighted kappa: 0.8 or more is very good, 0.6 to 0.8 good, 0.4 to 0.6 "
    "moderate, below 0.4 needs re-training; with fewer than 20 matched interactions it is too "
    "few to judge."
)


# ---- the result ---------------------------------------------------------------------------------


@api_bp.get("/<uuid:pair_id>")
@login_required
def api_detail(pair_id: uuid.UUID):
    """The pair's calibration result (issue 17's contract); 404 for a pair the user may not
    see."""
    pair = get_visible_quis_pair(get_session(), current_user, pair_id)
    if pair is None:
        return error_response(404)
    return jsonify(pairs.result_json(pair))


def _lead_name(db, pair: QuisPair) -> str:
    sessions = pairs.sessions_of(db, pair)
    if sessions.lead is not None:
        return sessions.lead.observer.display_name
    opener = db.get(User, pair.opened_by_id) if pair.opened_by_id else None
    return opener.display_name if opener is not None else ""


@api_bp.get("")
@capture_required
def api_open():
    """Open pairs the user may join at a service (and area): ``?service_id=<uuid>[&area_id=]``."""
    db = get_session()
    errors = Errors()
    service_id = read_uuid(request.args.get("service_id"), "service_id", errors)
    area_id = None
    if request.args.get("area_id"):
        area_id = read_uuid(request.args.get("area_id"), "area_id", errors)
    if errors:
        return _invalid(errors)
    stmt = (
        joinable_quis_pairs(current_user, utcnow() - OPEN_FOR)
        .join(Service, Service.id == QuisPair.service_id)
        .where(Service.uuid == service_id)
        .order_by(QuisPair.created_at.desc())
    )
    if area_id is not None:
        # The lead may not have chosen an area: such pairs are offered in every area.
        area = sa.select(Area.id).where(Area.uuid == area_id).scalar_subquery()
        stmt = stmt.where(sa.or_(QuisPair.area_id == area, QuisPair.area_id.is_(None)))
    found = []
    for pair in db.scalars(stmt.limit(50)):
        found.append(
            {
                "id": str(pair.uuid),
                "code": pair.code,
                "service_id": str(service_id),
                "area_id": str(db.get(Area, pair.area_id).uuid) if pair.area_id else None,
                "lead": _lead_name(db, pair),
                "opened_at": pair.created_at.isoformat(),
            }
        )
    return jsonify({"pairs": found})


def _invalid(errors: Errors, message: str = "Some fields are not valid."):
    return jsonify({"error": {"code": "invalid", "message": message, "fields": errors}}), 400


@api_bp.post("")
@capture_required
def api_announce():
    """The lead's device announces a pair while online, so a second observer can pick it from
    a list: ``{"id", "service_id", "area_id", "code"}`` with ``id`` derived from the service and
    the code. 201 when new, 200 when known (sent again, or a session of it arrived first)."""
    if not request.is_json:
        return error_response(415, "Send JSON.", "unsupported_media_type")
    try:
        body = payload.parse_body(request.get_data(cache=False))
    except payload.Unreadable as exc:
        return error_response(400, str(exc), "malformed_json")
    if not isinstance(body, dict) or payload.problem(body) is not None:
        return error_response(400, "Send a JSON object of plain values.", "malformed_request")
    db = get_session()
    errors = Errors()
    pair_id = read_uuid(body.get("id"), "id", errors)
    service_id = read_uuid(body.get("service_id"), "service_id", errors)
    area_uuid = None
    if body.get("area_id") is not None:
        area_uuid = read_uuid(body.get("area_id"), "area_id", errors)
    raw_code = body.get("code")
    code = normal_code(raw_code) if isinstance(raw_code, str) and len(raw_code) < 40 else None
    if code is None:
        errors.add("code", "Not a pair code: six letters and digits.")
    if errors:
        return _invalid(errors)
    service = db.scalar(observable_services(current_user).where(Service.uuid == service_id))
    if service is None:
        return error_response(404, "No such service where you observe.")
    area_id = None
    if area_uuid is not None:
        area_id = db.scalar(
            sa.select(Area.id).where(Area.uuid == area_uuid, Area.service_id == service.id)
        )
        if area_id is None:
            errors.add("area_id", "Not an area of this service.")
    if pair_id != pair_id_for(service.uuid, code):
        errors.add("code", NOT_OF_PAIR)
    if errors:
        return _invalid(errors)
    pair, new = pairs.open_pair(db, service, pair_id, area_id, code, current_user.id)
    if not pairs.at_service(pair, service):
        # Only a uuid5 collision or a forged id gets here: answered as any id not of this code.
        db.rollback()
        errors.add("code", NOT_OF_PAIR)
        return _invalid(errors)
    db.commit()
    return jsonify({"id": str(pair_id), "code": code}), (201 if new else 200)


# ---- the pair's page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Unmatched:
    at: object
    people: str
    category: str
    staff: str


def _unmatched(db, aligned: calibration.Alignment) -> tuple[list[Unmatched], list[Unmatched]]:
    ids = {c.staff for c in (*aligned.lead_only, *aligned.second_only) if c.staff}
    names = dict(
        db.execute(sa.select(StaffMember.id, StaffMember.name).where(StaffMember.id.in_(ids))).all()
    )

    def row(c: calibration.Coded) -> Unmatched:
        return Unmatched(
            c.at,
            ", ".join(sorted(c.people)),
            CATEGORY_LABELS[c.category],
            names.get(c.staff, "Not named"),
        )

    return [row(c) for c in aligned.lead_only], [row(c) for c in aligned.second_only]


@bp.get("/<uuid:pair_id>")
@login_required
def detail(pair_id: uuid.UUID):
    """Who observed, and once both sessions are submitted, how far they agreed."""
    db = get_session()
    pair = get_visible_quis_pair(db, current_user, pair_id)
    if pair is None:
        abort(404)
    sessions = pairs.sessions_of(db, pair)
    context = {
        "pair": pair,
        "service": db.get(Service, pair.service_id),
        "area": db.get(Area, pair.area_id) if pair.area_id else None,
        "lead": sessions.lead,
        "second": sessions.second,
        "may_open": {
            role: s is not None and may_view_quis_session(current_user, s)
            for role, s in (("lead", sessions.lead), ("second", sessions.second))
        },
        "categories": CATEGORIES,
        "labels": CATEGORY_LABELS,
        "interval_words": INTERVAL_WORDS,
        "verdict_words": VERDICT_WORDS,
        "percent": percent,
        "kappa_figure": calibration.kappa_figure,
    }
    if pair.completed_at is not None and sessions.lead is not None and sessions.second is not None:
        table = pair.confusion
        found = calibration.kappas(table)
        headline = found[calibration.HEADLINE].value
        same = sum(table[i][i] for i in range(calibration.K))
        lead_only, second_only = _unmatched(db, pairs.alignment(db, pair, sessions))
        context.update(
            complete=True,
            table=table,
            same=same,
            agreement=calibration.agreement(table),
            kappas=found,
            weight_labels=calibration.WEIGHT_LABELS,
            verdict=calibration.verdict(headline, pair.matched),
            row_totals=[sum(row) for row in table],
            column_totals=[sum(row[j] for row in table) for j in range(calibration.K)],
            lead_only=lead_only,
            second_only=second_only,
        )
    else:
        context["complete"] = False
    return render_template("quis/pair.html", **context)


# ---- linking a submitted session later ---------------------------------------------------------


@bp.post("/link/<uuid:session_id>")
@capture_required
def link(session_id: uuid.UUID):
    """Link the user's submitted, unpaired session to a pair as its second observer: form field
    ``pair`` (a pair offered on the session's page) or ``code`` (the lead's code)."""
    db = get_session()
    session = get_visible_quis_session(db, current_user, session_id)
    if session is None:
        abort(404)
    if not may_link_quis_session(current_user, session):
        return error_response(403, "Only its observer may link a submitted, unpaired session.")
    chosen, typed = request.form.get("pair", ""), request.form.get("code", "")
    pair_uuid = None
    if chosen:
        try:
            pair_uuid = uuid.UUID(chosen) if len(chosen) < 64 else None
        except ValueError:
            pair_uuid = None
    elif typed:
        code = normal_code(typed) if len(typed) < 40 else None
        if code is not None:
            pair_uuid = pair_id_for(session.service.uuid, code)
    if pair_uuid is None:
        return _back(session, "Choose a paired observation, or type the lead observer's code.", 400)
    # One answer for every pair the user may not link to (unknown, at another service, its
    # lead outside the session's hour, already joined): whether it exists is not told.
    pair = db.scalar(linkable_quis_pairs(current_user, session).where(QuisPair.uuid == pair_uuid))
    if pair is None:
        return _back(session, NO_PAIR, 400)
    refusal = quis_service.link_second(db, current_user, session, pair)
    if refusal is not None:
        db.rollback()
        return _back(session, refusal, 409)
    db.commit()
    flash("Linked: this session is now the second observer's record of the pair.", "success")
    return redirect(url_for("quis_pairs.detail", pair_id=pair.uuid))


def _back(session: QuisSession, message: str, status: int):
    """The session's page again, saying why the link was not made."""
    page, _ = session_page(session.uuid, link_error=message)
    return page, status
