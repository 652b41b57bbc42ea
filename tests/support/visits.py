"""Monitoring visit checklists as a device sees them, and valid ``spot_check`` documents in one
line.

``spot_check(service, staff, checklist)`` is a complete, valid, submitted visit to H01 (consent on
record), every item Met; ``ratings={9: "not_met"}`` rates items by their index in the checklist,
``rating="na"`` changes the rating of every other item, and keyword arguments override any field
of ``data`` (``status="draft"``, ``actions=[action(owner)]``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from careobs.checklists import service as checklists
from careobs.checklists.models import Checklist, ChecklistVersion
from tests.support.sync import iso, new_id, public_id

PLANNED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class ItemInfo:
    id: str  # the item's uuid, as documents name it
    key: uuid.UUID  # the same across versions
    text: str
    critical: bool


@dataclass(frozen=True)
class ChecklistInfo:
    """One checklist version as a device sees it in the bootstrap."""

    id: str  # the checklist's uuid
    version: int
    items: list[ItemInfo]
    retired_at: datetime | None = None

    @property
    def critical(self) -> list[int]:
        """Indexes of the critical items."""
        return [i for i, item in enumerate(self.items) if item.critical]

    @property
    def plain(self) -> list[int]:
        """Indexes of the items that are not critical."""
        return [i for i, item in enumerate(self.items) if not item.critical]


def checklist_info(db, checklist_uuid, number: int | None = None) -> ChecklistInfo:
    """A version of a checklist, freshly loaded (the current one when ``number`` is None)."""
    db.expire_all()
    stmt = (
        sa.select(ChecklistVersion)
        .join(Checklist)
        .where(
            Checklist.uuid == uuid.UUID(str(checklist_uuid)),
            ChecklistVersion.published_at.is_not(None),
        )
    )
    if number is None:
        stmt = stmt.where(ChecklistVersion.retired_at.is_(None))
    else:
        stmt = stmt.where(ChecklistVersion.number == number)
    version = db.scalar(stmt)
    return ChecklistInfo(
        id=str(version.checklist.uuid),
        version=version.number,
        items=[ItemInfo(str(i.uuid), i.key, i.text, i.critical) for i in version.items],
        retired_at=version.retired_at,
    )


def publish_new_version(app, db, checklist: ChecklistInfo, actor, change=None) -> ChecklistInfo:
    """Start a draft from the current version, let ``change(draft)`` edit it, and publish it."""
    with app.app_context():
        row = db.scalar(sa.select(Checklist).where(Checklist.uuid == uuid.UUID(checklist.id)))
        draft = checklists.start_draft(db, row, actor)
        if change is not None:
            change(draft)
        checklists.publish(db, draft, actor)
        db.commit()
    return checklist_info(db, checklist.id)


def spot_check(
    service,
    staff,
    checklist: ChecklistInfo,
    *,
    id=None,
    revision: int = 1,
    ratings=None,
    rating: str = "met",
    **fields,
) -> dict:
    """A complete ``spot_check`` document; ``ratings`` maps item indexes to ratings."""
    ratings = ratings or {}
    data = {
        "service_id": public_id(service),
        "staff_id": public_id(staff),
        "person_code": "H01",
        "visit_type": "unannounced",
        "consent": "on_record",
        "checklist_id": checklist.id,
        "checklist_version": checklist.version,
        "planned_at": iso(PLANNED),
        "planned_minutes": 30,
        "arrived_at": iso(PLANNED + timedelta(minutes=5)),
        "left_at": iso(PLANNED + timedelta(minutes=35)),
        "answers": [
            {"item_id": item.id, "rating": ratings.get(index, rating), "comment": ""}
            for index, item in enumerate(checklist.items)
        ],
        "person_view": {"satisfaction": 5, "comment": "Always kind and on time."},
        "went_well": "Warm greeting; explained each step.",
        "to_develop": "",
        "actions": [],
        "status": "submitted",
    }
    data.update(fields)
    return {"kind": "spot_check", "id": id or new_id(), "revision": revision, "data": data}


def action(owner=None, **fields) -> dict:
    """One agreed action; ``owner`` is a StaffMember, a User or an id."""
    item = {
        "id": new_id(),
        "description": "Complete the medicines refresher.",
        "owner_id": public_id(owner),
        "due_on": "2026-12-31",
    }
    item.update(fields)
    return item


def default_checklist(app, db, organisation_id: int) -> ChecklistInfo:
    """Create an organisation's default monitoring visit checklist; its version 1 as a device
    sees it (29 items, 6 critical)."""
    with app.app_context():
        created = checklists.create_default(db, organisation_id)
        db.commit()
        checklist_id = created.uuid
    return checklist_info(db, checklist_id)
