"""Writing self-assessments received from devices (document kind ``self_assessment``), and
reading them back as CQC would rate them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from careobs.actions.models import Action
from careobs.capture import storing
from careobs.capture.kinds import DocumentKind
from careobs.selfassess import documents, export, ratings
from careobs.selfassess.documents import CleanSelfAssessment
from careobs.selfassess.models import TYPES, SelfAssessment, SelfAssessmentStatement

KIND_NAME = "self_assessment"  # the "kind" devices send; the app factory registers KIND below


def _apply(db: Session, assessment: SelfAssessment, clean: CleanSelfAssessment) -> None:
    """Copy the document's fields onto the record."""
    assessment.service_id = clean.service.id
    assessment.type = clean.type
    assessment.assessed_at = clean.assessed_at
    assessment.interview_notes = clean.interview_notes
    assessment.status = clean.status
    assessment.privacy_flags = storing.privacy_flags(
        (clean.interview_notes, *(s.rationale for s in clean.statements))
    )
    storing.stamp(assessment, clean.status)


def _insert_children(db: Session, assessment_id: int, clean: CleanSelfAssessment) -> None:
    if clean.statements:
        db.connection().execute(
            SelfAssessmentStatement.__table__.insert(),
            [
                {
                    "self_assessment_id": assessment_id,
                    "position": position,
                    "code": s.code,
                    "score": s.score,
                    "rationale": s.rationale,
                    "evidence": s.evidence,
                }
                for position, s in enumerate(clean.statements)
            ],
        )


def _summary(assessment: SelfAssessment, clean: CleanSelfAssessment) -> str:
    """The audit event's summary: "Self-assessment of Rosewood House: 34 of 34 statements
    scored, 3 gaps"."""
    scores = clean.scores
    scored = sum(v is not None for v in scores.values())
    gaps = len(ratings.gaps(scores))
    return (
        f"{TYPES[clean.type]} of {clean.service.name}: {scored} of {len(ratings.KEY_OF)}"
        f" statements scored, {gaps} gap{'' if gaps == 1 else 's'}"
    )


def create(db: Session, user, document_id, revision: int, clean, content_hash: str):
    """Store a new self-assessment document."""
    return storing.create(KIND, db, user, document_id, revision, clean, content_hash)


def update(db: Session, user, assessment, revision: int, clean, content_hash: str):
    """Replace a draft with a newer revision from its author."""
    return storing.update(KIND, db, user, assessment, revision, clean, content_hash)


KIND = DocumentKind(
    name=KIND_NAME,
    model=SelfAssessment,
    # Looked up when called, so a function replaced in its module (tests do) is the one run.
    validate=lambda data, rosters: documents.validate(data, rosters),
    create=lambda *args: create(*args),
    update=lambda *args: update(*args),
    export_tables=export.TABLES,
    label="self-assessment",
    page=("self_assessments.detail", "assessment_id"),
    author="assessor_id",
    apply=_apply,
    children=(SelfAssessmentStatement.self_assessment_id,),
    insert_children=_insert_children,
    written_with_core=("statements",),
    audit_prefix="self_assessment",
    summary=_summary,
)


def scores_of(assessment: SelfAssessment) -> dict[str, int | None]:
    """Statement code → score (None: noted but not assessed) of a stored assessment."""
    return {s.code: s.score for s in assessment.statements}


def previous_of(
    db: Session, assessment: SelfAssessment, among: sa.Select | None = None
) -> SelfAssessment | None:
    """The service's submitted assessment (either type) before this one, by when it was
    carried out: what "what changed" compares against. ``among``: only those of this query (a
    reader's ``visible_self_assessments``, so a page never shows scores its reader may not
    read)."""
    candidates = among if among is not None else sa.select(SelfAssessment)
    return db.scalar(
        candidates.where(
            SelfAssessment.service_id == assessment.service_id,
            SelfAssessment.status == "submitted",
            SelfAssessment.id != assessment.id,
            sa.or_(
                SelfAssessment.assessed_at < assessment.assessed_at,
                sa.and_(
                    SelfAssessment.assessed_at == assessment.assessed_at,
                    SelfAssessment.id < assessment.id,
                ),
            ),
        )
        .order_by(SelfAssessment.assessed_at.desc(), SelfAssessment.id.desc())
        .limit(1)
    )


def latest_submitted(db: Session, service_id: int, until=None) -> SelfAssessment | None:
    """The service's most recent submitted assessment (carried out by ``until``, if given)."""
    stmt = sa.select(SelfAssessment).where(
        SelfAssessment.service_id == service_id, SelfAssessment.status == "submitted"
    )
    if until is not None:
        stmt = stmt.where(SelfAssessment.assessed_at <= until)
    return db.scalar(
        stmt.order_by(SelfAssessment.assessed_at.desc(), SelfAssessment.id.desc()).limit(1)
    )


def gap_actions(db: Session, assessment: SelfAssessment) -> dict[str, Action | None]:
    """Each gap (a statement scored 1 or 2) of the assessment, in CQC's order, with its live
    action (owners loaded), or None while it still lacks one: a cancelled action no longer
    answers a gap."""
    gap_rows = {s.id: s.code for s in assessment.statements if s.score in ratings.GAP_SCORES}
    raised = {
        a.self_assessment_statement_id: a
        for a in db.scalars(
            sa.select(Action)
            .where(
                Action.self_assessment_statement_id.in_(list(gap_rows)),
                Action.status != "cancelled",
            )
            .options(selectinload(Action.owner_user), selectinload(Action.owner_staff))
        )
    }
    by_code = {code: raised.get(row_id) for row_id, code in gap_rows.items()}
    return {code: by_code[code] for code in ratings.KEY_OF if code in by_code}


def open_gaps(db: Session, assessments: sa.Select) -> list[tuple[SelfAssessment, int]]:
    """For each service, its latest submitted assessment among ``assessments`` (a
    careobs.permissions ``visible_self_assessments`` query) when it still has gaps without a
    live action, with how many: the manager's task on the home page, by service name. Two
    queries, whatever the history or the number of services."""
    submitted = assessments.where(SelfAssessment.status == "submitted").subquery()
    ranked = sa.select(
        submitted.c.id,
        sa.func.row_number()
        .over(
            partition_by=submitted.c.service_id,
            order_by=(submitted.c.assessed_at.desc(), submitted.c.id.desc()),
        )
        .label("rank"),
    ).subquery()
    latest = sa.select(ranked.c.id).where(ranked.c.rank == 1)
    live = sa.select(Action.id).where(
        Action.self_assessment_statement_id == SelfAssessmentStatement.id,
        Action.status != "cancelled",
    )
    lacking = dict(
        db.execute(
            sa.select(SelfAssessmentStatement.self_assessment_id, sa.func.count())
            .where(
                SelfAssessmentStatement.self_assessment_id.in_(latest),
                SelfAssessmentStatement.score.in_(ratings.GAP_SCORES),
                ~live.exists(),
            )
            .group_by(SelfAssessmentStatement.self_assessment_id)
        ).all()
    )
    if not lacking:
        return []
    found = db.scalars(
        sa.select(SelfAssessment)
        .where(SelfAssessment.id.in_(list(lacking)))
        .options(selectinload(SelfAssessment.service))
    )
    pairs = [(assessment, lacking[assessment.id]) for assessment in found]
    return sorted(pairs, key=lambda pair: pair[0].service.name)
