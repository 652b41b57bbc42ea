"""The home page for each role, and the health check used by monitoring."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template, url_for
from flask_login import current_user, login_required

from careobs.audits import due as due_audits
from careobs.checkers.service import tasks_of
from careobs.dashboards import calibration
from careobs.db import get_engine, get_session, utcnow
from careobs.org.models import Person, Service, StaffMember
from careobs.org.service import staff_for_user
from careobs.permissions import (
    MANAGE,
    audits_due_scope,
    can_administer,
    can_capture,
    capture_services,
    championed,
    compliment_services,
    dashboard_services,
    is_quality_checker,
    may_complete_any_audit,
    only_a_quality_checker,
    planning_services,
    roles_by_service,
    self_assessment_reach,
    service_ids_select,
    services_checked_by,
    services_select,
    visible_quarantine,
    visible_self_assessments,
)
from careobs.quis import calibration_history
from careobs.selfassess import service as selfassess
from careobs.selfassess.models import SelfAssessment
from careobs.sync.models import QuarantinedDocument

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    db = get_session()
    services = list(db.scalars(services_select(current_user).where(Service.active.is_(True))))
    roles = roles_by_service(current_user)
    ids = [s.id for s in services]
    counts = {}
    if ids:
        people = db.execute(
            sa.select(Person.service_id, sa.func.count())
            .where(Person.service_id.in_(ids), Person.active.is_(True))
            .group_by(Person.service_id)
        )
        staff = db.execute(
            sa.select(StaffMember.service_id, sa.func.count())
            .where(StaffMember.service_id.in_(ids), StaffMember.active.is_(True))
            .group_by(StaffMember.service_id)
        )
        counts = {"people": dict(people.all()), "staff": dict(staff.all())}
    conflicts = db.scalar(
        visible_quarantine(current_user)
        .where(QuarantinedDocument.resolved_at.is_(None))
        .with_only_columns(sa.func.count())
        .select_from(QuarantinedDocument)
    )
    return render_template(
        "home/index.html",
        **_audits_due(db),
        **_checker_work(db),
        **_calibration(db),
        may_observe=can_capture(current_user),
        may_log_compliments=db.scalar(
            sa.select(compliment_services(current_user).order_by(None).exists())
        ),
        conflicts=conflicts,
        services=services,
        roles=roles,
        counts=counts,
        can_administer=can_administer(current_user),
        staff_record=staff_for_user(db, current_user.id),
        **_self_assessment(db),
    )


def _self_assessment(db) -> dict:
    """The self-assessment panel: for who may read or record one, with the services whose
    latest self-assessment still has gaps without an action (for who may raise them)."""
    reach = self_assessment_reach(db, current_user)
    if not reach.opens:
        return {"self_assessment": None}
    managed = visible_self_assessments(current_user).where(
        SelfAssessment.service_id.in_(service_ids_select(current_user, MANAGE))
    )
    return {
        "self_assessment": {
            "may_start": reach.may_start,
            "open_gaps": selfassess.open_gaps(db, managed),
        }
    }


HOME_DUE_ITEMS = 5


def _checker_work(db) -> dict:
    """A quality checker's part of the home page: the services where they are one, and their
    co-audits and conversations to do and done (nothing for anyone else)."""
    if not is_quality_checker(current_user):
        return {"checker_of": [], "checker_tasks": [], "checker_only": False}
    return {
        "checker_only": only_a_quality_checker(current_user),
        "checker_of": db.scalars(services_checked_by(current_user).order_by(Service.name)).all(),
        "checker_tasks": tasks_of(db, current_user),
    }


def _audits_due(db) -> dict:
    """What the home page says about audits: counts of what is due in the user's services (or,
    for an audit champion, of their templates), the first few worst first, their champion
    assignments, and whether they plan audits anywhere."""
    today = due_audits.organisation_today(db, current_user.organisation_id)
    services, templates = audits_due_scope(db, current_user)
    items = due_audits.services_due(db, services, today, templates) if services else []
    pressing = [i for i in items if i.status in ("overdue", "due")]
    assignments = db.scalars(championed(current_user)).all()
    return {
        "audits_due": pressing[:HOME_DUE_ITEMS],
        "audits_summary": due_audits.Summary.of(items) if items else None,
        "champion_of": sorted(assignments, key=lambda a: (a.checklist.name, a.service.name)),
        "plans_audits": db.scalar(sa.select(planning_services(current_user).exists())) is True,
        "may_audit": may_complete_any_audit(current_user),
    }


def _care_home_ids(db, services: sa.Select) -> list[int]:
    return list(
        db.scalars(
            services.where(Service.kind == "care_home", Service.active.is_(True)).with_only_columns(
                Service.id
            )
        )
    )


def _calibration(db) -> dict:
    """Paired QUIS observations on the home page: the user's own reminder when they observe and
    are due to pair again, and for a manager or admin how many of their observers are due.

    The observers are read once when the services the user observes at are those they manage
    (an admin's); otherwise the user's own reminder reads the user's pairs only."""
    if not can_capture(current_user):
        return {"calibration_reasons": [], "observers_due": None, "calibration_link": None}
    now = utcnow()
    org_id = current_user.organisation_id
    observed = _care_home_ids(db, capture_services(current_user))
    managed = _care_home_ids(db, dashboard_services(current_user))
    observers_due = None
    if can_administer(current_user) and set(managed) == set(observed):
        everyone = calibration_history.observers(db, org_id, managed, now) if managed else []
        mine = [o for o in everyone if o.user_id == current_user.id]
        observers_due = sum(1 for o in everyone if o.due)
    else:
        mine = calibration_history.observers(db, org_id, observed, now, [current_user.id])
        if can_administer(current_user):
            everyone = calibration_history.observers(db, org_id, managed, now) if managed else []
            observers_due = sum(1 for o in everyone if o.due)
    reasons = mine[0].reasons if mine else []
    return {
        "calibration_reasons": reasons,
        "observers_due": observers_due,
        "calibration_link": url_for("dashboards.page", name="quis", _anchor=calibration.ANCHOR),
    }


@bp.get("/healthz")
def healthz():
    """Answer 200 when the app and its database work, 503 with the reason when not."""
    try:
        with get_engine().connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:
        reason = type(exc).__name__
        return jsonify({"status": "error", "database": "unreachable", "reason": reason}), 503
    return jsonify({"status": "ok", "database": "ok"})
