"""Writing monitoring visits received from devices: rows, the stored outcome and audit events."""

from __future__ import annotations

from sqlalchemy.orm import Session

from careobs.capture import records, storing
from careobs.capture.kinds import DocumentKind
from careobs.checklists.scoring import Answer
from careobs.org import settings as org_settings
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
    visit.privacy_flags = storing.privacy_flags(
        (
            clean.person_comment,
            clean.went_well,
            clean.to_develop,
            *(a.comment for a in clean.answers),
            *(a.description for a in clean.actions),
        )
    )
    result = scoring.outcome((Answer(a.rating, a.critical) for a in clean.answers), rules)
    records.store_score(visit, result, clean.answers)
    visit.outcome = result.wording
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
    storing.stamp(visit, clean.status)


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


def _summary(visit: MonitoringVisit, clean: CleanVisit) -> str:
    """The audit event's summary, e.g. "H01: 92.0% green"; a submission's subscribers send
    feedback to the worker, make actions to follow up and alert managers when a critical item
    was not met."""
    return f"{visit.person_code}: {records.score_text(visit)}"


def create(
    db: Session, user, document_id, revision: int, clean: CleanVisit, content_hash: str
) -> MonitoringVisit:
    """Store a new visit document."""
    return storing.create(KIND, db, user, document_id, revision, clean, content_hash)


def update(
    db: Session, user, visit: MonitoringVisit, revision: int, clean: CleanVisit, content_hash: str
) -> MonitoringVisit:
    """Replace a draft with a newer revision from its author."""
    return storing.update(KIND, db, user, visit, revision, clean, content_hash)


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
    author="supervisor_id",
    apply=_apply,
    children=(
        VisitAnswer.visit_id,
        VisitAction.visit_id,
        VisitDomainScore.visit_id,
        VisitMissedItem.visit_id,
    ),
    insert_children=_insert_children,
    written_with_core=("answers", "actions"),
    audit_prefix="visit",
    summary=_summary,
)
