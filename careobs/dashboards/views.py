"""Dashboard pages, their JSON endpoints and CSV downloads.

Each dashboard is built once per request by :func:`build`; the page renders its tables, the JSON
endpoint (which the page's charts read) sends the same tables, and the CSV download writes one
of them, so all three always show the same numbers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from careobs.dashboards import audits, calibration, compliments, coverage, quis, visits, worker
from careobs.dashboards.filters import (
    DashboardFilters,
    Scope,
    build_form,
    scope_from,
)
from careobs.dashboards.summary import filter_summary
from careobs.dashboards.tables import Table
from careobs.db import get_session, utcnow
from careobs.errors import error_response
from careobs.org.models import StaffMember
from careobs.org.settings import time_zone
from careobs.periods import GROUPINGS
from careobs.permissions import admin_area_required, may_view_worker_page, own_staff_ids
from careobs.quis.models import CONTEXTS
from careobs.visits.models import VISIT_TYPES

bp = Blueprint("dashboards", __name__, url_prefix="/dashboards")
api_bp = Blueprint("dashboards_api", __name__, url_prefix="/api/v1/dashboards")

TITLES = {
    "quis": "QUIS observations",
    "visits": "Monitoring visits",
    "coverage": "Coverage",
    "audits": "Audits",
    "compliments": "Compliments and concerns",
}


@dataclass
class Dashboard:
    name: str
    title: str
    form: DashboardFilters
    scope: Scope | None
    headline: list[tuple[str, str]]
    tables: list[Table]
    as_of: datetime
    summary: str = ""  # the filters in one line, for the collapsed form on a phone
    calibration: calibration.Section | None = None  # the QUIS dashboard's observers

    def as_json(self) -> dict:
        return {
            "dashboard": self.name,
            "as_of": self.as_of.isoformat(),
            "filters": self.scope.query if self.scope else {},
            "headline": [{"label": label, "value": value} for label, value in self.headline],
            "tables": [t.as_json() for t in self.tables],
        }


def _today() -> date:
    return utcnow().astimezone(time_zone(get_session(), current_user.organisation_id)).date()


def build(name: str, args: MultiDict) -> Dashboard:
    """The dashboard for the current user and the filters in ``args``; when the filters are
    invalid, the form carries the errors and there are no tables."""
    db = get_session()
    today = _today()
    form = build_form(db, current_user, name, args, today)
    dashboard = Dashboard(name, TITLES[name], form, None, [], [], utcnow())
    if not form.validate():
        return dashboard
    scope = scope_from(db, current_user, form, name)
    dashboard.scope = scope
    dashboard.summary = _summary(form, scope)
    if name == "quis":
        totals, dashboard.tables = quis.tables(db, scope)
        dashboard.headline = quis.headline(totals)
    elif name == "visits":
        overall, dashboard.tables = visits.tables(db, scope)
        dashboard.headline = visits.headline(overall)
    elif name == "audits":
        overall, dashboard.tables = audits.tables(db, scope)
        dashboard.headline = audits.headline(overall)
    elif name == "compliments":
        received, dashboard.tables = compliments.tables(db, scope)
        dashboard.headline = compliments.headline(received)
    else:
        (people, types), dashboard.tables = coverage.tables(db, scope, today)
        dashboard.headline = coverage.headline(people, types)
    return dashboard


def _summary(form: DashboardFilters, scope: Scope) -> str:
    """The checked filters in one line, named as the form names them."""
    names = [s.name for s in form.services if s.id in scope.service_ids]
    areas = {choice.value: choice.label for choice in form.area.choices}
    templates = {choice.value: choice.label for choice in form.template.choices}
    extras = [
        templates.get(form.template.data or "", "") if scope.template_id else "",
        CONTEXTS.get(scope.context or "", ""),
        areas.get(form.area.data or "", "") if scope.area_id else "",
        VISIT_TYPES.get(scope.visit_type or "", ""),
    ]
    grouping = GROUPINGS[scope.grouping].lower()
    every = len(names) == len(form.services)
    return filter_summary(names, every, scope.first, scope.last, grouping, extras)


@bp.get("/")
@admin_area_required
def index():
    return redirect(url_for("dashboards.page", name="quis"))


@bp.get("/<any(quis, visits, coverage, audits, compliments):name>")
@admin_area_required
def page(name: str):
    dashboard = build(name, request.args)
    status = 200 if dashboard.scope else 400
    if name == "quis" and dashboard.scope:  # the page's own section (not in the JSON or CSV)
        dashboard.calibration = calibration.section(get_session(), dashboard.scope, dashboard.as_of)
    return render_template("dashboards/dashboard.html", dashboard=dashboard), status


@bp.get("/<any(quis, visits, coverage, audits, compliments):name>.csv")
@admin_area_required
def csv(name: str):
    dashboard = build(name, request.args)
    if dashboard.scope is None:
        abort(400, "The filters are not valid: " + _summarise(dashboard.form))
    table = _table_or_404(dashboard.tables, "This dashboard")
    scope = dashboard.scope
    return _csv_response(table, f"careobs-{name}-{table.key}-{scope.first}-{scope.last}.csv")


def _table_or_404(tables: list[Table], where: str) -> Table:
    """The table the ``table`` parameter names; 404, saying ``where`` has no such table."""
    key = request.args.get("table", "")
    table = next((t for t in tables if t.key == key), None)
    if table is None:
        abort(404, f"{where} has no table {key!r}.")
    return table


def _csv_response(table: Table, filename: str) -> Response:
    """The table as a CSV download (the same cells the page shows: careobs.dashboards.tables)."""
    return Response(
        table.as_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@api_bp.get("/<any(quis, visits, coverage, audits, compliments):name>")
@admin_area_required
def data(name: str):
    dashboard = build(name, request.args)
    if dashboard.scope is None:
        return error_response(400, _summarise(dashboard.form), "invalid_filters")
    response = jsonify(dashboard.as_json())
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _summarise(form) -> str:
    return "; ".join(
        f"{form[name].label.text}: {errors[0]}" for name, errors in form.errors.items()
    )


# -- a care worker's own page -----------------------------------------------------------------


def _member_or_404(staff_id: uuid.UUID) -> StaffMember:
    member = get_session().scalar(sa.select(StaffMember).where(StaffMember.uuid == staff_id))
    if member is None or not may_view_worker_page(current_user, member):
        abort(404)
    return member


def _worker_tables(member: StaffMember) -> list:
    db = get_session()
    return worker.tables(db, member, time_zone(db, current_user.organisation_id), current_user)


@bp.get("/me")
@login_required
def my_page():
    member = get_session().scalar(
        sa.select(StaffMember).where(StaffMember.id.in_(own_staff_ids(current_user)))
    )
    if member is None:
        abort(404, "Your account is not linked to a care worker, so there is no page of your own.")
    return redirect(url_for("dashboards.worker_page", staff_id=member.uuid))


@bp.get("/workers/<uuid:staff_id>")
@login_required
def worker_page(staff_id: uuid.UUID):
    member = _member_or_404(staff_id)
    tables = _worker_tables(member)
    return render_template(
        "dashboards/worker.html",
        member=member,
        tables=tables,
        as_of=utcnow(),
        is_self=member.user_id == current_user.id,
    )


@bp.get("/workers/<uuid:staff_id>.csv")
@login_required
def worker_csv(staff_id: uuid.UUID):
    member = _member_or_404(staff_id)
    table = _table_or_404(_worker_tables(member), "This page")
    return _csv_response(table, f"careobs-worker-{table.key}.csv")


@api_bp.get("/workers/<uuid:staff_id>")
@login_required
def worker_data(staff_id: uuid.UUID):
    member = _member_or_404(staff_id)
    return jsonify(
        {
            "dashboard": "worker",
            "as_of": utcnow().isoformat(),
            "worker": {"id": str(member.uuid), "name": member.name},
            "tables": [t.as_json() for t in _worker_tables(member)],
        }
    )
