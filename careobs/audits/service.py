"""Writing audits received from devices: rows, the stored outcome and audit-log events."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from careobs.actions.models import Action
from careobs.audits import documents, export, scoring
from careobs.audits.documents import CleanAudit
from careobs.audits.models import Audit, AuditAction, AuditAnswer, AuditLatest
from careobs.capture import records, storing
from careobs.capture.kinds import DocumentKind
from careobs.checklists.models import ChecklistVersion
from careobs.checklists.scoring import Answer

KIND_NAME = "audit"  # the "kind" devices send; the app factory registers KIND below


def _apply(db: Session, audit: Audit, clean: CleanAudit) -> None:
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
    co_audit = clean.co_audit
    audit.co_audit_with = co_audit.with_ if co_audit else None
    audit.co_audit_person_id = co_audit.person_id if co_audit else None
    audit.compare_with = co_audit.compare_with if co_audit else None
    audit.consent_given = bool(co_audit and co_audit.with_ == "person" and co_audit.consent)
    audit.easy_read = clean.easy_read
    audit.privacy_flags = storing.privacy_flags(
        (
            clean.went_well,
            clean.to_develop,
            *(a.comment for a in clean.answers),
            *(a.description for a in clean.actions),
        )
    )
    result = scoring.audit_outcome(
        (Answer(a.rating, a.critical) for a in clean.answers),
        template.green_from,
        template.amber_from,
    )
    records.store_score(audit, result, clean.answers)
    audit.critical_fail = result.critical_failures > 0
    storing.stamp(audit, clean.status)


def _insert_children(db: Session, audit_id: int, clean: CleanAudit) -> None:
    records.insert_ratings_and_actions(db, "audit_id", audit_id, clean, AuditAnswer, AuditAction)


def _summary(audit: Audit, clean: CleanAudit) -> str:
    """The audit event's summary, e.g. "Care plan audit of R07: 92.0% green", or "Care plan
    audit of R07, co-audit with R07: …"; a submission's subscribers make its proposed actions
    actions."""
    what = f"{clean.version.checklist.name} of {clean.subject.text}"
    if clean.co_audit is not None:
        what = f"{what}, {clean.co_audit.text}"
    return f"{what}: {records.score_text(audit)}"


def create(
    db: Session, user, document_id, revision: int, clean: CleanAudit, content_hash: str
) -> Audit:
    """Store a new audit document."""
    audit = storing.create(KIND, db, user, document_id, revision, clean, content_hash)
    if audit.status == "submitted" and not audit.is_co_audit:
        keep_latest(db, audit, clean.version.checklist_id)
    return audit


def update(
    db: Session, user, audit: Audit, revision: int, clean: CleanAudit, content_hash: str
) -> Audit:
    """Replace a draft with a newer revision from its author."""
    audit = storing.update(KIND, db, user, audit, revision, clean, content_hash)
    if audit.status == "submitted" and not audit.is_co_audit:
        keep_latest(db, audit, clean.version.checklist_id)
    return audit


def keep_latest(db: Session, audit: Audit, checklist_id: int) -> None:
    """Make a submitted audit its subject's latest (careobs.audits.models.AuditLatest) unless a
    newer one is stored: started later, or at the same instant and stored later.

    One INSERT … ON CONFLICT DO UPDATE … WHERE: on PostgreSQL the conflicting row is locked and
    the condition read against its newest committed version, so two audits of one subject
    stored at once from two devices keep the newer whichever commits first; SQLite runs one
    writer at a time. A submitted audit never changes afterwards (the sync refuses it), so the
    row never has to go back to an older audit. A co-audit is never a subject's latest (the
    callers leave it out): due dates and dashboards count staff audits."""
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    table = AuditLatest.__table__
    stmt = dialect.insert(table).values(
        service_id=audit.service_id,
        checklist_id=checklist_id,
        subject_type=audit.subject_type,
        subject_id=audit.person_id or audit.staff_id or audit.area_id or 0,
        audit_id=audit.id,
        started_at=audit.started_at,
    )
    newer = sa.or_(
        stmt.excluded.started_at > table.c.started_at,
        sa.and_(
            stmt.excluded.started_at == table.c.started_at,
            stmt.excluded.audit_id > table.c.audit_id,
        ),
    )
    db.execute(
        stmt.on_conflict_do_update(
            index_elements=["service_id", "checklist_id", "subject_type", "subject_id"],
            set_={"audit_id": stmt.excluded.audit_id, "started_at": stmt.excluded.started_at},
            where=newer,
        )
    )


def rebuild_latest(db: Session, organisation_id: int) -> None:
    """Recompute the organisation's latest audits from its submitted audits (after a bulk load,
    such as the large demo's, which writes audits without :func:`create`)."""
    services = sa.select(Audit.service_id).where(Audit.organisation_id == organisation_id)
    db.execute(sa.delete(AuditLatest).where(AuditLatest.service_id.in_(services)))
    db.execute(
        AuditLatest.__table__.insert().from_select(
            LATEST_COLUMNS, ranked_latest(Audit.organisation_id == organisation_id)
        )
    )


LATEST_COLUMNS = [
    "service_id",
    "checklist_id",
    "subject_type",
    "subject_id",
    "audit_id",
    "started_at",
]


def ranked_latest(*where) -> sa.Select:
    """Each (service, template, subject)'s newest submitted staff audit among those matching
    ``where``, as AuditLatest's columns: the same ranking as :func:`keep_latest` (co-audits
    never count)."""
    subject_id = sa.func.coalesce(Audit.person_id, Audit.staff_id, Audit.area_id, 0)
    key = (Audit.service_id, ChecklistVersion.checklist_id, Audit.subject_type, subject_id)
    newest = sa.func.row_number().over(
        partition_by=key, order_by=(Audit.started_at.desc(), Audit.id.desc())
    )
    columns = [
        c.label(name)
        for c, name in zip((*key, Audit.id, Audit.started_at), LATEST_COLUMNS, strict=True)
    ]
    ranked = (
        sa.select(*columns, newest.label("newest"))
        .join(ChecklistVersion, ChecklistVersion.id == Audit.checklist_version_id)
        .where(Audit.status == "submitted", Audit.co_audit_with.is_(None), *where)
        .subquery()
    )
    return sa.select(*(ranked.c[name] for name in LATEST_COLUMNS)).where(ranked.c.newest == 1)


KIND = DocumentKind(
    name=KIND_NAME,
    model=Audit,
    # Looked up when called, so a function replaced in its module (tests do) is the one run.
    validate=lambda data, rosters: documents.validate(data, rosters),
    clash=lambda db, document_id, clean, _stored: documents.clash(db, document_id, clean),
    create=lambda *args: create(*args),
    update=lambda *args: update(*args),
    export_tables=export.TABLES,
    label="audit",
    page=("audits.detail", "audit_id"),
    author="auditor_id",
    apply=_apply,
    children=(AuditAnswer.audit_id, AuditAction.audit_id),
    insert_children=_insert_children,
    written_with_core=("answers", "actions"),
    audit_prefix="audit",
    summary=_summary,
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
