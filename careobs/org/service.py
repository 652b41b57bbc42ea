"""Rules for changing the organisation's structure; functions flush, views commit."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.audit.service import record_about
from careobs.db import utcnow
from careobs.org.models import Area, Organisation, Person, Service, StaffMember


def organisation_today(db: Session, organisation_id: int) -> date:
    """Today on the organisation's clock."""
    tz = db.scalar(sa.select(Organisation.timezone).where(Organisation.id == organisation_id))
    return utcnow().astimezone(ZoneInfo(tz or "Europe/London")).date()


def service_name_taken(db: Session, organisation_id: int, name: str, except_id=None) -> bool:
    """Service names are unique within an organisation (case-insensitively)."""
    stmt = sa.select(Service.id).where(
        Service.organisation_id == organisation_id,
        sa.func.lower(Service.name) == name.strip().lower(),
    )
    if except_id is not None:
        stmt = stmt.where(Service.id != except_id)
    return db.scalar(stmt) is not None


def area_name_taken(db: Session, service: Service, name: str) -> bool:
    """Area names are unique within a service."""
    return (
        db.scalar(
            sa.select(Area.id).where(
                Area.service_id == service.id, sa.func.lower(Area.name) == name.strip().lower()
            )
        )
        is not None
    )


def add_area(db: Session, service: Service, name: str, actor) -> Area:
    """Add a communal area to a service."""
    area = Area(
        organisation_id=service.organisation_id,
        service_id=service.id,
        name=name.strip(),
        added_on=organisation_today(db, service.organisation_id),
    )
    db.add(area)
    db.flush()
    record_about(db, "area_created", area, actor=actor, summary=f"{service.name}: {area.name}")
    return area


def person_code_taken(db: Session, service_id: int, code: str, except_id=None) -> bool:
    """Codes are unique within a service (case-insensitively: R07 and r07 are the same person)."""
    stmt = sa.select(Person.id).where(
        Person.service_id == service_id, sa.func.upper(Person.code) == code.strip().upper()
    )
    if except_id is not None:
        stmt = stmt.where(Person.id != except_id)
    return db.scalar(stmt) is not None


def apply_person(person: Person, data: dict) -> None:
    """Copy validated form data onto a person; codes are stored upper-case."""
    person.code = data["code"].strip().upper()
    person.initials = (data.get("initials") or "").strip().upper() or None
    person.consent = data["consent"]
    person.consent_on = data.get("consent_on") if data["consent"] != "not_recorded" else None
    given_by = data.get("consent_given_by") or None
    person.consent_given_by = given_by if data["consent"] != "not_recorded" else None


def record_saved(db: Session, record_obj, *, created: bool, actor, what: str, summary: str) -> None:
    """Audit a record added or changed on an admin screen as ``<what>_created`` or
    ``<what>_updated``, flushing first so that a new one has its id."""
    db.flush()
    action = f"{what}_{'created' if created else 'updated'}"
    record_about(db, action, record_obj, actor=actor, summary=summary)


def set_active(db: Session, record_obj, active: bool, actor, what: str) -> None:
    """Deactivate or reactivate: records are kept for history, never deleted. A person, area or
    member of staff made active again counts as added today: nothing about the time they were
    away falls due (careobs.audits.due)."""
    if active and not record_obj.active and isinstance(record_obj, (Person, Area, StaffMember)):
        record_obj.added_on = organisation_today(db, record_obj.organisation_id)
    record_obj.active = active
    action = f"{what}_{'reactivated' if active else 'deactivated'}"
    record_about(db, action, record_obj, actor=actor)


def staff_for_user(db: Session, user_id: int) -> StaffMember | None:
    """The staff record linked to a login, if any."""
    return db.scalar(sa.select(StaffMember).where(StaffMember.user_id == user_id))
