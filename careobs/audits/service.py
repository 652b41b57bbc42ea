"""Writing audits received from devices: rows, the stored outcome and audit-log events."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.actions.models import Action
from careobs.audits import documents, export, scoring
from careobs.audits.documents import CleanAudit
from careobs.audits.models import Audit, AuditAction, AuditAnswer
from careobs.capture import records
from careobs.capture.kinds import DocumentKind
from careobs.db import utcnow
from careobs.privacy import identifier_warnings

KIND_NAME = "audit"  # the "kind" devices send; the app factory registers KIND below


def _apply(audit: Audit, clean: CleanAudit) -> None:
    """Copy the document's fields and score it with its template's bands."""
    template = clean.version.checklist
    audit.service_id = clean.roster.service.id
    audit.checklist_version_id = clean.version.id
    audit.subject_type = clean.subject.type
    audit.person_id = clean.subject.person_id
    audit.staff_id = clean.subject.staff_id
    audit.area_id = clean.subject.area_id
    audit.started_at = clean.started_at
    audit.ended_at = clean.ended_at
    audit.went_well = clean.went_well
    audit.to_develop = clean.to_develop
    audit.status = clean.status
    texts = (
        clean.went_well,
        clean.to_develop,
        *(a.comment for a in clean.answers),
        *(a.description for a in clean.actions),
    )
    audit.privacy_flags = sorted({w for t in texts if t for w in identifier_warnings(t)})
    result = scoring.audit_outcome(
        (scoring.Answer(a.rating, a.critical) for a in clean.answers),
        template.green_from,
        template.amber_from,
    )
    audit.score, audit.band = result.score, result.band
    audit.points, audit.possible = result.points, result.possible
    audit.critical_failures = result.critical_failures
    audit.critical_fail = result.critical_failures > 0
    ratings = [a.rating for a in clean.answers]
    audit.n_met, audit.n_partly = ratings.count("met"), ratings.count("partly")
    audit.n_not_met, audit.n_na = ratings.count("not_met"), ratings.count("na")
    audit.updated_at = utcnow()
    if clean.status == "submitted" and audit.submitted_at is None:
        audit.submitted_at = audit.updated_at


def _insert_children(db: Session, audit_id: int, clean: CleanAudit) -> None:
    if clean.answers:
        db.connection().execute(
            AuditAnswer.__table__.insert(),
            [
                {
                    "audit_id": audit_id,
                    "item_id": a.item_id,
                    "rating": a.rating,
                    "comment": a.comment,
                }
                for a in clean.answers
            ],
        )
    if clean.actions:
        db.connection().execute(
            AuditAction.__table__.insert(),
            [
                {
                    "audit_id": audit_id,
                    "uuid": a.uuid,
                    "position": position,
                    "description": a.description,
                    "owner_staff_id": a.owner_staff_id,
                    "owner_user_id": a.owner_user_id,
                    "due_on": a.due_on,
                }
                for position, a in enumerate(clean.actions)
            ],
        )


def _after_writing(
    db: Session, user, audit: Audit, clean: CleanAudit, *, previous_status: str | None
) -> None:
    """Log the write, e.g. "Care plan audit of R07: 92.0% green", and announce a submission to
    its subscribers (the proposed actions become actions)."""
    db.expire(audit, ["answers", "actions"])  # their rows were written with Core
    score = "no score" if audit.score is None else f"{audit.score:.1f}% {audit.band}"
    records.after_writing(
        db,
        user,
        audit,
        clean,
        kind=KIND_NAME,
        audit_prefix="audit",
        summary=f"{clean.version.checklist.name} of {clean.subject.text}: {score}",
        previous_status=previous_status,
    )


def create(
    db: Session, user, document_id, revision: int, clean: CleanAudit, content_hash: str
) -> Audit:
    """Store a new audit document."""
    audit = Audit(
        uuid=document_id,
        organisation_id=user.organisation_id,
        auditor_id=user.id,
        revision=revision,
        content_hash=content_hash,
    )
    _apply(audit, clean)
    db.add(audit)
    db.flush()
    _insert_children(db, audit.id, clean)
    _after_writing(db, user, audit, clean, previous_status=None)
    return audit


def update(
    db: Session, user, audit: Audit, revision: int, clean: CleanAudit, content_hash: str
) -> Audit:
    """Replace a draft with a newer revision from its author."""
    previous_status = audit.status
    db.execute(sa.delete(AuditAnswer).where(AuditAnswer.audit_id == audit.id))
    db.execute(sa.delete(AuditAction).where(AuditAction.audit_id == audit.id))
    audit.revision = revision
    audit.content_hash = content_hash
    _apply(audit, clean)
    db.flush()
    _insert_children(db, audit.id, clean)
    _after_writing(db, user, audit, clean, previous_status=previous_status)
    return audit


KIND = DocumentKind(
    name=KIND_NAME,
    model=Audit,
    # Looked up when called, so a function replaced in its module (tests do) is the one run.
    validate=lambda data, rosters: documents.validate(data, rosters),
    create=lambda *args: create(*args),
    update=lambda *args: update(*args),
    export_tables=export.TABLES,
    label="audit",
    page=("audits.detail", "audit_id"),
)


# ---- Reading (the audit's page) -----------------------------------------------------------------


def answers_by_item(audit: Audit) -> dict[int, AuditAnswer]:
    """The audit's answers keyed by checklist item id, for drawing the template in order."""
    return {answer.item_id: answer for answer in audit.answers}


def actions_raised(db: Session, audit: Audit, visible: sa.Select) -> dict[int, Action]:
    """The improvement action each proposed action became, by proposed action id, among the
    ``visible`` actions (careobs.permissions.visible_actions of the reader): a link is offered
    only to an action the reader may open."""
    ids = visible.with_only_columns(Action.id).where(Action.audit_id == audit.id)
    rows = db.scalars(sa.select(Action).where(Action.id.in_(ids)))
    return {action.audit_action_id: action for action in rows if action.audit_action_id}
