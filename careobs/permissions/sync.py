"""Who may capture for a service through sync, and review the quarantine of conflicting copies."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.org.models import Service
from careobs.permissions.roles import (
    MANAGE,
    WORK,
    can_manage_service,
    can_work_in_service,
    service_ids_select,
    services_select,
)
from careobs.sync.models import QuarantinedDocument


def may_capture_in(user, service: Service) -> bool:
    """Documents for an active service from its admins, managers and supervisors; anything
    else is answered ``forbidden``."""
    return can_work_in_service(user, service) and service.active


def visible_quarantine(user) -> sa.Select:
    """Quarantined copies in the services the user manages (admins: the whole organisation)."""
    return sa.select(QuarantinedDocument).where(
        QuarantinedDocument.organisation_id == user.organisation_id,
        QuarantinedDocument.service_id.in_(service_ids_select(user, MANAGE)),
    )


def may_review_quarantined(user, item: QuarantinedDocument) -> bool:
    """Reviewing (and marking reviewed) a conflicting copy: managers of its service, admins."""
    return (
        item.organisation_id == user.organisation_id
        and item.service is not None
        and can_manage_service(user, item.service)
    )


def capture_services(user) -> sa.Select:
    """The active services the user may capture in: what the device's bootstrap carries."""
    return services_select(user, WORK).where(Service.active.is_(True))
