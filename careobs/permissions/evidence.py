"""Who may make an evidence pack: admins for any service, managers for the services they manage."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.org.models import Service
from careobs.permissions.roles import MANAGE, can_manage_service, services_select


def evidence_services(user) -> sa.Select:
    """The services (active or not) the user may make an evidence pack for."""
    return services_select(user, MANAGE)


def may_make_evidence_pack(user, service: Service) -> bool:
    """Read the pack page and download its PDF for this service."""
    return can_manage_service(user, service)
