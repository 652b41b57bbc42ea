"""An organisation's own sections of the service for its compliments and concerns log: add one,
rename one, stop or start offering one. Entries keep their section whatever happens to it, so a
section is never deleted, only no longer offered."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.audit.service import record_about
from careobs.compliments.models import ComplimentSection


class LastSection(Exception):
    """The log must keep at least one section to offer."""


def _key_for(db: Session, organisation_id: int, label: str) -> str:
    """A stable key from the label ("Laundry and linen" → "laundry_and_linen"), numbered when
    the organisation already has it."""
    base = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:28] or "section"
    taken = set(
        db.scalars(
            sa.select(ComplimentSection.key).where(
                ComplimentSection.organisation_id == organisation_id
            )
        )
    )
    key, number = base, 2
    while key in taken:
        key, number = f"{base}_{number}", number + 1
    return key


def add(db: Session, actor, organisation_id: int, label: str) -> ComplimentSection:
    """A new section at the end of the list."""
    last = db.scalar(
        sa.select(sa.func.max(ComplimentSection.position)).where(
            ComplimentSection.organisation_id == organisation_id
        )
    )
    section = ComplimentSection(
        organisation_id=organisation_id,
        key=_key_for(db, organisation_id, label),
        label=label.strip(),
        position=(last or 0) + 1,
        active=True,
    )
    db.add(section)
    db.flush()
    record_about(db, "compliment_section_added", section, actor=actor, summary=section.label)
    return section


def rename(db: Session, actor, section: ComplimentSection, label: str) -> None:
    """A new label; the key, and every entry's section, stay as they are."""
    label = label.strip()
    if label != section.label:
        before, section.label = section.label, label
        record_about(
            db, "compliment_section_renamed", section, actor=actor, summary=f"{before} → {label}"
        )


def set_offered(db: Session, actor, section: ComplimentSection, offered: bool) -> None:
    """Offer the section on the form again, or stop offering it (one must stay offered)."""
    if section.active == offered:
        return
    if not offered:
        others = db.scalar(
            sa.select(sa.func.count()).where(
                ComplimentSection.organisation_id == section.organisation_id,
                ComplimentSection.active.is_(True),
                ComplimentSection.id != section.id,
            )
        )
        if not others:
            raise LastSection
    section.active = offered
    record_about(
        db,
        "compliment_section_offered" if offered else "compliment_section_withdrawn",
        section,
        actor=actor,
        summary=section.label,
    )
