"""Exporting a checklist version as JSON and importing such a file as a draft, with clear errors.

The file names each section and item by its wording, so an import can give unchanged wording
back its key; that only works when no wording repeats, which the import therefore refuses.

An audit template's file also says ``"purpose": "audit"`` and its settings (subject type,
frequency, CQC statements, bands, description). A file without ``purpose`` (every file written
before audit templates existed) is a visit checklist, so old files import as they always did.
Importing into an existing template makes a draft and nothing else: the live template's settings
stay as they are until an admin changes them in its settings form.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.actions import cqc
from careobs.audit.service import record_about
from careobs.checklists.models import (
    AMBER_FROM,
    GREEN_FROM,
    PURPOSES,
    SUBJECT_TYPES,
    Checklist,
    ChecklistVersion,
)
from careobs.checklists.service import (
    created_summary,
    current_version,
    draft_of,
    fill,
    lock_checklists,
    next_number,
)
from careobs.checklists.settings import Difference, differences
from careobs.sync import payload
from careobs.wording import plural

EXPORT_FORMAT = "careobs-checklist"
EXPORT_FORMAT_VERSION = 1
SUPPORTED_FORMAT_VERSIONS = (1,)
MAX_NAME = 120
MAX_TEXT = 300
MAX_GUIDANCE = 2000
MAX_EASY_READ = 300
MAX_DESCRIPTION = 2000
MAX_FREQUENCY_DAYS = 366


def export(version: ChecklistVersion) -> dict:
    """The version as portable JSON (the import format)."""
    checklist = version.checklist
    purpose = {"purpose": checklist.purpose, "description": checklist.description}
    if checklist.is_audit:
        purpose |= {
            "subject_type": checklist.subject_type,
            "frequency_days": checklist.frequency_days,
            "cqc_statements": list(checklist.cqc_statements),
            "green_from": checklist.green_from,
            "amber_from": checklist.amber_from,
        }
    return {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_FORMAT_VERSION,
        "name": checklist.name,
        **purpose,
        "version": version.number,
        "domains": [
            {
                "name": d.name,
                "items": [
                    {
                        "text": i.text,
                        "guidance": i.guidance,
                        "critical": i.critical,
                        "easy_read_text": i.easy_read_text,
                    }
                    for i in d.items
                ],
            }
            for d in version.domains
        ],
    }


def _format_errors(data: dict) -> list[str]:
    errors = []
    if data.get("format") != EXPORT_FORMAT:
        errors.append(f'"format" must be "{EXPORT_FORMAT}".')
    format_version = data.get("format_version")
    # bool is an int in Python: true must not pass for 1.
    if type(format_version) is not int or format_version not in SUPPORTED_FORMAT_VERSIONS:
        supported = ", ".join(str(v) for v in SUPPORTED_FORMAT_VERSIONS)
        errors.append(
            f'"format_version" is {json_text(format_version)}; this careobs reads version '
            f"{supported} only. Export the checklist again from a careobs of the same release."
        )
    return errors


def json_text(value) -> str:
    """A value as it appears in the file, for messages (missing when absent)."""
    if value is None:
        return "missing"
    text = f'"{value}"' if isinstance(value, str) else str(value).lower()
    return text if len(text) <= 40 else f"{text[:40]}…"  # a hostile file's value stays short


def _repeats(where: str, label: str, wordings: list[tuple[str, str]]) -> list[str]:
    """Errors for wording used twice (ignoring case and spaces at the ends)."""
    first: dict[str, str] = {}
    errors = []
    for path, wording in wordings:
        folded = wording.strip().casefold()
        if not folded:
            continue
        if folded in first:
            errors.append(
                f"{path}: the {label} “{wording.strip()}” appears twice (also at "
                f"{first[folded]}); each {label} {where} must be different."
            )
        else:
            first[folded] = path
    return errors


def _item(at: str, item, errors: list[str]) -> tuple[str, bool, str, str] | None:
    """An item of the file as (text, critical, guidance, easy-read wording); a file written
    before easy-read wording existed has none, which is "" (co-audits then show the text)."""
    if not isinstance(item, dict):
        errors.append(f"{at} must be an object.")
        return None
    text, guidance = item.get("text"), item.get("guidance", "")
    critical = item.get("critical", False)
    easy_read = item.get("easy_read_text", "")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        errors.append(f"{at}.text must be text of 1 to {MAX_TEXT} characters.")
    if not isinstance(guidance, str) or len(guidance) > MAX_GUIDANCE:
        errors.append(f"{at}.guidance must be text of at most {MAX_GUIDANCE} characters.")
    if not isinstance(critical, bool):
        errors.append(f"{at}.critical must be true or false.")
    if not isinstance(easy_read, str) or len(easy_read) > MAX_EASY_READ:
        errors.append(f"{at}.easy_read_text must be text of at most {MAX_EASY_READ} characters.")
    return (
        str(text).strip(),
        critical is True,
        guidance if isinstance(guidance, str) else "",
        easy_read.strip() if isinstance(easy_read, str) else "",
    )


def _whole(data: dict, name: str, low: int, high: int, default, errors: list[str]):
    value = data.get(name, default)
    if type(value) is not int or not low <= value <= high:  # bool is an int: refused
        errors.append(f'"{name}" must be a whole number from {low} to {high}.')
        return default
    return value


def parse_settings(data: dict) -> tuple[dict, list[str]]:
    """The checklist's purpose, description and (for an audit template) settings, with errors.

    Absent ``purpose`` means a visit checklist; a visit checklist's file carries no audit
    settings, and any it has are ignored.
    """
    errors: list[str] = []
    purpose = data.get("purpose", "visit")
    if not isinstance(purpose, str) or purpose not in PURPOSES:
        errors.append(f'"purpose" must be one of: {", ".join(PURPOSES)}.')
        purpose = "visit"
    description = data.get("description", "")
    if not isinstance(description, str) or len(description) > MAX_DESCRIPTION:
        errors.append(f'"description" must be text of at most {MAX_DESCRIPTION} characters.')
        description = ""
    settings = {"purpose": purpose, "description": description.strip()}
    if purpose == "visit":
        return settings, errors
    subject_type = data.get("subject_type")
    if not isinstance(subject_type, str) or subject_type not in SUBJECT_TYPES:
        errors.append(f'"subject_type" must be one of: {", ".join(SUBJECT_TYPES)}.')
    frequency = _whole(data, "frequency_days", 1, MAX_FREQUENCY_DAYS, None, errors)
    statements = data.get("cqc_statements", [])
    if not isinstance(statements, list) or not all(
        isinstance(code, str) and code in cqc.STATEMENTS for code in statements
    ):
        errors.append('"cqc_statements" must be a list of CQC quality statement codes, e.g. "S8".')
        statements = []
    green = _whole(data, "green_from", 0, 100, GREEN_FROM, errors)
    amber = _whole(data, "amber_from", 0, 100, AMBER_FROM, errors)
    if amber > green:
        errors.append('"amber_from" must be at most "green_from".')
    settings |= {
        "subject_type": subject_type,
        "frequency_days": frequency,
        "cqc_statements": list(dict.fromkeys(statements)),
        "green_from": green,
        "amber_from": amber,
    }
    return settings, errors


def parse_import(data) -> tuple[str | None, list, list[str]]:
    """Validate an exported checklist; returns (name, domains, errors) with errors by path."""
    if not isinstance(data, dict):
        return None, [], ["The file must hold a JSON object."]
    errors = _format_errors(data)
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        errors.append(f'"name" must be text of 1 to {MAX_NAME} characters.')
    domains_in = data.get("domains")
    domains = []
    if not isinstance(domains_in, list) or not domains_in:
        errors.append('"domains" must be a non-empty list.')
        domains_in = []
    section_names: list[tuple[str, str]] = []
    item_texts: list[tuple[str, str]] = []
    for d_index, domain in enumerate(domains_in):
        where = f"domains[{d_index}]"
        if not isinstance(domain, dict):
            errors.append(f"{where} must be an object.")
            continue
        d_name = domain.get("name")
        if not isinstance(d_name, str) or not d_name.strip() or len(d_name) > MAX_NAME:
            errors.append(f"{where}.name must be text of 1 to {MAX_NAME} characters.")
        else:
            section_names.append((f"{where}.name", d_name))
        items_in = domain.get("items")
        if not isinstance(items_in, list) or not items_in:
            errors.append(f"{where}.items must be a non-empty list.")
            continue
        items = []
        for i_index, item in enumerate(items_in):
            at = f"{where}.items[{i_index}]"
            parsed = _item(at, item, errors)
            if parsed is not None:
                items.append(parsed)
                item_texts.append((f"{at}.text", parsed[0]))
        domains.append((str(d_name).strip(), items))
    errors += _repeats("of a checklist", "section name", section_names)
    errors += _repeats("of a checklist", "item text", item_texts)
    return (name.strip() if isinstance(name, str) else None), domains, errors


@dataclass
class Imported:
    """What an import did: the draft it wrote, whether the checklist is new, and the file's
    settings that differ from those of the existing template, which the import left alone."""

    draft: ChecklistVersion
    created: bool
    kept: list[Difference]


def import_draft(
    db: Session, organisation_id: int, data, actor
) -> tuple[Imported | None, list[str]]:
    """Load an exported checklist as the draft of the checklist with that name (created if new).

    Nothing is written when the file has any error. The admin reviews the draft and publishes
    it. A draft never changes what is live: an existing checklist keeps its purpose and subject
    type (a file saying otherwise is refused) and its settings (frequency, statements, bands,
    description), which the file may only propose (``Imported.kept`` says which differ). A new
    checklist takes the file's settings, and the audit log names them.
    """
    unstorable = payload.problem(data)
    if unstorable is not None:
        path, message = unstorable
        return None, [f"{'The file' if path == 'data' else path}: {message}"]
    name, domains, errors = parse_import(data)
    settings, setting_errors = parse_settings(data) if isinstance(data, dict) else ({}, [])
    errors += setting_errors
    if errors:
        return None, errors
    lock_checklists(db, organisation_id)  # the same file imported twice at once: one draft
    checklist = db.scalar(
        sa.select(Checklist).where(
            Checklist.organisation_id == organisation_id, Checklist.name == name
        )
    )
    if checklist is not None and (
        checklist.purpose != settings["purpose"]
        or checklist.subject_type != settings.get("subject_type")
    ):
        kind = (
            f"an audit template of {checklist.subject_label.lower()}"
            if checklist.is_audit
            else "a monitoring visit checklist"
        )
        return None, [
            f"“{name}” already exists as {kind}; this file is a different kind. Rename it in "
            "the file to import it as a new one."
        ]
    created = checklist is None
    if created:
        checklist = Checklist(organisation_id=organisation_id, name=name, **settings)
        db.add(checklist)
        db.flush()
        if checklist.is_audit:
            summary = f"{created_summary(checklist)}; from an imported file"
            record_about(db, "audit_template_created", checklist, actor=actor, summary=summary)
    kept = [] if created else differences(checklist, settings)
    draft = draft_of(db, checklist)
    if draft is None:
        draft = ChecklistVersion(
            organisation_id=organisation_id,
            checklist_id=checklist.id,
            number=next_number(db, checklist),
        )
        db.add(draft)
    draft.domains.clear()
    db.flush()
    fill(draft, domains, current_version(db, checklist))
    db.flush()
    state = "draft"
    if created:
        state += " of a new checklist"
    elif kept:
        state += f"; {plural(len(kept), 'setting', 'settings')} of the file not applied"
    summary = f"{name} v{draft.number} ({state})"
    record_about(db, "checklist_imported", checklist, actor=actor, summary=summary)
    return Imported(draft, created, kept), []
