"""Admin screens for services and their areas."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from careobs.db import get_session
from careobs.org import service as org_service
from careobs.org.forms import AreaForm, ServiceForm
from careobs.org.models import Area, Service
from careobs.org.scoping import get_scoped_or_404, manageable_services
from careobs.org.screens import switch_active
from careobs.permissions import admin_area_required, admin_required, may_rename_service

bp = Blueprint("services", __name__, url_prefix="/admin")


@bp.get("/")
@admin_area_required
def admin_home():
    return render_template("admin/index.html", services=manageable_services())


@bp.get("/services")
@admin_area_required
def index():
    return render_template("admin/services.html", services=manageable_services())


@bp.route("/services/new", methods=["GET", "POST"])
@admin_required
def new():
    db = get_session()
    form = ServiceForm()
    if form.validate_on_submit():
        if org_service.service_name_taken(db, current_user.organisation_id, form.name.data):
            form.name.errors.append("There is already a service with this name.")
        else:
            svc = Service(
                organisation_id=current_user.organisation_id,
                name=form.name.data.strip(),
                kind=form.kind.data,
            )
            db.add(svc)
            org_service.record_saved(
                db, svc, created=True, actor=current_user, what="service", summary=svc.name
            )
            db.commit()
            flash(f"{svc.name} has been added. Add its areas next.", "success")
            return redirect(url_for("services.edit", service_id=svc.uuid))
    return render_template("admin/service_form.html", form=form, service=None)


@bp.route("/services/<uuid:service_id>", methods=["GET", "POST"])
@admin_area_required
def edit(service_id: uuid.UUID):
    db = get_session()
    svc = get_scoped_or_404(Service, service_id)
    if request.method == "POST" and not may_rename_service(current_user, svc):
        abort(403)  # managers add areas but never rename a service, valid form or not
    form = ServiceForm(obj=svc)
    if form.validate_on_submit():
        if org_service.service_name_taken(db, svc.organisation_id, form.name.data, svc.id):
            form.name.errors.append("There is already a service with this name.")
        else:
            svc.name = form.name.data.strip()
            svc.kind = form.kind.data
            org_service.record_saved(
                db, svc, created=False, actor=current_user, what="service", summary=svc.name
            )
            db.commit()
            flash("Saved.", "success")
            return redirect(url_for("services.edit", service_id=svc.uuid))
    return render_template(
        "admin/service_form.html", form=form, service=svc, area_form=AreaForm(formdata=None)
    )


@bp.post("/services/<uuid:service_id>/active")
@admin_required
def toggle_service(service_id: uuid.UUID):
    svc = switch_active(Service, service_id, "service")
    flash(f"{svc.name} is now {'active' if svc.active else 'inactive'}.", "success")
    return redirect(url_for("services.edit", service_id=svc.uuid))


@bp.post("/services/<uuid:service_id>/areas")
@admin_area_required
def add_area(service_id: uuid.UUID):
    db = get_session()
    svc = get_scoped_or_404(Service, service_id)
    area_form = AreaForm()
    if area_form.validate_on_submit():
        if org_service.area_name_taken(db, svc, area_form.name.data):
            area_form.name.errors.append("This service already has an area with this name.")
        else:
            area = org_service.add_area(db, svc, area_form.name.data, current_user)
            db.commit()
            flash(f"Added the area {area.name}.", "success")
            return redirect(url_for("services.edit", service_id=svc.uuid))
    return render_template(
        "admin/service_form.html", form=ServiceForm(obj=svc), service=svc, area_form=area_form
    ), 400


@bp.post("/areas/<uuid:area_id>/active")
@admin_area_required
def toggle_area(area_id: uuid.UUID):
    area = switch_active(Area, area_id, "area")
    flash(f"{area.name} is now {'in use' if area.active else 'no longer in use'}.", "success")
    return redirect(url_for("services.edit", service_id=area.service.uuid))
