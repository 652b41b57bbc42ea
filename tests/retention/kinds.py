"""Records of the kinds the purge tests of audits, self-assessments, conversations and
compliments need, made as careobs makes them (through the sync, as a device sends them) and then
moved back in time with :func:`backdate` — the sync itself refuses a copy already past its
period, which is what the late-copy tests check.

``sent(api, *documents)`` sends documents and checks each was created; ``stored(db, model,
document)`` is the row a document became.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa

from careobs.actions.models import Action
from careobs.audits.models import Audit, AuditLatest, CoAuditFollowUp
from careobs.capture.addenda import Addendum
from careobs.checkers.models import CheckerAssignment
from careobs.compliments import service as compliments
from careobs.compliments.models import Compliment
from careobs.sync.models import QuarantinedDocument
from tests.retention.records import action


def sent(api, *documents) -> None:
    """Send ``documents`` through the sync; each must be created."""
    results = api(*documents)
    assert [r["status"] for r in results] == ["created"] * len(documents), results


def stored(db, model, document):
    """The row ``document`` (a sync document) was stored as."""
    db.expire_all()
    return db.scalar(sa.select(model).where(model.uuid == uuid.UUID(document["id"])))


def backdate(db, model, document, column: str, when: datetime) -> int:
    """Move the record ``document`` became to ``when`` (``column``: the date its period counts
    from); an audit's latest-audit row moves with it. Returns the record's id."""
    row = stored(db, model, document)
    setattr(row, column, when)
    if model is Audit:
        db.execute(
            sa.update(AuditLatest).where(AuditLatest.audit_id == row.id).values(started_at=when)
        )
    db.commit()
    return row.id


def addendum(db, org, audit_id: int) -> Addendum:
    note = Addendum(
        organisation_id=org.org.id,
        record_kind="audit",
        audit_id=audit_id,
        author_id=org.manager.id,
        reason="A later check",
        text="The care plan was reviewed the next day.",
    )
    db.add(note)
    db.flush()
    return note


def quarantined(db, org, service, kind: str, document_id) -> QuarantinedDocument:
    """A conflicting copy of a document, kept for a manager to review."""
    copy = QuarantinedDocument(
        organisation_id=org.org.id,
        service_id=service.id,
        kind=kind,
        document_id=uuid.UUID(str(document_id)),
        author_id=org.supervisor.id,
        revision=2,
        reason="The document was already submitted with different content.",
        data={},
        content_hash="1" * 64,
    )
    db.add(copy)
    db.flush()
    return copy


def checker_assignment(db, org, audit: Audit) -> CheckerAssignment:
    """Sue Supervisor asked to co-audit ``audit``."""
    assignment = CheckerAssignment(
        organisation_id=org.org.id,
        service_id=audit.service_id,
        user_id=org.supervisor.id,
        kind="co_audit",
        audit_id=audit.id,
        created_by_id=org.manager.id,
    )
    db.add(assignment)
    db.flush()
    return assignment


def follow_up(db, org, co_audit: Audit, *, status="open", completed_at=None) -> Action:
    """A difference in ``co_audit`` followed up: its action (raised from the co-audit, as
    careobs.actions.service.from_co_audit raises it) and the follow-up row."""
    item = action(db, org, status=status, completed_at=completed_at, audit_id=co_audit.id)
    item.source = "audit"
    db.add(
        CoAuditFollowUp(
            audit_id=co_audit.id,
            item_key=uuid.uuid4(),
            action_id=item.id,
            created_by_id=org.manager.id,
        )
    )
    db.flush()
    return item


def compliment(
    app, db, org, received_on: date, *, service=None, kind="compliment", staff=(), action_id=None
) -> Compliment:
    """A compliment (naming ``staff``, each with feedback drafted from it) or a concern (with
    ``action_id``, the action raised for it), logged by Acme's admin."""
    service = service or org.homecare
    with app.app_context():
        section = next(s for s in compliments.sections(db, org.org.id) if s.key == "care")
        entry = compliments.record(
            db,
            db.merge(org.admin),
            entry_id=uuid.uuid4(),
            service=db.merge(service),
            kind=kind,
            section=section,
            received_on=received_on,
            source="family",
            text="Said at the door.",
            staff=[db.merge(m) for m in staff],
        )
        if action_id is not None:
            entry.response = "We talked it through."
            entry.action_id = action_id
        db.commit()
    return entry
