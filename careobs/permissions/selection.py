"""Who may draw whom to check next, and see the stored draws.

Admins and the managers and supervisors of a service may draw in it and see its draws; care
workers may not (the weights reveal overdue checks and red results).
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.org.models import Service
from careobs.permissions.roles import (
    WORK,
    can_work_in_service,
    in_query,
    service_ids_select,
    services_select,
)
from careobs.selection.models import SelectionDraw


def visible_draws(user) -> sa.Select:
    """Draws in services where the user may draw (admins: the whole organisation)."""
    return sa.select(SelectionDraw).where(
        SelectionDraw.organisation_id == user.organisation_id,
        SelectionDraw.service_id.in_(service_ids_select(user, WORK)),
    )


def get_visible_draw(db: Session, user, draw_id: uuid.UUID) -> SelectionDraw | None:
    """One draw by its public id, if the user may see it (None: answer 404)."""
    return db.scalar(visible_draws(user).where(SelectionDraw.uuid == draw_id))


def may_view_draw(user, draw: SelectionDraw) -> bool:
    """Whether the draw is among :func:`visible_draws` (seeing it and re-running it to verify)."""
    return in_query(visible_draws(user), draw)


def drawable_services(user, service_kinds: tuple[str, ...]) -> sa.Select:
    """Active services of these kinds where the user may draw (:func:`may_draw_in`, as a
    query): admins, and the service's managers and supervisors, who go out and do the checks."""
    return services_select(user, WORK).where(
        Service.active.is_(True), Service.kind.in_(service_kinds)
    )


def may_draw_in(user, service: Service) -> bool:
    """Drawing in an active service: its managers and supervisors, and admins."""
    return service.active and can_work_in_service(user, service)
