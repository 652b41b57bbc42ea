"""Audit templates as a device sees them, and valid ``audit`` documents in one line.

``audit_doc(service, template, subject)`` is a complete, valid, submitted audit, every item Met;
``ratings={3: "not_met"}`` rates items by their index in the template, ``rating="na"`` changes
every other item, and keyword arguments override any field of ``data``. Subjects:
``person("R01")``, ``staff(member)``, ``area(area)``, ``whole_service()``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from careobs.audits import starter
from careobs.checklists.models import Checklist, ChecklistVersion
from tests.support.sync import iso, new_id, public_id
from tests.support.visits import ItemInfo

STARTED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
CARE_PLAN = starter.CARE_PLAN.name
MAR = starter.MEDICINES_RECORDS.name
IPC = starter.INFECTION_CONTROL.name
INCIDENTS = starter.BEHAVIOUR_AND_INCIDENTS.name


@dataclass(frozen=True)
class TemplateInfo:
    """One audit template version as a device sees it in the bootstrap."""

    id: str  # the template's (checklist's) uuid
    version: int
    subject_type: str
    items: list[ItemInfo]

    @property
    def critical(self) -> list[int]:
        return [i for i, item in enumerate(self.items) if item.critical]

    @property
    def plain(self) -> list[int]:
        return [i for i, item in enumerate(self.items) if not item.critical]


def template_info(db, name: str, organisation_id: int) -> TemplateInfo:
    """The current published version of the organisation's template called ``name``."""
    db.expire_all()
    version = db.scalar(
        sa.select(ChecklistVersion)
        .join(Checklist)
        .where(
            Checklist.organisation_id == organisation_id,
            Checklist.name == name,
            ChecklistVersion.published_at.is_not(None),
            ChecklistVersion.retired_at.is_(None),
        )
    )
    return TemplateInfo(
        id=str(version.checklist.uuid),
        version=version.number,
        subject_type=version.checklist.subject_type,
        items=[ItemInfo(str(i.uuid), i.key, i.text, i.critical) for i in version.items],
    )


def starter_templates(app, db, organisation_id: int) -> dict[str, TemplateInfo]:
    """Create the organisation's starter audit templates; each as a device sees it, by name."""
    with app.app_context():
        starter.create_starter_templates(db, organisation_id)
        db.commit()
    return {t.name: template_info(db, t.name, organisation_id) for t in starter.TEMPLATES}


def person(code: str) -> dict:
    return {"type": "person", "id": None, "code": code}


def staff(member) -> dict:
    return {"type": "staff", "id": public_id(member), "code": None}


def area(place) -> dict:
    return {"type": "area", "id": public_id(place), "code": None}


def whole_service() -> dict:
    return {"type": "service", "id": None, "code": None}


def audit_doc(
    service,
    template: TemplateInfo,
    subject: dict,
    *,
    id=None,
    revision: int = 1,
    ratings=None,
    rating: str = "met",
    **fields,
) -> dict:
    """A complete ``audit`` document; ``ratings`` maps item indexes to ratings."""
    ratings = ratings or {}
    data = {
        "template_id": template.id,
        "template_version": template.version,
        "service_id": public_id(service),
        "subject": subject,
        "started_at": iso(STARTED),
        "ended_at": iso(STARTED + timedelta(minutes=25)),
        "answers": [
            {"item_id": item.id, "rating": ratings.get(index, rating), "comment": ""}
            for index, item in enumerate(template.items)
        ],
        "actions": [],
        "status": "submitted",
    }
    data.update(fields)
    return {"kind": "audit", "id": id or new_id(), "revision": revision, "data": data}


def proposed_action(owner=None, **fields) -> dict:
    """One proposed action; ``owner`` is a StaffMember, a User or an id."""
    item = {
        "id": new_id(),
        "description": "Review the care plan with the person and their family.",
        "owner_id": public_id(owner),
        "due_on": "2026-12-31",
    }
    item.update(fields)
    return item


def document_uuid(document: dict) -> uuid.UUID:
    return uuid.UUID(document["id"])
