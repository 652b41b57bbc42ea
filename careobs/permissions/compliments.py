"""Who may record compliments and concerns, read the log and respond to a concern.

The managers and supervisors of a service record them (admins: every service). Managers (and
admins) read the whole log of their services; a supervisor reads the entries they recorded in
services they still work in (someone who has left a service no longer reads its log). A concern
is answered (response, outcome, action) by whoever may read it and still works in its service.
Care workers never see the log: a compliment about them reaches them as feedback, once a manager
releases it. Its trends are a dashboard, for those who see dashboards (admins and managers).

A quality checker (a later role) will not be added to ``WORK``, so will see none of this.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.compliments.models import Compliment
from careobs.org.models import Service
from careobs.permissions.roles import (
    WORK,
    can_administer,
    can_work_in_service,
    in_query,
    own_or_managed,
    service_ids_select,
    services_select,
)


def visible_compliments(user) -> sa.Select:
    """Entries in services the user manages (admins: all), and those they recorded in services
    where they still work."""
    own = sa.and_(
        Compliment.recorded_by_id == user.id,
        Compliment.service_id.in_(service_ids_select(user, WORK)),
    )
    return own_or_managed(Compliment, own, user)


def get_visible_compliment(db: Session, user, compliment_id: uuid.UUID) -> Compliment | None:
    """One entry by its public id, if the user may see it (None: answer 404)."""
    return db.scalar(visible_compliments(user).where(Compliment.uuid == compliment_id))


def may_view_compliment(user, compliment: Compliment) -> bool:
    """Whether the entry is among :func:`visible_compliments`."""
    return in_query(visible_compliments(user), compliment)


def compliment_services(user) -> sa.Select:
    """Active services where the user may record compliments and concerns."""
    return services_select(user, WORK).where(Service.active.is_(True))


def may_record_compliment(user, service: Service) -> bool:
    """Managers and supervisors of an active service, and admins, record in its log."""
    return service.active and can_work_in_service(user, service)


def may_edit_compliment_sections(user, organisation) -> bool:
    """The organisation's list of sections is its admins' to add to, rename and withdraw."""
    return user.is_org_admin and organisation.id == user.organisation_id


def may_respond_to_concern(user, compliment: Compliment) -> bool:
    """A concern's response and action are written by whoever may read it and still works in
    its service (an action is raised there)."""
    return (
        compliment.kind == "concern"
        and can_work_in_service(user, compliment.service)
        and may_view_compliment(user, compliment)
    )


def may_see_compliment_trends(user) -> bool:
    """The trends by section are the Compliments dashboard: admins and managers see it."""
    return can_administer(user)
