"""Writing monitoring visits received from devices: rows, the stored outcome and audit events."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.capture import records
from careobs.capture.kinds import DocumentKind
from careobs.checklists.scoring import Answer
from careobs.db import utcnow
from careobs.org import settings as org_settings
from careobs.privacy import identifier_warnings
from careobs.visits import documents, export, rollups, scoring
from careobs.visits.documents import CleanVisit
from careobs.visits.models import (
    MonitoringVisit,
    VisitAction,
    VisitAnswer,
    VisitDomainScore,
    VisitMissedItem,
)

KIND_NAME = "spot_check"  # the "kind" devices send; the app factory registers KIND below


def _apply(db: Session, visit: MonitoringVisit, clean: CleanVisit) -> None:
    """Copy the document's fields and work out the outcome with the organisation's rules."""
    settings = org_settings.settings_for(db, visit.organisation_id)
    rules = org_settings.rules(settings)
    visit.service_id = clean.roster.service.id
    visit.staff_id = clean.staff_id
    visit.person_code = clean.person_code
    visit.visit_type = clean.visit_type
    visit.consent = clean.consent
    visit.checklist_version_id = clean.version.id
    visit.planned_at = clean.planned_at
    visit.planned_minutes = clean.planned_minutes
    visit.arrived_at = clean.arrived_at
    visit.left_at = clean.left_at
    visit.satisfaction = clean.satisfaction
    visit.person_comment = clean.person_comment
    visit.went_well = clean.went_well
    visit.to_develop = clean.to_develop
    visit.status = clean.status
    texts = (
        clean.person_comment,
        clean.went_well,
        clean.to_develop,
        *(a.comment for a in clean.answers),
        *(a.description for a in clean.actions),
    )
    visit.privacy_flags = sorted({w for t in texts if t for w in identifier_warnings(t)})
    result = scoring.outcome((Answer(a.rating, a.critical) for a in clean.answers), rules)
    visit.score, visit.band, visit.outcome = result.score, result.band, result.wording
    visit.points, visit.possible = result.points, result.possible
    visit.critical_failures = result.critical_failures
    ratings = [a.rating for a in clean.answers]
    visit.n_met, visit.n_partly = ratings.count("met"), ratings.count("partly")
    visit.n_not_met, visit.n_na = ratings.count("not_met"), ratings.count("na")
    visit.minutes_late = scoring.minutes_late(clean.planned_at, clean.arrived_at)
    visit.late = scoring.is_late(
        clean.planned_at, clean.arrived_at, settings.lateness_tolerance_minutes
    )
    visit.shortfall_minutes = scoring.shortfall_minutes(
        clean.planned_minutes, clean.arrived_at, clean.left_at
    )
    zone = org_settings.time_zone(db, visit.organisation_id)
    visit_day = (clean.arrived_at or clean.planned_at).astimezone(zone).date()
    # A visit that scored nothing (every item N/A) checked nothing: it sets no next check.
    visit.next_check_on = (
        None if result.score is None else scoring.next_check_due(visit_day, result.band, rules)
    )
    visit.updated_at = utcnow()
    if clean.status == "submitted" and visit.submitted_at is None:
        visit.submitted_at = visit.updated_at


COUNTS = ("n_met", "n_partly", "n_not_met", "n_na")


def report_rows(visit_id: int, clean: CleanVisit) -> tuple[list[dict], list[dict]]:
    """The rows the dashboards read for a submitted visit: its ratings counted per domain,
    and the items it missed (Not met or Partly met)."""
    copied = {
        "visit_id": visit_id,
        "service_id": clean.roster.service.id,
        "planned_at": clean.planned_at,
        "visit_type": clean.visit_type,
    }
    domains: dict = {}
    missed = []
    for answer in clean.answers:
        row = domains.setdefault(
            answer.domain_key,
            {**copied, "domain_key": answer.domain_key, **dict.fromkeys(COUNTS, 0)},
        )
        row[f"n_{answer.rating}"] += 1
        if answer.rating in ("partly", "not_met"):
            missed.append({**copied, "item_key": answer.item_key, "rating": answer.rating})
    return list(domains.values()), missed


def _insert_children(db: Session, visit_id: int, clean: CleanVisit) -> None:
    records.insert_ratings_and_actions(db, "visit_id", visit_id, clean, VisitAnswer, VisitAction)
    if clean.status == "submitted" and clean.answers:
        domains, missed = report_rows(visit_id, clean)
        db.connection().execute(VisitDomainScore.__table__.insert(), domains)
        rollups.add(db, org_settings.time_zone(db, clean.roster.service.organisation_id), domains)
        if missed:
            db.connection().execute(VisitMissedItem.__table__.insert(), missed)


def _after_writing(
    db: Session, user, visit: MonitoringVisit, clean: CleanVisit, *, previous_status: str | None
) -> None:
    """Audit the write, e.g. "H01: 92.0% green", and announce a submission to the subscribers
    (feedback to the worker, actions to follow up, an alert to managers when a critical item
    was not met)."""
    db.expire(visit, ["answers", "actions"])  # their rows were written with Core
    score = "no score" if visit.score is None else f"{visit.score:.1f}% {visit.band}"
    records.after_writing(
        db,
        user,
        visit,
        clean,
        kind=KIND_NAME,
        audit_prefix="visit",
        summary=f"{visit.person_code}: {score}",
        previous_status=previous_status,
    )


def create(
    db: Session, user, document_id, revision: int, clean: CleanVisit, content_hash: str
) -> MonitoringVisit:
    """Store a new visit document."""
    visit = MonitoringVisit(
        uuid=document_id,
        organisation_id=user.organisation_id,
        supervisor_id=user.id,
        revision=revision,
        content_hash=content_hash,
    )
    _apply(db, visit, clean)
    db.add(visit)
    db.flush()
    _insert_children(db, visit.id, clean)
    _after_writing(db, user, visit, clean, previous_status=None)
    return visit


def update(
    db: Session, user, visit: MonitoringVisit, revision: int, clean: CleanVisit, content_hash: str
) -> MonitoringVisit:
    """Replace a draft with a newer revision from its author."""
    previous_status = visit.status
    db.execute(sa.delete(VisitAnswer).where(VisitAnswer.visit_id == visit.id))
    db.execute(sa.delete(VisitAction).where(VisitAction.visit_id == visit.id))
    db.execute(sa.delete(VisitDomainScore).where(VisitDomainScore.visit_id == visit.id))
    db.execute(sa.delete(VisitMissedItem).where(VisitMissedItem.visit_id == visit.id))
    visit.revision = revision
    visit.content_hash = content_hash
    _apply(db, visit, clean)
    db.flush()
    _insert_children(db, visit.id, clean)
    _after_writing(db, user, visit, clean, previous_status=previous_status)
    return visit


KIND = DocumentKind(
    name=KIND_NAME,
    model=MonitoringVisit,
    # Looked up when called, so a function replaced in its module (tests do) is the one run.
    validate=lambda data, rosters: documents.validate(data, rosters),
    create=lambda *args: create(*args),
    update=lambda *args: update(*args),
    export_tables=export.TABLES,
    label="monitoring visit",
    page=("visits.detail", "visit_id"),
)
