"""What a device needs to capture offline for the user's services (design §3.1 bootstrap)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from careobs.checkers import service as checker_work
from careobs.checklists.models import Checklist, ChecklistDomain, ChecklistVersion
from careobs.checklists.scoring import RATINGS
from careobs.org import settings as org_settings
from careobs.org.models import Area, Organisation, Person, Service, StaffMember
from careobs.permissions import (
    assessable,
    audit_access,
    open_co_audit_tasks,
    roles_by_service,
    services_checked_by,
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


def _published_audit_versions(db: Session, organisation_id: int, template_ids=None):
    """The current published version of the organisation's audit templates (of those ids when
    given), by template name."""
    stmt = (
        sa.select(ChecklistVersion)
        .join(Checklist)
        .where(
            Checklist.organisation_id == organisation_id,
            Checklist.purpose == "audit",
            ChecklistVersion.published_at.is_not(None),
            ChecklistVersion.retired_at.is_(None),
        )
        .order_by(Checklist.name)
        .options(selectinload(ChecklistVersion.domains).selectinload(ChecklistDomain.items))
    )
    if template_ids is not None:
        stmt = stmt.where(Checklist.id.in_(template_ids))
    return list(db.scalars(stmt))


def _may_complete_everywhere(access: dict[int, set[int] | None]) -> bool:
    return any(ids is None for ids in access.values())


def audit_template_versions(db: Session, user, access: dict[int, set[int] | None]):
    """The current published version of each audit template the user may complete somewhere
    (careobs.permissions.audit_access): every one for someone who captures in at least one
    service, the assigned ones for an audit champion, none otherwise."""
    if not access:
        return []
    if _may_complete_everywhere(access):
        return _published_audit_versions(db, user.organisation_id)
    assigned = {i for ids in access.values() for i in ids}
    return _published_audit_versions(db, user.organisation_id, assigned)


def audit_templates(db: Session, user, versions=None) -> list[dict]:
    """The audit templates the user may complete, in issue 15's device contract (exactly these
    fields; which template may be completed where is on each ``services[]`` entry), each item
    with issue 16's ``easy_read_text`` for easy-read co-audits."""
    if versions is None:
        versions = audit_template_versions(db, user, audit_access(db, user))
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
                        {
                            "id": str(i.uuid),
                            "text": i.text,
                            "critical": i.critical,
                            # "" when none is written: the device shows ``text`` instead.
                            "easy_read_text": i.easy_read_text,
                        }
                        for i in d.items
                    ],
                }
                for d in v.domains
            ],
        }
        for v in versions
    ]


def template_ids_by_service(access: dict[int, set[int] | None], versions) -> dict[int, list[str]]:
    """Each service's ``audit_template_ids``: the public ids of the templates the user may
    complete there (every published one where they capture), in the templates' order."""
    return {
        service_id: [
            str(v.checklist.uuid) for v in versions if allowed is None or v.checklist_id in allowed
        ]
        for service_id, allowed in access.items()
    }


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


def _co_audit_tasks(db: Session, user, access) -> tuple[list[dict], dict[int, list], list]:
    """A quality checker's open co-audit assignments (careobs.permissions.open_co_audit_tasks)
    in the device contract's ``co_audit_tasks`` shape, each on its template's current version;
    also the staff audits by service (for the rosters) and the versions to add to
    ``audit_templates``. The staff auditor's name and answers are never part of it."""
    rows = db.execute(open_co_audit_tasks(user)).all()
    if not rows:
        return [], {}, []
    checklist_ids = {audit.checklist_version.checklist_id for _, audit in rows}
    versions = {
        v.checklist_id: v
        for v in _published_audit_versions(db, user.organisation_id, checklist_ids)
    }
    tasks, by_service = [], {}
    for assignment, audit in rows:
        version = versions.get(audit.checklist_version.checklist_id)
        if version is None or access.get(audit.service_id, set()) is None:
            # Nothing to complete it on; or they capture there and need no task: reachable, as
            # an organisation admin captures in every service, including one where they are
            # also a quality checker.
            continue
        by_service.setdefault(audit.service_id, []).append((audit, version))
        tasks.append(
            {
                "compare_with": str(audit.uuid),
                "service_id": str(assignment.service.uuid),
                "template_id": str(version.checklist.uuid),
                "template_version": version.number,
                "subject": {
                    "type": audit.subject_type,
                    "id": str(audit.area.uuid) if audit.area is not None else None,
                    "code": audit.person.code if audit.person is not None else None,
                },
                "with": "quality_checker",
            }
        )
    used = {v.checklist_id for pairs in by_service.values() for _, v in pairs}
    return tasks, by_service, [v for v in versions.values() if v.checklist_id in used]


def _checker_roster(service_ids, by_service, areas, staff, people) -> None:
    """A service where the user is only a quality checker: no staff (a checker never sees
    staff names), and of its areas and people only the subjects of their co-audits."""
    for service_id in service_ids:
        audits = [audit for audit, _ in by_service.get(service_id, ())]
        area_uuids = {audit.area.uuid for audit in audits if audit.area is not None}
        codes = {audit.person.code for audit in audits if audit.person is not None}
        staff[service_id] = []
        areas[service_id] = [(u, n) for u, n in areas[service_id] if u in area_uuids]
        people[service_id] = [(c, k) for c, k in people[service_id] if c in codes]


def bootstrap(db: Session, user) -> dict:
    """The user, the services they may record in with their rosters and what they may do in
    each, and the settings."""
    # Where the user captures, plus where they are only an audit champion: one answer.
    access = audit_access(db, user)
    # Where they are a quality checker (and nothing more): their co-audits alone.
    checking = [
        i
        for i in db.scalars(services_checked_by(user).with_only_columns(Service.id))
        if i not in access
    ]
    tasks, task_audits, task_versions = _co_audit_tasks(db, user, access)
    services = list(
        db.scalars(
            sa.select(Service).where(Service.id.in_([*access, *checking])).order_by(Service.name)
        )
    )
    ids = [s.id for s in services]
    areas = _active_by_service(db, Area, ids, Area.uuid, Area.name, order_by=Area.name)
    staff_columns = (StaffMember.uuid, StaffMember.name, StaffMember.job_role)
    staff = _active_by_service(db, StaffMember, ids, *staff_columns, order_by=StaffMember.name)
    people = _active_by_service(db, Person, ids, Person.code, Person.consent, order_by=Person.code)
    champion_only = [i for i in ids if i in access and access[i] is not None]
    _champion_roster(db, champion_only, {i: access[i] for i in champion_only}, areas, people)
    _checker_roster(checking, task_audits, areas, staff, people)
    roles = roles_by_service(user)
    org = db.get(Organisation, user.organisation_id)
    versions = audit_template_versions(db, user, access)
    known = {v.id for v in versions}
    versions += [v for v in task_versions if v.id not in known]
    templates = audit_templates(db, user, versions)
    allowed_templates = template_ids_by_service(access, versions)
    for service_id in checking:  # a checker: the templates of their co-audits there
        assigned = {v.checklist_id for _, v in task_audits.get(service_id, ())}
        allowed_templates[service_id] = [
            str(v.checklist.uuid) for v in versions if v.checklist_id in assigned
        ]
    captures_somewhere = _may_complete_everywhere(access)
    body = {
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
                # What the user may do here (additive to the contract): QUIS and visits, and
                # which of ``audit_templates`` (a champion: only their own).
                "may_capture": access.get(s.id, set()) is None,
                "audit_template_ids": allowed_templates[s.id],
            }
            for s in services
        ],
        # Visit checklists only for someone who may make visits (not a champion alone).
        "checklists": checklists(db, user.organisation_id) if captures_somewhere else [],
        "audit_templates": templates,
        # A quality checker's open co-audits (additive; empty for everyone else).
        "co_audit_tasks": tasks,
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
    # The conversations given to this user as a quality checker, not yet recorded
    # (careobs.checkers.service), and their people's codes in those services' ``people``
    # (additive to the contract: nothing renamed).
    body["conversation_tasks"] = checker_work.conversation_tasks(db, user, body["services"])
    # Where the user may record a self-assessment or a mock inspection, and which (additive;
    # a mock inspector's services are not among ``services``, where they hold no role).
    body["self_assessment_services"] = [
        {"id": str(s.uuid), "name": s.name, "kind": s.kind, "types": types}
        for s, types in assessable(db, user)
    ]
    return body
