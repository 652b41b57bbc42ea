"""The evidence pack pages: choose a service and period, read the pack, download it as PDF.

Organisation admins may make a pack for any service of their organisation, managers for the
services they manage; anyone else is refused. Each PDF download is written to the audit log.
"""

from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa
from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from careobs.dashboards.filters import default_range
from careobs.db import get_session, utcnow
from careobs.evidence import pdf
from careobs.evidence.forms import EvidenceForm
from careobs.evidence.pack import Pack, build
from careobs.evidence.service import filename, record_download
from careobs.org.models import Service
from careobs.org.settings import time_zone
from careobs.permissions import admin_area_required, evidence_services, may_make_evidence_pack

bp = Blueprint("evidence", __name__, url_prefix="/evidence")


def _today() -> date:
    zone = time_zone(get_session(), current_user.organisation_id)
    return utcnow().astimezone(zone).date()


def _form() -> EvidenceForm:
    """The form with the services this user may make a pack for, filled from the URL."""
    services = get_session().scalars(evidence_services(current_user)).all()
    form = EvidenceForm(services, formdata=request.args or None, meta={"csrf": False})
    form.services = services
    return form


def _refuse_foreign_service(form: EvidenceForm) -> None:
    """A service the user may not choose: another organisation's is not found (404), one of
    their own organisation that they do not manage is forbidden (403); a value that names no
    service is left to the form's error."""
    try:
        wanted = uuid.UUID(request.args.get("service", ""))
    except ValueError:
        return
    service = get_session().scalar(sa.select(Service).where(Service.uuid == wanted))
    if service is None:
        return
    if service.organisation_id != current_user.organisation_id:
        abort(404)
    if not may_make_evidence_pack(current_user, service):
        abort(403)


def _asked_for() -> tuple[EvidenceForm, Pack | None]:
    """The form filled from the URL, and the pack it asks for (None when it has errors)."""
    form = _form()
    _refuse_foreign_service(form)
    if not form.validate():
        return form, None
    service = next(s for s in form.services if str(s.uuid) == form.service.data)
    return form, build(get_session(), service, form.date_from.data, form.date_to.data, _today())


@bp.get("/")
@admin_area_required
def index():
    form = _form()
    if not request.args:
        form.date_from.data, form.date_to.data = default_range(_today())
    return render_template("evidence/index.html", form=form)


@bp.get("/pack")
@admin_area_required
def pack_page():
    form, pack = _asked_for()
    if pack is None:
        return render_template("evidence/index.html", form=form), 400
    return render_template("evidence/pack.html", pack=pack, query=_query(form))


@bp.get("/pack.pdf")
@admin_area_required
def pack_pdf():
    form, pack = _asked_for()
    if pack is None:
        problems = "; ".join(
            f"{form[name].label.text}: {errors[0]}" for name, errors in form.errors.items()
        )
        abort(400, "The evidence pack's choices are not valid: " + problems)
    zone = time_zone(get_session(), current_user.organisation_id)
    body = pdf.render(pack, f"{pack.generated_at.astimezone(zone):%-d %b %Y, %H:%M}")
    db = get_session()
    record_download(db, pack, actor=current_user, how="web")
    db.commit()
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename(pack)}"'},
    )


def _query(form: EvidenceForm) -> dict[str, str]:
    return {
        "service": form.service.data,
        "date_from": form.date_from.data.isoformat(),
        "date_to": form.date_to.data.isoformat(),
    }
