"""The compliments and concerns log in the organisation's data export: its sections, its
entries (the sender as a category, a person supported by code only) and the care workers each
compliment names."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.actions.models import Action
from careobs.compliments.models import Compliment, ComplimentSection, compliment_staff
from careobs.export.records import uuid_of
from careobs.org.models import Person, Service
from careobs.org.models import StaffMember as Staff


def sections(org_id: int) -> sa.Select:
    """The organisation's sections of the service, in their order."""
    s = ComplimentSection
    return (
        sa.select(s.key, s.label, s.position, s.active)
        .where(s.organisation_id == org_id)
        .order_by(s.position, s.id)
    )


def compliments(org_id: int) -> sa.Select:
    """Every compliment and concern, with its section's key, and a concern's response and
    action."""
    c = Compliment
    return (
        sa.select(
            c.uuid,
            uuid_of(Service, c.service_id, "service_uuid"),
            c.kind,
            sa.select(ComplimentSection.key)
            .where(ComplimentSection.id == c.section_id)
            .scalar_subquery()
            .label("section"),
            c.received_on,
            c.source,
            sa.select(Person.code)
            .where(Person.id == c.person_id)
            .scalar_subquery()
            .label("person_code"),
            c.text,
            c.response,
            c.responded_at,
            uuid_of(Action, c.action_id, "action_uuid"),
            uuid_of(User, c.recorded_by_id, "recorded_by_uuid"),
            c.created_at,
            c.updated_at,
        )
        .where(c.organisation_id == org_id)
        .order_by(c.id)
    )


def named_staff(org_id: int) -> sa.Select:
    """The care workers each compliment names (one row per compliment and worker)."""
    return (
        sa.select(
            Compliment.uuid.label("compliment_uuid"),
            Staff.uuid.label("staff_uuid"),
        )
        .join(compliment_staff, compliment_staff.c.compliment_id == Compliment.id)
        .join(Staff, Staff.id == compliment_staff.c.staff_id)
        .where(Compliment.organisation_id == org_id)
        .order_by(Compliment.id, Staff.id)
    )
