"""Removing personal data from a record's text, everywhere careobs keeps those words.

One redaction replaces every occurrence of the words in one text of one record with
"[redacted]", and the same words in the records holding copies of that text (feedback drafted
from a visit, actions raised from it: ``RecordKind.family``) and in the quarantined copies of
their documents. Stored privacy flags are worked out again from what is left. The audit log
says who, which text (by its label), why (a reason code) and how many — never the words.

Late copies: the sync keeps a copy that conflicts with a stored record for review
(careobs.sync.service.quarantine); ``masked_copy`` gives it the stored, redacted text of every
text redacted, so a device that still holds the words cannot bring them back. The record keeps
its content hash, so the same copy sent again is still answered ``unchanged``.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.audit.service import record_about
from careobs.capture import storing
from careobs.capture.records import CapturedRecord
from careobs.db import take_turns
from careobs.redaction import text
from careobs.redaction.fields import KINDS, Place, kind_of, place, places
from careobs.sync.models import QuarantinedDocument
from careobs.wording import plural

# Why the words were removed: a fixed list, so the audit log never becomes a second copy of them.
REASONS = {
    "name": "A name (of a person supported or anyone else)",
    "contact": "Contact details: phone, email, address or postcode",
    "date_of_birth": "A date of birth",
    "identifier": "An NHS number or another identifying number",
    "health": "Health or other sensitive details not needed in this record",
    "request": "Removed at someone's request (erasure or rectification)",
    "other": "Other personal data",
}


class NotInText(ValueError):
    """The words are not in the chosen text (any more: they may have been redacted already)."""


class UnknownText(ValueError):
    """The record has no such text."""


@dataclass(frozen=True)
class Outcome:
    """What a redaction changed: occurrences in the chosen text, in linked records' texts, and
    the quarantined copies changed."""

    removed: int
    linked: int
    copies: int


def lock(db: Session, record) -> None:
    """Wait for any redaction in the record's organisation, and any sync writing the record or
    the records holding copies of its words, then read them afresh.

    Redactions in one organisation take turns (they are rare): two managers redacting the same
    text, or a record and its feedback at once, each read what the other wrote. The record's
    row lock is the one a sync takes before keeping a late copy, so a copy kept just before is
    seen (and redacted) here, and one kept just after is made from the redacted text.

    PostgreSQL: the turn is a transaction-level advisory lock (locking the organisation's row
    would hold up every insert naming the organisation), the rows are locked ``FOR NO KEY
    UPDATE`` (rows naming them may still be added: an addendum waits for nothing). SQLite has
    one writer at a time: the transaction takes the write lock now.
    """
    take_turns(db, f"redaction:{record.organisation_id}")
    if db.connection().dialect.name == "postgresql":
        for row in (record, *kind_of(record).family(db, record)):
            model = type(row)
            db.execute(
                sa.select(model.id).where(model.id == row.id).with_for_update(key_share=True)
            )
    db.expire_all()


def redact(db: Session, actor, record, ref: str, *, span: str | None, reason: str) -> Outcome:
    """Replace ``span`` (None: all of it) in the text ``ref`` of ``record`` with "[redacted]",
    and in every copy careobs keeps; write the audit events (the caller commits).

    Call :func:`lock` first. Raises UnknownText, or NotInText when the words are not there.
    """
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    kind = kind_of(record)
    chosen = place(record, ref)
    if chosen is None:
        raise UnknownText(ref)
    original = chosen.text
    if span is None:
        span = original
        if not original.strip() or original == text.MARK:
            raise NotInText(ref)
    new, removed = text.redact(original, span)
    if not removed:
        raise NotInText(ref)
    setattr(chosen.holder, chosen.field.attr, new)

    family = kind.family(db, record)
    linked = sum(_redact_linked(db, actor, member, record, span, reason) for member in family)
    copies = _redact_quarantined(db, [record, *family], span)
    for changed in (record, *family):
        if isinstance(changed, CapturedRecord):
            changed.privacy_flags = storing.privacy_flags(
                p.text for p in places(changed) if p.field.flagged
            )
    extra = f"; {plural(copies, 'quarantined copy', 'quarantined copies')}" if copies else ""
    record_about(
        db,
        "text_redacted",
        record,
        actor=actor,
        summary=f"{chosen.label} — reason: {reason}; {removed} removed{extra}",
    )
    db.flush()
    return Outcome(removed, linked, copies)


def _redact_linked(db: Session, actor, member, origin, span: str, reason: str) -> int:
    """Redact ``span`` in every text of a record holding copies of ``origin``'s words; one
    audit event on it when anything changed."""
    changed: list[Place] = []
    total = 0
    for p in places(member):
        new, found = text.redact(p.text, span)
        if found:
            setattr(p.holder, p.field.attr, new)
            changed.append(p)
            total += found
    if changed:
        labels = ", ".join(dict.fromkeys(p.label for p in changed))
        record_about(
            db,
            "text_redacted",
            member,
            actor=actor,
            summary=(
                f"{labels} (with {kind_of(origin).label} {origin.uuid}) — reason: {reason};"
                f" {total} removed"
            ),
        )
    return total


def _redact_quarantined(db: Session, records, span: str) -> int:
    """Redact ``span`` in every string of the quarantined copies of the records' documents
    (each copy keeps its content hash, so the same copy sent again is still recognised)."""
    wanted = [
        (kind.document_kind, r.uuid)
        for r in records
        if (kind := kind_of(r)) is not None and kind.document_kind
    ]
    if not wanted:
        return 0
    found = db.scalars(
        sa.select(QuarantinedDocument)
        .where(
            sa.or_(
                *(
                    sa.and_(QuarantinedDocument.kind == k, QuarantinedDocument.document_id == d)
                    for k, d in wanted
                )
            )
        )
        .order_by(QuarantinedDocument.id)
        .with_for_update()
    )
    changed = 0
    for kept in found:
        data, count = text.redact_json(kept.data, span)
        if count:
            kept.data = data
            changed += 1
    return changed


def masked_copy(kind_name: str, stored, data):
    """A late copy of a stored document as it may be kept: every text of the stored record
    that was redacted is the stored, redacted text in the copy too (whatever the device sent
    there), so the quarantine never keeps words a manager removed. Unchanged when nothing in
    the record was redacted."""
    kind = next((k for k in KINDS.values() if k.document_kind == kind_name), None)
    if kind is None or not isinstance(stored, kind.model) or not isinstance(data, dict):
        return data
    masked = None
    for p in places(stored):
        if text.MARK in p.text and p.field.document:
            masked = masked if masked is not None else copy.deepcopy(data)
            _put(masked, p)
    return data if masked is None else masked


def _put(data: dict, p: Place) -> None:
    """Write a stored text into a document's data, where the registry says it sits."""
    path = p.field.document
    if len(path) < 3:
        *parents, key = path
        for parent in parents:
            data = data.get(parent)
            if not isinstance(data, dict):
                return
        if key in data:
            data[key] = p.text
        return
    items, match_key, key = path
    wanted = _same_id(p.field.match(p.holder))
    for item in data.get(items) or ():
        if isinstance(item, dict) and _same_id(item.get(match_key)) == wanted and key in item:
            item[key] = p.text


def _same_id(value) -> str:
    """An id as documents may write it (any UUID spelling), made comparable."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return str(value)
