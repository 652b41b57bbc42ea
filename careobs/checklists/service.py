"""Editing, publishing, exporting and importing versioned checklists; functions flush, views commit.

A checklist has at most one draft. Publishing the draft makes it the current version and retires
the one before; published versions never change, so every visit keeps the version it was scored on.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.audit.service import record
from careobs.checklists import default
from careobs.checklists.models import Checklist, ChecklistDomain, ChecklistItem, ChecklistVersion
from careobs.db import utcnow

EXPORT_FORMAT = "careobs-checklist"
EXPORT_FORMAT_VERSION = 1
MAX_TEXT = 300
MAX_GUIDANCE = 2000


class ChecklistError(Exception):
    """An edit that cannot be made; the message is for the admin."""


def current_version(db: Session, checklist: Checklist) -> ChecklistVersion | None:
    """The published version new visits use."""
    return db.scalar(
        sa.select(ChecklistVersion)
        .where(
            ChecklistVersion.checklist_id == checklist.id,
            ChecklistVersion.published_at.is_not(None),
            ChecklistVersion.retired_at.is_(None),
        )
        .order_by(ChecklistVersion.number.desc())
    )


def draft_of(db: Session, checklist: Checklist) -> ChecklistVersion | None:
    """The draft being edited, if there is one."""
    return db.scalar(
        sa.select(ChecklistVersion).where(
            ChecklistVersion.checklist_id == checklist.id, ChecklistVersion.published_at.is_(None)
        )
    )


def _next_number(db: Session, checklist: Checklist) -> int:
    highest = db.scalar(
        sa.select(sa.func.max(ChecklistVersion.number)).where(
            ChecklistVersion.checklist_id == checklist.id
        )
    )
    return (highest or 0) + 1


def start_draft(db: Session, checklist: Checklist, actor) -> ChecklistVersion:
    """The draft, created as a copy of the current version when there is none.

    Copies keep each domain's and item's ``key``, so reports can follow an item across versions.
    """
    draft = draft_of(db, checklist)
    if draft is not None:
        return draft
    source = current_version(db, checklist)
    draft = ChecklistVersion(
        organisation_id=checklist.organisation_id,
        checklist_id=checklist.id,
        number=_next_number(db, checklist),
    )
    db.add(draft)
    if source is not None:
        for domain in source.domains:
            copy = ChecklistDomain(key=domain.key, position=domain.position, name=domain.name)
            copy.items = [
                ChecklistItem(
                    key=i.key,
                    position=i.position,
                    text=i.text,
                    guidance=i.guidance,
                    critical=i.critical,
                )
                for i in domain.items
            ]
            draft.domains.append(copy)
    db.add(draft)
    db.flush()
    record(
        db,
        "checklist_draft_started",
        organisation_id=checklist.organisation_id,
        actor=actor,
        entity=checklist,
        summary=f"{checklist.name} v{draft.number}",
    )
    return draft


def _fill(
    version: ChecklistVersion,
    domains: list[tuple[str, list[tuple[str, bool, str]]]],
    previous: ChecklistVersion | None = None,
) -> None:
    """Build domains and items; wording unchanged from ``previous`` keeps its key, so reports
    can follow an item through an export and re-import."""
    domain_keys = {d.name: d.key for d in previous.domains} if previous else {}
    item_keys = {i.text: i.key for i in previous.items} if previous else {}
    for d_pos, (name, items) in enumerate(domains):
        domain = ChecklistDomain(
            position=d_pos, name=name, key=domain_keys.get(name) or uuid.uuid4()
        )
        domain.items = [
            ChecklistItem(
                position=i_pos,
                text=text,
                critical=critical,
                guidance=guidance,
                key=item_keys.get(text) or uuid.uuid4(),
            )
            for i_pos, (text, critical, guidance) in enumerate(items)
        ]
        version.domains.append(domain)


def create_default(db: Session, organisation_id: int, actor=None) -> Checklist:
    """The default monitoring visit checklist, published as version 1 (once per organisation)."""
    existing = db.scalar(
        sa.select(Checklist).where(
            Checklist.organisation_id == organisation_id, Checklist.name == default.NAME
        )
    )
    if existing is not None:
        return existing
    checklist = Checklist(organisation_id=organisation_id, name=default.NAME)
    version = ChecklistVersion(
        organisation_id=organisation_id, checklist=checklist, number=1, published_at=utcnow()
    )
    _fill(version, default.DOMAINS)
    db.add_all([checklist, version])
    db.flush()
    record(
        db,
        "checklist_published",
        organisation_id=organisation_id,
        actor=actor,
        entity=checklist,
        summary=f"{checklist.name} v1 (default)",
    )
    return checklist


def publish(db: Session, draft: ChecklistVersion, actor) -> ChecklistVersion:
    """Make the draft the current version; the previous one is retired (kept for old visits)."""
    if not draft.is_draft:
        raise ChecklistError("This version is already published.")
    if not draft.items:
        raise ChecklistError("Add at least one item before publishing.")
    now = utcnow()
    previous = current_version(db, draft.checklist)
    if previous is not None:
        previous.retired_at = now
    draft.published_at = now
    draft.published_by_id = actor.id
    record(
        db,
        "checklist_published",
        organisation_id=draft.organisation_id,
        actor=actor,
        entity=draft.checklist,
        summary=f"{draft.checklist.name} v{draft.number}",
    )
    db.flush()
    return draft


def _renumber(rows) -> None:
    for position, row in enumerate(rows):
        row.position = position


def move(rows: list, row, step: int) -> None:
    """Move a domain or item up (-1) or down (+1) among its siblings.

    Works on a plain copy: swapping inside the ORM collection would orphan (and so delete) a row.
    """
    ordered = list(rows)
    index = ordered.index(row)
    target = index + step
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    _renumber(ordered)


def remove_item(draft: ChecklistVersion, item: ChecklistItem) -> None:
    """Retire an item: later versions leave it out; visits scored on it keep their answers."""
    domain = item.domain
    domain.items.remove(item)
    _renumber(domain.items)


def export(version: ChecklistVersion) -> dict:
    """The version as portable JSON (the import format)."""
    return {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_FORMAT_VERSION,
        "name": version.checklist.name,
        "version": version.number,
        "domains": [
            {
                "name": d.name,
                "items": [
                    {"text": i.text, "guidance": i.guidance, "critical": i.critical}
                    for i in d.items
                ],
            }
            for d in version.domains
        ],
    }


def parse_import(data) -> tuple[str | None, list, list[str]]:
    """Validate an exported checklist; returns (name, domains, errors) with errors by path."""
    errors: list[str] = []
    if not isinstance(data, dict):
        return None, [], ["The file must hold a JSON object."]
    if data.get("format") != EXPORT_FORMAT:
        errors.append(f'"format" must be "{EXPORT_FORMAT}".')
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 120:
        errors.append('"name" must be text of 1 to 120 characters.')
    domains_in = data.get("domains")
    domains = []
    if not isinstance(domains_in, list) or not domains_in:
        errors.append('"domains" must be a non-empty list.')
        domains_in = []
    for d_index, domain in enumerate(domains_in):
        where = f"domains[{d_index}]"
        if not isinstance(domain, dict):
            errors.append(f"{where} must be an object.")
            continue
        d_name = domain.get("name")
        if not isinstance(d_name, str) or not d_name.strip() or len(d_name) > 120:
            errors.append(f"{where}.name must be text of 1 to 120 characters.")
        items_in = domain.get("items")
        if not isinstance(items_in, list) or not items_in:
            errors.append(f"{where}.items must be a non-empty list.")
            continue
        items = []
        for i_index, item in enumerate(items_in):
            at = f"{where}.items[{i_index}]"
            if not isinstance(item, dict):
                errors.append(f"{at} must be an object.")
                continue
            text, guidance = item.get("text"), item.get("guidance", "")
            critical = item.get("critical", False)
            if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
                errors.append(f"{at}.text must be text of 1 to {MAX_TEXT} characters.")
            if not isinstance(guidance, str) or len(guidance) > MAX_GUIDANCE:
                errors.append(f"{at}.guidance must be text of at most {MAX_GUIDANCE} characters.")
            if not isinstance(critical, bool):
                errors.append(f"{at}.critical must be true or false.")
            items.append(
                (str(text).strip(), critical is True, guidance if isinstance(guidance, str) else "")
            )
        domains.append((str(d_name).strip(), items))
    return (name.strip() if isinstance(name, str) else None), domains, errors


def import_draft(
    db: Session, organisation_id: int, data, actor
) -> tuple[ChecklistVersion | None, list[str]]:
    """Load an exported checklist as the draft of the checklist with that name (created if new).

    Nothing is written when the file has any error. The admin reviews the draft and publishes it.
    """
    name, domains, errors = parse_import(data)
    if errors:
        return None, errors
    checklist = db.scalar(
        sa.select(Checklist).where(
            Checklist.organisation_id == organisation_id, Checklist.name == name
        )
    )
    if checklist is None:
        checklist = Checklist(organisation_id=organisation_id, name=name)
        db.add(checklist)
        db.flush()
    draft = draft_of(db, checklist)
    if draft is None:
        draft = ChecklistVersion(
            organisation_id=organisation_id,
            checklist_id=checklist.id,
            number=_next_number(db, checklist),
        )
        db.add(draft)
    draft.domains.clear()
    db.flush()
    _fill(draft, domains, current_version(db, checklist))
    db.flush()
    record(
        db,
        "checklist_imported",
        organisation_id=organisation_id,
        actor=actor,
        entity=checklist,
        summary=f"{name} v{draft.number} (draft)",
    )
    return draft, []
