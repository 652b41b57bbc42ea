"""What a device needs to capture offline for the user's services (design §3.1 bootstrap)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from careobs.checklists.models import Checklist, ChecklistDomain, ChecklistVersion
from careobs.checklists.scoring import RATINGS
from careobs.org import settings as org_settings
from careobs.org.models import Area, Organisation, Person, StaffMember
from careobs.permissions import audit_services, capture_services, roles_by_service
from careobs.quis.models import CONTEXTS
from careobs.quis.scoring import CATEGORY_LABELS, NEGATIVE_REASONS
from careobs.visits.models import VISIT_TYPES


def _active_by_service(db: Session, model, service_ids: list[int], *columns, order_by):
    """The ``columns`` of the active rows of ``model`` (areas, staff, people) in each service."""
    stmt = (
        sa.select(model.service_id, *columns)
        .where(model.service_id.in_(service_ids), model.active.is_(True))
        .order_by(order_by)
    )
    rows: dict[int, list] = {sid: [] for sid in service_ids}
    for row in db.execute(stmt):
        rows[row[0]].append(row[1:])
    return rows


def checklists(db: Session, organisation_id: int) -> list[dict]:
    """The current published version of each of the organisation's visit checklists (audit
    templates are in ``audit_templates``)."""
    versions = db.scalars(
        sa.select(ChecklistVersion)
        .join(Checklist)
        .where(
            Checklist.organisation_id == organisation_id,
            Checklist.purpose == "visit",
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


def audit_templates(db: Session, user) -> list[dict]:
    """The current published version of each audit template the user may complete: every
    template of the organisation for someone who may audit in at least one service, none
    otherwise (issue 15's device contract, exactly these fields)."""
    if db.scalar(sa.select(audit_services(user).order_by(None).exists())) is not True:
        return []
    versions = db.scalars(
        sa.select(ChecklistVersion)
        .join(Checklist)
        .where(
            Checklist.organisation_id == user.organisation_id,
            Checklist.purpose == "audit",
            ChecklistVersion.published_at.is_not(None),
            ChecklistVersion.retired_at.is_(None),
        )
        .order_by(Checklist.name)
        .options(selectinload(ChecklistVersion.domains).selectinload(ChecklistDomain.items))
    )
    return [
        {
            "id": str(v.checklist.uuid),
            "version": v.number,
            "name": v.checklist.name,
            "subject_type": v.checklist.subject_type,
            "frequency_days": v.checklist.frequency_days,
            "cqc_statements": list(v.checklist.cqc_statements),
            "domains": [
                {
                    "name": d.name,
                    "items": [
                        {"id": str(i.uuid), "text": i.text, "critical": i.critical} for i in d.items
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
    areas = _active_by_service(db, Area, ids, Area.uuid, Area.name, order_by=Area.name)
    staff_columns = (StaffMember.uuid, StaffMember.name, StaffMember.job_role)
    staff = _active_by_service(db, StaffMember, ids, *staff_columns, order_by=StaffMember.name)
    people = _active_by_service(db, Person, ids, Person.code, Person.consent, order_by=Person.code)
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
        "audit_templates": audit_templates(db, user),
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
