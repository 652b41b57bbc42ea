"""Who may manage a service's admin records: its people (codes), staff, areas and settings.

Organisation admins manage every service; managers manage their own services. Records of another
organisation are "not found" (404), never "forbidden", so their existence is not revealed.
"""

from __future__ import annotations

import sqlalchemy as sa

from careobs.org.models import Person, Service, StaffMember
from careobs.permissions.roles import (
    MANAGE,
    can_manage_service,
    service_ids_select,
    services_select,
)


def manageable_services(user) -> sa.Select:
    """Active and inactive services the user may manage (admins: all of them)."""
    return services_select(user, MANAGE)


def visible_people(user) -> sa.Select:
    """People supported (as codes) in the services the user manages."""
    return sa.select(Person).where(Person.service_id.in_(service_ids_select(user, MANAGE)))


def visible_staff(user) -> sa.Select:
    """Staff records in the services the user manages."""
    return sa.select(StaffMember).where(
        StaffMember.service_id.in_(service_ids_select(user, MANAGE))
    )


def in_organisation(user, record) -> bool:
    """Whether an admin record is in the user's organisation (otherwise: 404)."""
    return record.organisation_id == user.organisation_id


def may_manage_record(user, record) -> bool:
    """A service, or a person, staff member or area of one: may the user change it?"""
    service = record if isinstance(record, Service) else record.service
    return can_manage_service(user, service)


def may_rename_service(user, service: Service) -> bool:
    """Renaming a service (or changing its kind) is for organisation admins only; its managers
    add areas but never rename it."""
    return in_organisation(user, service) and user.is_org_admin
