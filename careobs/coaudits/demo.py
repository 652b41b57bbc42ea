"""A year of co-audits at Riverside Homecare for the demo: H02 audits their own care plan with
the manager every month, on the easy-read form, having agreed to take part.

Each month the manager completes the care plan audit of H02 (a staff audit, through the audit
service as if synced) and, the same afternoon, H02 answers the same questions; the co-audit is
compared with that month's staff audit. Early on they disagree on about six of the fourteen
items (around 60% agreement); as the care plan is reviewed with H02 the differences fall to one
or two (around 90%). Two differences were followed up with actions (one done, one open).

Deterministic: uuids from a fixed namespace, ratings from a seeded generator, dates from the
demo's today. Running it again adds only what is missing.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.actions import service as actions
from careobs.audits import scoring, starter
from careobs.audits import service as audit_service
from careobs.audits.documents import CleanAudit, Subject
from careobs.audits.models import Audit, AuditAnswer
from careobs.capture import records
from careobs.capture.answers import CleanAnswer
from careobs.checklists import service as checklists
from careobs.checklists.models import Checklist
from careobs.checklists.scoring import Answer
from careobs.coaudits.comparison import ItemComparison
from careobs.org.models import Person
from careobs.sync.roster import ServiceRoster

NAMESPACE = uuid.UUID("7c1e5a0b-2d4f-4b8e-9a63-0f5d2e8c1b97")
CODE = "H02"  # the person who co-audits their care plan (consent to visits on record)
MONTHS = 12
FIRST_DIFFERENCES, LAST_DIFFERENCES = 6, 1  # of 14 items: ~57% agreement rising to ~93%
FOLLOWED_UP = ((9, "done"), (11, "open"))  # (month, status): the first difference of each
OTHER = {"met": ("partly", "not_met"), "partly": ("met", "not_met"), "not_met": ("partly", "met")}


def _staff_ratings(rng: random.Random, items) -> list[str]:
    """The manager's answers: mostly Met, a Partly met or two on the items not critical."""
    ratings = ["met"] * len(items)
    plain = [i for i, item in enumerate(items) if not item.critical]
    for index in rng.sample(plain, rng.randint(0, 2)):
        ratings[index] = "partly"
    return ratings


def _co_ratings(rng: random.Random, staff: list[str], month: int) -> list[str]:
    """H02's answers: the staff audit's, with fewer differences each month, and a "Not sure"
    now and then (it is not compared)."""
    step = (FIRST_DIFFERENCES - LAST_DIFFERENCES) * month / (MONTHS - 1)
    differences = round(FIRST_DIFFERENCES - step)
    ratings = list(staff)
    chosen = rng.sample(range(len(staff)), differences + 1)
    for index in chosen[:differences]:
        ratings[index] = rng.choice(OTHER[staff[index]])
    if rng.random() < 0.5:
        ratings[chosen[-1]] = "na"
    return ratings


def _co_audit(db: Session, staff: Audit, person: Person, version, ratings, doc_id, started):
    """A submitted easy-read co-audit with ``person`` of ``staff``'s subject, scored as the
    sync scores an audit (never the subject's latest audit: it is no staff audit)."""
    audit = Audit(
        uuid=doc_id,
        organisation_id=staff.organisation_id,
        service_id=staff.service_id,
        status="submitted",
        revision=1,
        content_hash=doc_id.hex * 2,
        auditor_id=staff.auditor_id,
        checklist_version_id=version.id,
        subject_type="person",
        person_id=person.id,
        started_at=started,
        ended_at=started + timedelta(minutes=35),
        co_audit_with="person",
        co_audit_person_id=person.id,
        compare_with=staff.uuid,
        easy_read=True,
        consent_given=True,
    )
    audit.created_at = audit.updated_at = audit.submitted_at = audit.ended_at
    answers = [Answer(r, item.critical) for item, r in zip(version.items, ratings, strict=True)]
    template = version.checklist
    result = scoring.audit_outcome(answers, template.green_from, template.amber_from)
    records.store_score(audit, result, answers)
    audit.critical_fail = result.critical_failures > 0
    db.add(audit)
    db.flush()
    db.add_all(
        AuditAnswer(audit_id=audit.id, item_id=item.id, rating=r)
        for item, r in zip(version.items, ratings, strict=True)
    )
    return audit


def load(db: Session, riverside, manager, today: date) -> int:
    """Add the year of co-audits that is missing; returns how many co-audits were added."""
    rng = random.Random(1616)
    person = db.scalar(
        sa.select(Person).where(Person.service_id == riverside.id, Person.code == CODE)
    )
    template = db.scalar(
        sa.select(Checklist).where(
            Checklist.organisation_id == riverside.organisation_id,
            Checklist.name == starter.CARE_PLAN.name,
        )
    )
    if person is None or template is None:
        return 0
    version = checklists.current_version(db, template)
    items = version.items
    roster = ServiceRoster(service=riverside, may_capture=True)
    added = 0
    for month in range(MONTHS):
        day = today - timedelta(days=30 * (MONTHS - month) - 12)
        staff_id = uuid.uuid5(NAMESPACE, f"riverside-{CODE}-staff-{month}")
        co_id = uuid.uuid5(NAMESPACE, f"riverside-{CODE}-co-{month}")
        staff_ratings = _staff_ratings(rng, items)
        co_ratings = _co_ratings(rng, staff_ratings, month)
        started = datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)
        staff = db.scalar(sa.select(Audit).where(Audit.uuid == staff_id))
        if staff is None:
            clean = CleanAudit(
                roster=roster,
                version=version,
                subject=Subject("person", person_id=person.id, text=CODE),
                started_at=started,
                ended_at=started + timedelta(minutes=30),
                answers=[
                    CleanAnswer(item.id, r, "", item.critical, item.domain.key, item.key)
                    for item, r in zip(items, staff_ratings, strict=True)
                ],
                actions=[],
                went_well="",
                to_develop="",
                status="submitted",
            )
            staff = audit_service.create(db, manager, staff_id, 1, clean, staff_id.hex * 2)
            staff.created_at = staff.updated_at = staff.submitted_at = staff.ended_at
        if db.scalar(sa.select(Audit.id).where(Audit.uuid == co_id)) is not None:
            continue
        co = _co_audit(db, staff, person, version, co_ratings, co_id, started + timedelta(hours=4))
        added += 1
        for followed_month, status in FOLLOWED_UP:
            if month == followed_month:
                _follow_up(db, manager, co, items, staff_ratings, co_ratings, status)
    db.flush()
    return added


def _follow_up(db: Session, manager, co: Audit, items, staff_ratings, co_ratings, status):
    """The co-audit's first difference followed up as the manager would from its comparison,
    dated that day; ``status`` done: completed a fortnight later."""
    index = next(
        i
        for i, (ours, theirs) in enumerate(zip(staff_ratings, co_ratings, strict=True))
        if "na" not in (ours, theirs) and ours != theirs
    )
    item = items[index]
    difference = ItemComparison(
        item.key,
        str(item.uuid),
        item.text,
        item.easy_read_text,
        staff_ratings[index],
        co_ratings[index],
    )
    day = co.started_at.date()
    action, _raised = actions.from_co_audit(db, manager, co, difference, who=CODE, today=day)
    action.created_at = action.updated_at = co.ended_at
    if status == "done":
        actions.add_progress(
            db,
            manager,
            action,
            text=f"Went through this part of the care plan with {CODE}; it now says it their way.",
            status="done",
        )
        completed = co.ended_at + timedelta(days=14)
        action.completed_at = action.updated_at = completed
        for note in action.notes:
            note.created_at = completed
