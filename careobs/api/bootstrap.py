"""What a device needs to capture offline for the user's services (design §3.1 bootstrap)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from careobs.audits.schedules import AuditChampion
from careobs.checklists.models import Checklist, ChecklistDomain, ChecklistVersion
from careobs.checklists.scoring import RATINGS
from careobs.org import settings as org_settings
from careobs.org.models import Area, Organisation, Person, Service, StaffMember
from careobs.permissions import (
    audit_services,
    capture_services,
    championed,
    roles_by_service,
)
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


def champion_templates(db: Session, user) -> dict[int, set[int]]:
    """The templates the user is an audit champion of, by service id (assignments in force)."""
    found: dict[int, set[int]] = {}
    rows = db.execute(
        championed(user).with_only_columns(AuditChampion.service_id, AuditChampion.checklist_id)
    )
    for service_id, checklist_id in rows:
        found.setdefault(service_id, set()).add(checklist_id)
    return found


def audit_bands(db: Session, template_ids: list[str]) -> dict[str, dict]:
    """Each template's bands by its id: ``{"green_from": 90, "amber_from": 75}``."""
    if not template_ids:
        return {}
    rows = db.execute(
        sa.select(Checklist.uuid, Checklist.green_from, Checklist.amber_from).where(
            Checklist.uuid.in_([uuid.UUID(t) for t in template_ids])
        )
    )
    return {str(u): {"green_from": g, "amber_from": a} for u, g, a in rows}


def audit_templates(db: Session, user, champion_of: dict[int, set[int]] | None = None):
    """The current published version of each audit template the user may complete: every
    template of the organisation for someone who may capture in at least one service, only
    their assigned templates for an audit champion, none otherwise (issue 15's device
    contract, exactly these fields)."""
    if db.scalar(sa.select(audit_services(user).order_by(None).exists())) is not True:
        return []
    stmt = (
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
    if db.scalar(sa.select(capture_services(user).order_by(None).exists())) is not True:
        champion_of = champion_templates(db, user) if champion_of is None else champion_of
        stmt = stmt.where(Checklist.id.in_({i for ids in champion_of.values() for i in ids}))
    versions = db.scalars(stmt)
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


def _champion_roster(db: Session, service_ids: list[int], champion_of, areas, people) -> None:
    """For a service where the user is only a champion, keep the roster their templates'
    subjects need: people for person audits, areas for area audits; the staff always (subjects
    of staff audits and owners of proposed actions)."""
    if not service_ids:
        return
    ids = {i for found in champion_of.values() for i in found}
    kinds = dict(
        db.execute(
            sa.select(Checklist.id, Checklist.subject_type).where(Checklist.id.in_(ids))
        ).all()
    )
    for service_id in service_ids:
        needed = {kinds.get(i) for i in champion_of.get(service_id, ())}
        if "person" not in needed:
            people[service_id] = []
        if "area" not in needed:
            areas[service_id] = []


def bootstrap(db: Session, user) -> dict:
    """The user, the services they may record in with their rosters, and the settings."""
    # Where the user captures, plus where they are only an audit champion.
    services = list(db.scalars(audit_services(user)))
    capture_ids = set(db.scalars(capture_services(user).with_only_columns(Service.id)))
    ids = [s.id for s in services]
    areas = _active_by_service(db, Area, ids, Area.uuid, Area.name, order_by=Area.name)
    staff_columns = (StaffMember.uuid, StaffMember.name, StaffMember.job_role)
    staff = _active_by_service(db, StaffMember, ids, *staff_columns, order_by=StaffMember.name)
    people = _active_by_service(db, Person, ids, Person.code, Person.consent, order_by=Person.code)
    champion_only = [i for i in ids if i not in capture_ids]
    champion_of = champion_templates(db, user) if champion_only else {}
    _champion_roster(db, champion_only, champion_of, areas, people)
    roles = roles_by_service(user)
    org = db.get(Organisation, user.organisation_id)
    templates = audit_templates(db, user, champion_of if not capture_ids else None)
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
        # Visit checklists only for someone who may make visits (not a champion alone).
        "checklists": checklists(db, user.organisation_id) if capture_ids else [],
        "audit_templates": templates,
        "settings": {
            "timezone": org.timezone,
            "visits": {
                **org_settings.as_dict(org_settings.settings_for(db, org.id)),
                "visit_types": VISIT_TYPES,
                "ratings": RATINGS,
            },
            # Each audit template's RAG bands, for the phone's live band: beside the templates,
            # whose fields the device contract fixes.
            "audits": {"bands": audit_bands(db, [t["id"] for t in templates])},
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
