"""Removing personal data from a record's text, everywhere careobs keeps those words.

One redaction replaces every whole-word occurrence of the words in one text of one record with
"[redacted]", and the same words wherever careobs copied that record's words or the words it
was copied from: the texts holding copies (``RecordKind.copies``) in every record of its group
(careobs.redaction.links: the visit, QUIS session, audit, conversation, compliment or
self-assessment it came from, and the feedback and actions that came from that), and those
texts' places in the quarantined copies of the group's documents. Stored privacy flags are
worked out again from what is left. The audit log says who, which text (by its label), why
(a reason code) and how many — never the words. The words the manager entered also reach
what a quarantined copy holds at the chosen text's place when the stored text no longer does.

Late copies: the sync keeps a copy that conflicts with a stored record for review
(careobs.sync.service.quarantine); ``masked_copy`` gives it the stored, redacted text of every
text redacted, so a device that still holds the words cannot bring them back. The record keeps
its content hash, so the same copy sent again is still answered ``unchanged``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.audit.service import record_about
from careobs.capture import storing
from careobs.capture.records import CapturedRecord
from careobs.db import take_turns
from careobs.redaction import text
from careobs.redaction.fields import KINDS, Place, flagged_texts, kind_of, place, places
from careobs.redaction.links import group
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
    """The words are in none of the texts the redaction reaches, nor in a quarantined copy of
    them (any more: they may have been redacted already)."""


class UnknownText(ValueError):
    """The record has no such text."""


@dataclass(frozen=True)
class Outcome:
    """What a redaction changed: occurrences in the chosen text; occurrences in the other
    records of its group and how many records; occurrences in quarantined copies and how many
    copies."""

    removed: int
    linked: int = 0
    records: int = 0
    in_copies: int = 0
    copies: int = 0


def lock(db: Session, record) -> list:
    """Wait for any redaction in the record's organisation, and any sync writing the records
    of its group (careobs.redaction.links), then read them afresh; returns the group, for
    :func:`redact`.

    Redactions in one organisation take turns (they are rare): two managers redacting the same
    text, or a record and its feedback at once, each read what the other wrote. The group's
    row locks are the ones a sync takes before keeping a late copy, so a copy kept just before
    is seen (and redacted) here, and one kept just after is made from the redacted text.

    PostgreSQL: the turn is a transaction-level advisory lock (locking the organisation's row
    would hold up every insert naming the organisation), the rows are locked ``FOR NO KEY
    UPDATE`` (rows naming them may still be added: an addendum waits for nothing). SQLite has
    one writer at a time: the transaction takes the write lock now.
    """
    take_turns(db, f"redaction:{record.organisation_id}")
    members = group(db, record)
    if db.connection().dialect.name == "postgresql":
        for row in members:
            model = type(row)
            db.execute(
                sa.select(model.id).where(model.id == row.id).with_for_update(key_share=True)
            )
    db.expire_all()
    return members


def _slot(p: Place) -> tuple:
    """One stored text, whichever record's list of places names it."""
    return type(p.holder), p.holder.id, p.field.attr


def _key(record) -> tuple:
    return type(record), record.id


def targets(members: list, record, chosen: Place) -> list[tuple[object, Place]]:
    """Each text a redaction of ``chosen`` reaches, with the record it is in: the chosen text,
    then the texts holding copies (``RecordKind.copies``) of every other record of the group —
    not their other texts (a worker's reflection, an action's progress notes)."""
    found = {_slot(chosen): (record, chosen)}
    for member in members:
        if _key(member) == _key(record):
            continue
        copies = kind_of(member).copies
        for p in places(member):
            if p.field.key in copies:
                found.setdefault(_slot(p), (member, p))
    return list(found.values())


def redact(
    db: Session, actor, record, ref: str, *, span: str | None, reason: str, members: list
) -> Outcome:
    """Replace ``span`` (None: all of it) in the text ``ref`` of ``record`` with "[redacted]",
    and in every copy careobs keeps: the texts holding copies in the other records of its
    group, and the same texts in the quarantined copies of the group's documents (even where
    the stored text no longer holds the words). One audit event on each record changed, the
    chosen one always; the caller commits.

    ``members``: the record's group, as :func:`lock` (called first) returned it. Raises
    UnknownText, or NotInText when the words are nowhere.
    """
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    chosen = place(record, ref)
    if chosen is None:
        raise UnknownText(ref)
    if span is None:
        span = chosen.text
        if not span.strip() or span == text.MARK:
            raise NotInText(ref)
    members = list(members)
    if _key(record) not in {_key(m) for m in members}:
        members.append(record)
    reached = targets(members, record, chosen)
    hits: dict[tuple, list[tuple[Place, int]]] = {}
    for member, p in reached:
        new, count = text.redact(p.text, span)
        if count:
            setattr(p.holder, p.field.attr, new)
            hits.setdefault(_key(member), []).append((p, count))
    removed = sum(n for _, n in hits.pop(_key(record), []))
    linked = sum(n for found in hits.values() for _, n in found)
    in_copies, copies = _redact_quarantined(db, members, reached, span)
    if not (removed or linked or in_copies):
        raise NotInText(ref)

    by_key = {_key(m): m for m in members}
    for changed in (record, *(by_key[k] for k in hits)):
        if isinstance(changed, CapturedRecord):
            changed.privacy_flags = storing.privacy_flags(flagged_texts(changed))
    origin = f"with {kind_of(record).label} {record.uuid}"
    for key, found in hits.items():
        labels = ", ".join(dict.fromkeys(p.label for p, _ in found))
        record_about(
            db,
            "text_redacted",
            by_key[key],
            actor=actor,
            summary=f"{labels} ({origin}) — reason: {reason}; {sum(n for _, n in found)} removed",
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
    return Outcome(removed, linked, len(hits), in_copies, copies)


def _redact_quarantined(db: Session, members: list, reached, span: str) -> tuple[int, int]:
    """Redact ``span`` in the quarantined copies of the group's documents, only at the document
    paths of the texts reached (careobs.redaction.fields), never elsewhere in the copy (ids,
    ratings, codes stay); each copy keeps its content hash, so the same copy sent again is
    still recognised. Returns the occurrences replaced and the copies changed."""
    slots = {_slot(p) for _, p in reached}
    paths: dict[tuple, set] = {}
    for member in members:
        kind = kind_of(member)
        if not kind.document_kind:
            continue
        for p in places(member):
            if p.field.document and _slot(p) in slots:
                wanted = p.field.match(p.holder) if p.field.match else None
                paths.setdefault((kind.document_kind, member.uuid), set()).add(
                    (p.field.document, wanted)
                )
    if not paths:
        return 0, 0
    kept = db.scalars(
        sa.select(QuarantinedDocument)
        .where(
            sa.or_(
                *(
                    sa.and_(QuarantinedDocument.kind == k, QuarantinedDocument.document_id == d)
                    for k, d in paths
                )
            )
        )
        .order_by(QuarantinedDocument.id)
        .with_for_update()
    )
    occurrences = changed = 0
    for copy_kept in kept:
        data = copy.deepcopy(copy_kept.data)
        count = 0
        for path, wanted in paths[(copy_kept.kind, copy_kept.document_id)]:
            for container, key in text.slots(data, path, wanted):
                container[key], found = text.redact(container[key], span)
                count += found
        if count:
            copy_kept.data = data
            occurrences += count
            changed += 1
    return occurrences, changed


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
    wanted = p.field.match(p.holder) if p.field.match else None
    for container, key in text.slots(data, p.field.document, wanted):
        container[key] = p.text
