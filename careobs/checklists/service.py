"""Editing and publishing versioned checklists; functions flush, views commit (JSON: transfer.py).

A checklist has at most one draft. Publishing the draft makes it the current version and retires
the one before; published versions never change, so every visit keeps the version it was scored on.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.actions import cqc
from careobs.audit.service import record, record_about
from careobs.checklists import default
from careobs.checklists.models import (
    SUBJECT_TYPES,
    Checklist,
    ChecklistDomain,
    ChecklistItem,
    ChecklistVersion,
)
from careobs.checklists.settings import Difference, change_summary, differences
from careobs.db import lock_for_writing, utcnow
from careobs.org.models import Organisation


class ChecklistError(Exception):
    """An edit that cannot be made; the message is for the admin."""


def lock_checklists(db: Session, organisation_id: int) -> None:
    """Make changes that create checklists or versions in one organisation wait for each other,
    so each reads what the one before wrote (two imports of one file at once make one template
    and one draft, never a clash on the name or the version number).

    The organisation's write lock (:func:`careobs.db.lock_for_writing`).
    """
    lock_for_writing(db, Organisation.id, organisation_id)


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


def next_number(db: Session, checklist: Checklist) -> int:
    """The number the checklist's next version gets."""
    highest = db.scalar(
        sa.select(sa.func.max(ChecklistVersion.number)).where(
            ChecklistVersion.checklist_id == checklist.id
        )
    )
    return (highest or 0) + 1


def start_draft(db: Session, checklist: Checklist, actor) -> ChecklistVersion:
    """The draft, created as a copy of the current version when there is none.

    Copies keep each domain's and item's ``key`` and all their wording (standard, guidance,
    easy read), so reports can follow an item across versions. Two admins starting one at the
    same instant get the one draft: the second waits for the first and then finds it.
    """
    lock_checklists(db, checklist.organisation_id)
    draft = draft_of(db, checklist)
    if draft is not None:
        return draft
    source = current_version(db, checklist)
    draft = ChecklistVersion(
        organisation_id=checklist.organisation_id,
        checklist_id=checklist.id,
        number=next_number(db, checklist),
    )
    db.add(draft)
    if source is not None:
        # Through _Keys, so a version that came in with two rows sharing a key is not copied on.
        domain_keys = _Keys((d.key.hex, d.key) for d in source.domains)
        item_keys = _Keys((i.key.hex, i.key) for i in source.items)
        for domain in source.domains:
            copy = ChecklistDomain(
                key=domain_keys.take(domain.key.hex), position=domain.position, name=domain.name
            )
            copy.items = [
                ChecklistItem(
                    key=item_keys.take(i.key.hex),
                    position=i.position,
                    text=i.text,
                    guidance=i.guidance,
                    critical=i.critical,
                    easy_read_text=i.easy_read_text,
                )
                for i in domain.items
            ]
            draft.domains.append(copy)
    db.add(draft)
    db.flush()
    record_about(
        db,
        "checklist_draft_started",
        checklist,
        actor=actor,
        summary=f"{checklist.name} v{draft.number}",
    )
    return draft


class _Keys:
    """Hands out the keys of an earlier version by wording, each key at most once.

    Two rows with the same wording must never share a key: visits store one answer per item key,
    so a shared key would make a visit impossible to save.
    """

    def __init__(self, pairs) -> None:
        self._free: dict[str, list[uuid.UUID]] = {}
        for wording, key in pairs:
            self._free.setdefault(wording, []).append(key)
        self._given: set[uuid.UUID] = set()

    def take(self, wording: str) -> uuid.UUID:
        """The earlier key for this wording if one is still free, otherwise a new key."""
        for key in self._free.get(wording, []):
            if key not in self._given:
                self._given.add(key)
                return key
        key = uuid.uuid4()
        self._given.add(key)
        return key


def fill(
    version: ChecklistVersion,
    domains: list[tuple[str, list[tuple]]],
    previous: ChecklistVersion | None = None,
) -> None:
    """Build domains and items from ``(name, [(text, critical, guidance[, easy_read_text])])``;
    wording unchanged from ``previous`` keeps its key, so reports can follow an item through an
    export and re-import. An item without easy-read wording gets none ("")."""
    domain_keys = _Keys((d.name, d.key) for d in previous.domains) if previous else _Keys(())
    item_keys = _Keys((i.text, i.key) for i in previous.items) if previous else _Keys(())
    for d_pos, (name, items) in enumerate(domains):
        domain = ChecklistDomain(position=d_pos, name=name, key=domain_keys.take(name))
        domain.items = [
            ChecklistItem(
                position=i_pos,
                text=text,
                critical=critical,
                guidance=guidance,
                easy_read_text=easy_read[0] if easy_read else "",
                key=item_keys.take(text),
            )
            for i_pos, (text, critical, guidance, *easy_read) in enumerate(items)
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
    fill(version, default.DOMAINS)
    for domain in version.domains:
        for item in domain.items:
            item.key = default.item_key(item.text)
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


def _check_settings(settings: dict) -> dict:
    """An audit template's settings, refused when they cannot be right (forms check first)."""
    unknown = [code for code in settings["cqc_statements"] if code not in cqc.STATEMENTS]
    if unknown:
        raise ChecklistError(f"Unknown CQC quality statements: {', '.join(unknown)}.")
    if not 0 <= settings["amber_from"] <= settings["green_from"] <= 100:
        raise ChecklistError("Amber must start at or below green, both from 0 to 100.")
    return {**settings, "cqc_statements": list(dict.fromkeys(settings["cqc_statements"]))}


def create_audit_template(
    db: Session, organisation_id: int, actor, *, name: str, subject_type: str, **settings
) -> ChecklistVersion:
    """A new audit template with an empty draft version 1, for the admin to fill and publish.

    ``settings`` are careobs.checklists.settings.AUDIT_SETTINGS; the name must be free among
    the organisation's checklists. The audit log names every setting it starts with.
    """
    if subject_type not in SUBJECT_TYPES:
        raise ChecklistError("Choose what each audit is about.")
    lock_checklists(db, organisation_id)  # the same name sent twice at once: one template
    taken = db.scalar(
        sa.select(Checklist.id).where(
            Checklist.organisation_id == organisation_id, Checklist.name == name
        )
    )
    if taken is not None:
        raise ChecklistError("There is already a checklist or audit template with this name.")
    checklist = Checklist(
        organisation_id=organisation_id,
        name=name,
        purpose="audit",
        subject_type=subject_type,
        **_check_settings(settings),
    )
    draft = ChecklistVersion(organisation_id=organisation_id, checklist=checklist, number=1)
    db.add_all([checklist, draft])
    db.flush()
    record_about(
        db, "audit_template_created", checklist, actor=actor, summary=created_summary(checklist)
    )
    return draft


def created_summary(checklist: Checklist) -> str:
    """A new audit template's settings for the audit log."""
    statements = ", ".join(checklist.cqc_statements) or "none"
    return (
        f"{checklist.name} ({checklist.subject_type}): every {checklist.frequency_days} days, "
        f"green from {checklist.green_from}%, amber from {checklist.amber_from}%, "
        f"CQC statements {statements}"
    )


def update_audit_settings(db: Session, checklist: Checklist, actor, **settings) -> list[Difference]:
    """Change an audit template's description, frequency, statements and bands; returns what
    changed, which the audit log names (nothing changed: nothing written, nothing logged).

    They apply to audits written from now on; audits already stored keep the score and band
    they were given. What the template audits (its subject type) never changes.
    """
    if not checklist.is_audit:
        raise ChecklistError("Only an audit template has these settings.")
    changes = differences(checklist, _check_settings(settings))
    if not changes:
        return []
    for change in changes:
        setattr(checklist, change.field, change.proposed)
    db.flush()
    record_about(
        db,
        "audit_template_settings_changed",
        checklist,
        actor=actor,
        summary=change_summary(changes),
    )
    return changes


def publish(db: Session, draft: ChecklistVersion, actor) -> ChecklistVersion:
    """Make the draft the current version; the previous one is retired (kept for old visits)."""
    if not draft.is_draft:
        raise ChecklistError("This version is already published.")
    if not draft.items:
        raise ChecklistError("Add at least one item before publishing.")
    empty = [d.name for d in draft.domains if not d.items]
    if empty:
        raise ChecklistError(
            "Not published: these sections have no items; add an item or remove the section: "
            + ", ".join(f"“{name}”" for name in empty)
            + "."
        )
    repeated = repeated_wording(draft)
    if repeated:
        raise ChecklistError("Not published: " + " ".join(repeated))
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


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def repeated_wording(version: ChecklistVersion) -> list[str]:
    """Messages for section names or item texts used twice in the version (ignoring case)."""
    messages = []
    for label, rows in (
        ("section", [d.name for d in version.domains]),
        ("item", [i.text for i in version.items]),
    ):
        seen: set[str] = set()
        for wording in rows:
            folded = wording.strip().casefold()
            if folded in seen:
                messages.append(f"The {label} “{wording}” appears twice; each must be different.")
            seen.add(folded)
    return messages


def item_text_taken(version: ChecklistVersion, text: str, item: ChecklistItem | None = None):
    """Why this wording cannot be used for an item of the version, or None when it can."""
    if any(_same(other.text, text) for other in version.items if other is not item):
        return "Another item of this checklist already says this; each item must be different."
    return None


def section_name_taken(version: ChecklistVersion, name: str, domain=None) -> str | None:
    """Why this name cannot be used for a section of the version, or None when it can."""
    if any(_same(other.name, name) for other in version.domains if other is not domain):
        return "There is already a section with this name."
    return None


def rename_section(domain: ChecklistDomain, name: str) -> None:
    """A new name for a section of the draft; its key stays, so reports still follow it."""
    domain.name = name


def remove_section(draft: ChecklistVersion, domain: ChecklistDomain) -> None:
    """Take an empty section out of the draft.

    Only an empty section: its items must be retired one by one first, so nothing is retired
    by accident with a single click.
    """
    if domain.items:
        raise ChecklistError(
            f"“{domain.name}” still has {len(domain.items)} item"
            f"{'' if len(domain.items) == 1 else 's'}; retire them first, then remove the section."
        )
    draft.domains.remove(domain)
    _renumber(draft.domains)


def discard_draft(db: Session, draft: ChecklistVersion, actor) -> bool:
    """Delete the draft (no visit can use a draft). Returns True when the checklist went too,
    because the draft was all it had (an import under a new name that is not wanted)."""
    if not draft.is_draft:
        raise ChecklistError("This version is already published.")
    checklist = draft.checklist
    record(
        db,
        "checklist_draft_discarded",
        organisation_id=draft.organisation_id,
        actor=actor,
        entity=checklist,
        summary=f"{checklist.name} v{draft.number}",
    )
    db.delete(draft)
    db.flush()
    db.expire(checklist, ["versions"])
    if not checklist.versions:
        db.delete(checklist)
        db.flush()
        return True
    return False
