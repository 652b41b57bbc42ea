"""An organisation's own sections of the service for its compliments and concerns log: add one,
rename one, stop or start offering one. Entries keep their section whatever happens to it, so a
section is never deleted, only no longer offered.

Every change takes the organisation's write lock first (:func:`careobs.db.lock_for_writing`), so
two admins at once each read what the other wrote: the last offered section stays offered, and
the same name added twice (a double click) makes one section.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.audit.service import record_about
from careobs.compliments.models import ComplimentSection
from careobs.db import lock_for_writing
from careobs.org.models import Organisation


class LastSection(Exception):
    """The log must keep at least one section to offer."""


class LabelTaken(Exception):
    """Another of the organisation's sections has that name (case aside): the message says so."""

    def __init__(self, section: ComplimentSection) -> None:
        super().__init__(f"There is already a section called “{section.label}”.")
        self.section = section


def _same_label(
    db: Session, organisation_id: int, label: str, other_than: int | None = None
) -> ComplimentSection | None:
    """The organisation's section with this label, ignoring case and outer spaces."""
    stmt = sa.select(ComplimentSection).where(
        ComplimentSection.organisation_id == organisation_id,
        sa.func.lower(ComplimentSection.label) == label.strip().lower(),
    )
    if other_than is not None:
        stmt = stmt.where(ComplimentSection.id != other_than)
    return db.scalars(stmt.order_by(ComplimentSection.id)).first()


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
    """A new section at the end of the list; :class:`LabelTaken` when the organisation
    already has one of that name (so a form sent twice at once adds it once)."""
    lock_for_writing(db, Organisation.id, organisation_id)
    taken = _same_label(db, organisation_id, label)
    if taken is not None:
        raise LabelTaken(taken)
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
    """A new label; the key, and every entry's section, stay as they are. :class:`LabelTaken`
    when another of the organisation's sections has it."""
    label = label.strip()
    lock_for_writing(db, Organisation.id, section.organisation_id)
    db.refresh(section)
    taken = _same_label(db, section.organisation_id, label, other_than=section.id)
    if taken is not None:
        raise LabelTaken(taken)
    if label != section.label:
        before, section.label = section.label, label
        record_about(
            db, "compliment_section_renamed", section, actor=actor, summary=f"{before} → {label}"
        )


def set_offered(db: Session, actor, section: ComplimentSection, offered: bool) -> None:
    """Offer the section on the form again, or stop offering it (one must stay offered)."""
    lock_for_writing(db, Organisation.id, section.organisation_id)
    db.refresh(section)  # as it is now the lock is held, not as it was read before
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
