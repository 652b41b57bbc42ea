"""What the admin screens for services, areas, people and staff share: the roster filtered by
service, and the switch that deactivates or reactivates a record."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import request
from flask_login import current_user

from careobs.db import get_session
from careobs.org import service as org_service
from careobs.org.scoping import chosen_service, get_scoped_or_404, manageable_services


def roster_filters(stmt: sa.Select, model) -> tuple[sa.Select, dict]:
    """``stmt`` (people or staff the user may see) narrowed to the service chosen in the query
    string, and to active records unless ``show=all``; with the filter's state for the page."""
    services = manageable_services()
    selected = chosen_service(services, request.args.get("service"))
    show_inactive = request.args.get("show") == "all"
    if selected is not None:
        stmt = stmt.where(model.service_id == selected.id)
    if not show_inactive:
        stmt = stmt.where(model.active.is_(True))
    return stmt, {"services": services, "selected": selected, "show_inactive": show_inactive}


def switch_active(model, record_id: uuid.UUID, what: str):
    """Deactivate an active record of ``model``, or reactivate an inactive one, and commit;
    the user must manage its service (``what`` names it in the audit log)."""
    db = get_session()
    record_obj = get_scoped_or_404(model, record_id)
    org_service.set_active(db, record_obj, not record_obj.active, current_user, what)
    db.commit()
    return record_obj
