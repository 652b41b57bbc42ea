"""Audit pages: the list (with what waits on this device), the offline capture page, the
easy-read co-audit form and an audit's stored record."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from careobs.api.bootstrap import audit_templates
from careobs.audits.models import Audit
from careobs.audits.service import actions_raised, answers_by_item
from careobs.capture import addenda
from careobs.checklists.models import SUBJECT_TYPES, Checklist
from careobs.checklists.scoring import BANDS, RATINGS
from careobs.db import get_session
from careobs.org.models import Service
from careobs.org.settings import time_zone
from careobs.pagination import paginate
from careobs.permissions import (
    audit_services,
    get_visible_audit,
    may_complete_audit,
    may_follow_up_audit,
    may_open_co_audit_form,
    services_checked_by,
    visible_actions,
    visible_audits,
)

bp = Blueprint("audits", __name__, url_prefix="/audits")

# What the band means for the audited subject, in words beside the colour (never colour alone).
BAND_WORDS = {
    "green": "Green: meets the standard",
    "amber": "Amber: some improvement needed",
    "red": "Red: significant improvement needed",
}


def may_audit(user) -> bool:
    """Whether the user may complete audits in at least one service (what the capture page and
    the "Start an audit" links need)."""
    db = get_session()
    return db.scalar(sa.select(audit_services(user).order_by(None).exists())) is True


@bp.get("/record")
@login_required
def record_page():
    """The audit form: works offline once opened, driven by audit-form.js.

    "Audits due" links name what to fill in (``template``, ``service``, ``subject``); the form
    reads them on the device. A link naming a service or template this user may not audit in is
    not found here, as any page about another's record is."""
    if not may_audit(current_user):
        abort(403)
    service = _named(request.args.get("service"), audit_services(current_user), Service.uuid)
    template = _named(
        request.args.get("template"),
        sa.select(Checklist).where(
            Checklist.organisation_id == current_user.organisation_id,
            Checklist.purpose == "audit",
        ),
        Checklist.uuid,
    )
    if service and template and not may_complete_audit(current_user, service, template):
        abort(404)
    return render_template("audits/record.html")


@bp.get("/easy-read")
@login_required
def easy_read_page():
    """The easy-read co-audit form (issue 16): one question a screen, offline once opened,
    driven by easy-read-form.js. What to compare with comes from the address
    (``compare_with``, ``with`` and, from a staff audit's page, ``service``, ``template``,
    ``subject_type``, ``subject``), read on the device: the page itself names nothing, so it
    is one cached page for every co-audit. For who may complete audits somewhere and for
    quality checkers; the sync decides each co-audit (careobs.permissions.coaudits)."""
    db = get_session()
    checker = db.scalar(sa.select(services_checked_by(current_user).exists())) is True
    if not checker and not may_audit(current_user):
        abort(403)
    _check_named(db, checker)
    return render_template("audits/easy_read.html")


def _check_named(db, checker: bool) -> None:
    """What the address names must be the user's to name, as on any page about a record: a
    stored staff audit they may co-audit (one only on the device is not on the server yet), a
    service they audit or check in, one of their organisation's audit templates; 404 else."""
    args = request.args
    if args.get("with") not in (None, "person", "quality_checker"):
        abort(404)
    named = args.get("compare_with")
    if named is not None:
        try:
            # Another organisation's audit is, to this user, not on the server: answered as
            # an id only on the device would be, so the page tells nothing of its existence.
            staff_audit = db.scalar(
                sa.select(Audit).where(
                    Audit.uuid == uuid.UUID(named),
                    Audit.organisation_id == current_user.organisation_id,
                )
            )
        except ValueError:
            abort(404)
        if staff_audit is not None and not may_open_co_audit_form(current_user, staff_audit):
            abort(404)
    services = audit_services(current_user).with_only_columns(Service.uuid).order_by(None)
    if checker:
        services = services.union(services_checked_by(current_user).with_only_columns(Service.uuid))
    service_ids = set(db.scalars(services))
    service = args.get("service")
    if service is not None and _uuid_or_none(service) not in service_ids:
        abort(404)
    template = args.get("template")
    if template is not None:
        _named(
            template,
            sa.select(Checklist.id).where(
                Checklist.organisation_id == current_user.organisation_id,
                Checklist.purpose == "audit",
            ),
            Checklist.uuid,
        )


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def may_co_audit_with_person(audit: Audit) -> bool:
    """Whether the reader may start a co-audit with a person of this staff audit: it is a
    submitted staff audit and they may complete its template in its service."""
    return (
        audit.status == "submitted"
        and not audit.is_co_audit
        and may_complete_audit(current_user, audit.service, audit.checklist_version.checklist)
    )


def easy_read_link(audit: Audit) -> str:
    """The easy-read form's address for a co-audit of this staff audit, with all the device
    needs when the staff audit is no longer on it."""
    subject = ""
    if audit.person is not None:
        subject = audit.person.code
    elif audit.area is not None:
        subject = str(audit.area.uuid)
    elif audit.staff is not None:
        subject = str(audit.staff.uuid)
    return url_for(
        "audits.easy_read_page",
        compare_with=str(audit.uuid),
        **{"with": "person"},
        service=str(audit.service.uuid),
        template=str(audit.checklist_version.checklist.uuid),
        subject_type=audit.subject_type,
        subject=subject,
    )


def _named(value: str | None, choices: sa.Select, column):
    """The one of ``choices`` whose ``column`` is the uuid ``value`` (None when no value is
    given); 404 for anything else."""
    if value is None:
        return None
    try:
        wanted = uuid.UUID(value)
    except ValueError:
        abort(404)
    found = get_session().scalar(choices.where(column == wanted).order_by(None))
    if found is None:
        abort(404)
    return found


@bp.get("/")
@login_required
def index():
    """Audits waiting on this device, a way to start one per template, and the audits the user
    may read on the server, newest first."""
    db = get_session()
    stmt = (
        visible_audits(current_user)
        .order_by(Audit.started_at.desc(), Audit.id.desc())
        .options(
            selectinload(Audit.checklist_version),
            selectinload(Audit.person),
            selectinload(Audit.staff),
            selectinload(Audit.area),
            selectinload(Audit.service),
        )
    )
    templates = audit_templates(db, current_user) if may_audit(current_user) else []
    return render_template(
        "audits/index.html",
        page=paginate(db, stmt),
        templates=templates,
        may_audit=bool(templates),
        subject_types=SUBJECT_TYPES,
        bands=BANDS,
        zone=time_zone(db, current_user.organisation_id),
    )


@bp.get("/<uuid:audit_id>")
@login_required
def detail(audit_id: uuid.UUID, form: addenda.AddendumForm | None = None):
    """An audit's stored record: outcome in words, every answer, the actions it raised and its
    addenda; ``form`` is an addendum refused by ``addenda.add_addendum``."""
    db = get_session()
    audit = get_visible_audit(db, current_user, audit_id)
    if audit is None:
        abort(404)
    return render_template(
        "audits/detail.html",
        audit=audit,
        template=audit.checklist_version.checklist,
        answers=answers_by_item(audit),
        raised=actions_raised(db, audit, visible_actions(current_user)),
        ratings=RATINGS,
        bands=BANDS,
        band_words=BAND_WORDS,
        may_follow_up=may_follow_up_audit(current_user, audit),
        addenda=addenda.of(db, addenda.AUDIT, audit),
        form=form or addenda.form_for(addenda.AUDIT),
        may_add=addenda.may_add(current_user, audit),
        co_audit_link=easy_read_link(audit) if may_co_audit_with_person(audit) else None,
        zone=time_zone(db, current_user.organisation_id),
    ), (200 if form is None else 400)


# The audit's author and its service's managers add corrections after submission, as on a
# visit's page; the submitted answers never change.
addenda.register(
    bp,
    "/<uuid:audit_id>",
    addenda.AUDIT,
    find=get_visible_audit,
    page=detail,
    guard=login_required,
)
