"""Audits in the large demo: the starter templates run in every service over the window, with
every answer row.

Each service audits on the templates' rhythms — every person's care plan monthly, three people's
medicines records each week, each area (care homes) monthly, the whole service monthly — thinned
evenly to about ``total`` audits. Each audit's stored outcome is computed from its answers with
:mod:`careobs.audits.scoring` under its template's bands, as :mod:`careobs.audits.service` does,
so the stored figures agree with the raw rows. Some items fail far more often than others, and a
service's trend (improving, worsening, steady) moves its results over the window.

Every service runs the four starter templates on a schedule from the first day of the window at
the templates' own frequencies (160 schedules over 40 services), so the "done on time" figures
have years of slots to count; in every third service the care plan audit was changed from every
30 days to every 28 at the middle of the window (a frequency history of two rows).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.audits import scoring, starter
from careobs.audits import service as audits_service
from careobs.audits.models import Audit, AuditAnswer
from careobs.audits.schedules import AuditSchedule, AuditScheduleFrequency
from careobs.checklists.models import Checklist, ChecklistVersion
from careobs.demo_large.organisation import Unit
from careobs.demo_large.patterns import Window, local_time, new_uuid, trend_factor
from careobs.org.models import Person

CHUNK = 2000  # audits per executemany and commit
MAR_PEOPLE_A_WEEK = 3
# (partly met, not met) chance of a plain item, and the chance of one critical item Not met.
PARTLY, NOT_MET, CRITICAL = 0.05, 0.02, 0.03


def _plans(rng: random.Random, units: list[Unit], window: Window, people: dict) -> list[tuple]:
    """Every audit the services' rhythms give: (day, unit, template name, subject)."""
    plans = []
    for unit in units:
        codes = people[unit.service.id]
        for month in range(window.days // 30):
            first = window.first_day + timedelta(days=30 * month)
            for n, person_id in enumerate(codes):
                day = first + timedelta(days=n % 28)
                plans.append((day, unit, starter.CARE_PLAN.name, ("person", person_id)))
            for n, area_id in enumerate(unit.areas.values()):
                day = first + timedelta(days=(5 + 3 * n) % 28)
                plans.append((day, unit, starter.INFECTION_CONTROL.name, ("area", area_id)))
            day = first + timedelta(days=26)
            plans.append((day, unit, starter.BEHAVIOUR_AND_INCIDENTS.name, ("service", None)))
        for week in range(window.days // 7):
            for n in range(min(MAR_PEOPLE_A_WEEK, len(codes))):
                person_id = codes[(week * MAR_PEOPLE_A_WEEK + n) % len(codes)]
                day = window.first_day + timedelta(days=7 * week + n)
                plans.append((day, unit, starter.MEDICINES_RECORDS.name, ("person", person_id)))
    return [p for p in plans if window.first_day <= p[0] < window.today]


def _versions(db: Session, org_id: int, admin, window: Window) -> dict[str, tuple]:
    """The starter templates, published before the window: name → (checklist, version, items)."""
    starter.create_starter_templates(db, org_id, actor=admin)
    found = {}
    for checklist in db.scalars(
        sa.select(Checklist).where(
            Checklist.organisation_id == org_id, Checklist.purpose == "audit"
        )
    ):
        version = db.scalar(
            sa.select(ChecklistVersion).where(ChecklistVersion.checklist_id == checklist.id)
        )
        version.published_at = local_time(window.first_day - timedelta(days=30), 9, 0)
        # How often each item fails relative to the others: a few fail far more often.
        weights = [1 + 2.5 * (i % 5 == 2) for i in range(len(version.items))]
        found[checklist.name] = (checklist, version, list(zip(version.items, weights, strict=True)))
    db.flush()
    return found


def generate(
    db: Session,
    rng: random.Random,
    org_id: int,
    units: list[Unit],
    admin,
    window: Window,
    total: int,
    echo: Callable[[str], None],
) -> tuple[int, int]:
    """Insert about ``total`` audits across ``units``; returns (audits, answers) written."""
    if not units or total <= 0:
        return 0, 0
    templates = _versions(db, org_id, admin, window)
    people = {
        unit.service.id: list(
            db.scalars(
                sa.select(Person.id).where(Person.service_id == unit.service.id).order_by(Person.id)
            )
        )
        for unit in units
    }
    plans = _plans(rng, units, window, people)
    keep = min(1.0, total / len(plans)) if plans else 0
    plans = [p for p in plans if rng.random() < keep]
    plans.sort(key=lambda p: (p[0], p[1].service.id, p[2]))
    audits = answers = 0
    for start in range(0, len(plans), CHUNK):
        rows, children = [], []
        for day, unit, name, (subject_type, subject_id) in plans[start : start + CHUNK]:
            checklist, version, items = templates[name]
            factor = trend_factor(unit.trend, (day - window.first_day).days / window.days)
            ratings = []
            for item, weight in items:
                roll = rng.random()
                if roll < NOT_MET * weight * factor and not item.critical:
                    ratings.append("not_met")
                elif roll < (NOT_MET + PARTLY) * weight * factor and not item.critical:
                    ratings.append("partly")
                elif not item.critical and roll > 0.97:
                    ratings.append("na")
                else:
                    ratings.append("met")
            if rng.random() < CRITICAL * factor:
                ratings[rng.choice([i for i, (it, _) in enumerate(items) if it.critical])] = (
                    "not_met"
                )
            result = scoring.audit_outcome(
                (scoring.Answer(r, it.critical) for r, (it, _) in zip(ratings, items, strict=True)),
                checklist.green_from,
                checklist.amber_from,
            )
            started = local_time(day, rng.choice((9, 10, 11, 14, 15)), rng.choice((0, 15, 30, 45)))
            ended = started + timedelta(minutes=rng.choice((20, 30, 40)))
            document = new_uuid(rng)
            rows.append(
                {
                    "uuid": document,
                    "organisation_id": org_id,
                    "service_id": unit.service.id,
                    "status": "submitted",
                    "revision": 1,
                    "content_hash": document.hex * 2,
                    "went_well": "",
                    "to_develop": "",
                    "privacy_flags": [],
                    "created_at": ended,
                    "updated_at": ended,
                    "submitted_at": ended,
                    "auditor_id": unit.observer_id,
                    "checklist_version_id": version.id,
                    "subject_type": subject_type,
                    "person_id": subject_id if subject_type == "person" else None,
                    "staff_id": None,
                    "area_id": subject_id if subject_type == "area" else None,
                    "started_at": started,
                    "ended_at": ended,
                    "score": result.score,
                    "band": result.band,
                    "points": result.points,
                    "possible": result.possible,
                    "critical_failures": result.critical_failures,
                    "critical_fail": result.critical_failures > 0,
                    "n_met": ratings.count("met"),
                    "n_partly": ratings.count("partly"),
                    "n_not_met": ratings.count("not_met"),
                    "n_na": ratings.count("na"),
                }
            )
            children.append([(it.id, r) for r, (it, _) in zip(ratings, items, strict=True)])
        db.connection().execute(Audit.__table__.insert(), rows)
        ids = dict(
            db.execute(
                sa.select(Audit.uuid, Audit.id).where(Audit.uuid.in_([r["uuid"] for r in rows]))
            ).all()
        )
        answer_rows = [
            {"audit_id": ids[row["uuid"]], "item_id": item_id, "rating": rating, "comment": ""}
            for row, rated in zip(rows, children, strict=True)
            for item_id, rating in rated
        ]
        db.connection().execute(AuditAnswer.__table__.insert(), answer_rows)
        db.commit()
        audits += len(rows)
        answers += len(answer_rows)
    # Written in bulk, not one by one through the sync: each subject's latest audit at once.
    audits_service.rebuild_latest(db, org_id)
    db.commit()
    schedules = _schedules(db, org_id, units, admin, window, templates)
    echo(f"  audits {audits:,} ({answers:,} answers), schedules {schedules}")
    return audits, answers


CARE_PLAN_CHANGED_TO = 28


def _schedules(db: Session, org_id: int, units: list[Unit], admin, window, templates) -> int:
    """Schedule every template in every service from the window's first day; returns how many."""
    middle = window.first_day + timedelta(days=window.days // 2)
    made = 0
    for n, unit in enumerate(units):
        for name, (checklist, _, _) in sorted(templates.items()):
            changed = name == starter.CARE_PLAN.name and n % 3 == 0
            frequency = checklist.frequency_days
            schedule = AuditSchedule(
                organisation_id=org_id,
                service_id=unit.service.id,
                checklist_id=checklist.id,
                frequency_days=CARE_PLAN_CHANGED_TO if changed else frequency,
                starts_on=window.first_day,
                created_by_id=admin.id,
            )
            db.add(schedule)
            db.flush()
            history = [(window.first_day, frequency)]
            if changed:
                history.append((middle, CARE_PLAN_CHANGED_TO))
            db.add_all(
                AuditScheduleFrequency(schedule_id=schedule.id, from_on=day, frequency_days=days)
                for day, days in history
            )
            made += 1
    db.commit()
    return made
