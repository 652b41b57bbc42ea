"""What a user may capture for, loaded once per sync batch and shared by every document in it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.org.models import Area, Person, Service, StaffMember
from careobs.permissions import may_capture_in
from careobs.sync.fields import read_uuid


@dataclass
class ServiceRoster:
    """A service's areas, people codes and staff, keyed the way documents refer to them."""

    service: Service
    may_capture: bool
    areas: dict[uuid.UUID, int] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)  # code → consent
    staff: dict[uuid.UUID, int] = field(default_factory=dict)


class Rosters:
    """Loads each service's roster on first use within one request."""

    def __init__(self, db: Session, user):
        self.db = db
        self.user = user
        self._cache: dict[uuid.UUID, ServiceRoster | None] = {}
        self.lookups: dict = {}  # other per-batch lookups, keyed by the document kinds

    def get(self, service_id: uuid.UUID) -> ServiceRoster | None:
        """The roster of a service in the user's organisation, or None if there is no such one."""
        if service_id not in self._cache:
            self._cache[service_id] = self._load(service_id)
        return self._cache[service_id]

    def _load(self, service_id: uuid.UUID) -> ServiceRoster | None:
        db = self.db
        service = db.scalar(
            sa.select(Service).where(
                Service.uuid == service_id, Service.organisation_id == self.user.organisation_id
            )
        )
        if service is None:
            return None
        roster = ServiceRoster(service, may_capture_in(self.user, service))
        if not roster.may_capture:
            return roster
        roster.areas = dict(
            db.execute(sa.select(Area.uuid, Area.id).where(Area.service_id == service.id)).all()
        )
        roster.people = dict(
            db.execute(
                sa.select(Person.code, Person.consent).where(Person.service_id == service.id)
            ).all()
        )
        roster.staff = dict(
            db.execute(
                sa.select(StaffMember.uuid, StaffMember.id).where(
                    StaffMember.service_id == service.id
                )
            ).all()
        )
        return roster


class Forbidden(Exception):
    """The user may not record for the service a document names; ``message`` tells them, in
    words, under ``field`` of the document's ``errors``."""

    def __init__(
        self, field: str = "service_id", message: str = "You cannot record for this service."
    ):
        super().__init__(message)
        self.field = field
        self.message = message


def read_service(data: dict, rosters: Rosters, errors) -> ServiceRoster | None:
    """The roster of the service a document names (an error if unknown).

    Raises Forbidden when the user may not record for it, so the document is answered
    ``forbidden`` rather than ``invalid``.
    """
    service_uuid = read_uuid(data.get("service_id"), "service_id", errors)
    roster = rosters.get(service_uuid) if service_uuid else None
    if service_uuid and roster is None:
        errors.add("service_id", "Unknown service.")
    if roster is not None and not roster.may_capture:
        raise Forbidden
    return roster
