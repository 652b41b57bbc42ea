"""Co-audits in one line, written straight to the database (the co-audit document kind is
another piece of work): ``co_audit(db, staff_audit, by=user, ratings={2: "not_met"})`` is a
submitted co-audit with R01 on the staff audit's template version, every item Met unless
``ratings`` (by item index) or ``rating`` say otherwise.

It is scored as the sync scores an audit and is never anybody's latest audit, as a co-audit
must not be.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa

from careobs.audits import scoring
from careobs.audits.models import Audit, AuditAnswer
from careobs.capture import records
from careobs.checklists.models import ChecklistVersion
from careobs.checklists.scoring import Answer
from careobs.org.models import Person


def stored_audit(db, document_id) -> Audit:
    db.expire_all()
    return db.scalar(sa.select(Audit).where(Audit.uuid == uuid.UUID(str(document_id))))


def co_audit(
    db,
    staff_audit: Audit | None,
    *,
    by,
    ratings: dict[int, str] | None = None,
    rating: str = "met",
    with_: str = "person",
    code: str | None = "R01",
    compare_with: uuid.UUID | None = None,
    version: ChecklistVersion | None = None,
    service=None,
    started_at=None,
    status: str = "submitted",
    answered: int | None = None,
) -> Audit:
    """A co-audit of ``staff_audit`` (or, when it is None, of ``compare_with``, an audit that
    has not arrived: then ``version`` and ``service`` are needed). ``answered`` leaves the
    items after that index unanswered."""
    ratings = ratings or {}
    version = version or staff_audit.checklist_version
    service = service or staff_audit.service
    items = version.items[:answered] if answered is not None else version.items
    person = (
        db.scalar(sa.select(Person).where(Person.service_id == service.id, Person.code == code))
        if with_ == "person"
        else None
    )
    given = [(item, ratings.get(n, rating)) for n, item in enumerate(items)]
    started = started_at or (staff_audit.started_at + timedelta(hours=2))
    audit = Audit(
        uuid=uuid.uuid4(),
        organisation_id=service.organisation_id,
        service_id=service.id,
        status=status,
        revision=1,
        content_hash="0" * 64,
        auditor_id=by.id,
        checklist_version_id=version.id,
        subject_type=staff_audit.subject_type if staff_audit else "person",
        person_id=(staff_audit.person_id if staff_audit else (person.id if person else None)),
        staff_id=staff_audit.staff_id if staff_audit else None,
        area_id=staff_audit.area_id if staff_audit else None,
        started_at=started,
        ended_at=started + timedelta(minutes=30),
        co_audit_with=with_,
        co_audit_person_id=person.id if person else None,
        compare_with=compare_with or staff_audit.uuid,
        easy_read=True,
        consent_given=with_ == "person",
        submitted_at=started + timedelta(minutes=30) if status == "submitted" else None,
    )
    template = version.checklist
    result = scoring.audit_outcome(
        (Answer(r, item.critical) for item, r in given), template.green_from, template.amber_from
    )
    records.store_score(audit, result, [Answer(r, item.critical) for item, r in given])
    audit.critical_fail = result.critical_failures > 0
    db.add(audit)
    db.flush()
    db.add_all(AuditAnswer(audit_id=audit.id, item_id=item.id, rating=r) for item, r in given)
    db.commit()
    return audit
