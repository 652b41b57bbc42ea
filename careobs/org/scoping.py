"""Loading organisation records for the current user, never beyond what they may manage."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from careobs import permissions
from careobs.db import get_session
from careobs.org.models import Service


def manageable_services() -> list[Service]:
    """Active and inactive services the current user may manage (admins: all of them)."""
    return list(get_session().scalars(permissions.manageable_services(current_user)))


def get_scoped_or_404(model, record_id: uuid.UUID, *, manage: bool = True):
    """A record of ``model`` by public id, 404 unless it is in the user's organisation.

    With ``manage`` the user must also manage the record's service (403 otherwise). Records of
    another organisation are "not found", so their existence is never revealed.
    """
    obj = get_session().scalar(
        sa.select(model).where(
            model.uuid == record_id, model.organisation_id == current_user.organisation_id
        )
    )
    if obj is None:
        abort(404)
    if manage and not permissions.may_manage_record(current_user, obj):
        abort(403)
    return obj


def service_choices(services: list[Service]) -> list[tuple[str, str]]:
    """Choices for a service select, active services only."""
    return [(s.uuid.hex, s.name) for s in services if s.active]


def chosen_service(services: list[Service], value: str | None) -> Service | None:
    """The service picked in a form, only if the user may manage it."""
    return next((s for s in services if s.uuid.hex == value), None)


def service_from_form(form) -> Service | None:
    """The service chosen in ``form.service``; None, with the error on the field, unless it is
    one the user may manage."""
    svc = chosen_service(manageable_services(), form.service.data)
    if svc is None:
        form.service.errors.append("Choose one of your services.")
    return svc
