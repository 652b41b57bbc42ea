"""What a device needs to capture offline for the user's services (design §3.1 bootstrap)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from careobs.checklists.models import Checklist, ChecklistDomain, ChecklistVersion
from careobs.org import settings as org_settings
from careobs.org.models import Area, Organisation, Person, StaffMember
from careobs.permissions import capture_services, roles_by_service
from careobs.quis.models import CONTEXTS
from careobs.quis.scoring import CATEGORY_LABELS, NEGATIVE_REASONS
from careobs.visits.models import VISIT_TYPES
from careobs.visits.scoring import RATINGS


def _grouped(db: Session, stmt, service_ids: list[int]) -> dict[int, list]:
    rows: dict[int, list] = {sid: [] for sid in service_ids}
    for row in db.execute(stmt):
        rows[row[0]].append(row[1:])
    return rows


def checklists(db: Session, organisation_id: int) -> list[dict]:
    """The current published version of each of the organisation's checklists."""
    versions = db.scalars(
        sa.select(ChecklistVersion)
        .join(Checklist)
        .where(
            Checklist.organisation_id == organisation_id,
            ChecklistVersion.published_at.is_not(None),
            ChecklistVersion.retired_at.is_(None),
        )
        .order_by(Checklist.name)
        .options(selectinload(ChecklistVersion.domains).selectinload(ChecklistDomain.items))
    )
    return [
        {
            "id": str(v.checklist.uuid),
            "name": v.checklist.name,
            "version": v.number,
            "domains": [
                {
                    "id": str(d.uuid),
                    "name": d.name,
                    "items": [
                        {
                            "id": str(i.uuid),
                            "key": str(i.key),
                            "text": i.text,
                            "guidance": i.guidance,
                            "critical": i.critical,
                        }
                        for i in d.items
                    ],
                }
                for d in v.domains
            ],
        }
        for v in versions
    ]


def bootstrap(db: Session, user) -> dict:
    """The user, the services they may record in with their rosters, and the settings."""
    services = list(db.scalars(capture_services(user)))
    ids = [s.id for s in services]
    areas = _grouped(
        db,
        sa.select(Area.service_id, Area.uuid, Area.name)
        .where(Area.service_id.in_(ids), Area.active.is_(True))
        .order_by(Area.name),
        ids,
    )
    staff = _grouped(
        db,
        sa.select(StaffMember.service_id, StaffMember.uuid, StaffMember.name, StaffMember.job_role)
        .where(StaffMember.service_id.in_(ids), StaffMember.active.is_(True))
        .order_by(StaffMember.name),
        ids,
    )
    people = _grouped(
        db,
        sa.select(Person.service_id, Person.code, Person.consent)
        .where(Person.service_id.in_(ids), Person.active.is_(True))
        .order_by(Person.code),
        ids,
    )
    roles = roles_by_service(user)
    org = db.get(Organisation, user.organisation_id)
    return {
        "user": {
            "id": str(user.uuid),
            "name": user.display_name,
            "roles": {
                "organisation_admin": user.is_org_admin,
                "services": {str(s.uuid): roles.get(s.id, "admin") for s in services},
            },
        },
        "services": [
            {
                "id": str(s.uuid),
                "name": s.name,
                "kind": s.kind,
                "areas": [{"id": str(a), "name": n} for a, n in areas[s.id]],
                "staff": [{"id": str(u), "name": n, "job_role": j} for u, n, j in staff[s.id]],
                "people": [{"code": c, "consent": k} for c, k in people[s.id]],
            }
            for s in services
        ],
        "checklists": checklists(db, user.organisation_id),
        "settings": {
            "timezone": org.timezone,
            "visits": {
                **org_settings.as_dict(org_settings.settings_for(db, org.id)),
                "visit_types": VISIT_TYPES,
                "ratings": RATINGS,
            },
            "quis": {
                "categories": CATEGORY_LABELS,
                "contexts": CONTEXTS,
                "negative_reasons": NEGATIVE_REASONS,
                "max_people": 8,
                "default_planned_minutes": 60,
                "default_frame_minutes": 5,
            },
        },
    }
