"""Two years of monitoring visits in the large demo's homecare branches, with every answer row.

Each visit's stored outcome is computed with :mod:`careobs.visits.scoring` as
:func:`careobs.visits.service._apply` does, and its dashboard rows come from
:func:`careobs.visits.service.report_rows` (their per-period sums from
:func:`careobs.visits.rollups.rebuild`), so stored figures agree with the answers.
Patterns: visits spread over 07:00–22:00, fewer at weekends, two branches always on weekday
mornings; about a third unannounced (rising), a few responsive; red results re-checked within a
month; some workers overdue, a few never visited, new starters checked in their first weeks.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.checklists.scoring import Answer
from careobs.demo_large.answers import Rater
from careobs.demo_large.organisation import VISITED_ROLES, Unit, Worker
from careobs.demo_large.patterns import Window, local_time, new_uuid, trend_factor
from careobs.org import settings as org_settings
from careobs.privacy import identifier_warnings
from careobs.sync.roster import ServiceRoster
from careobs.visits import rollups, scoring
from careobs.visits.documents import CleanVisit
from careobs.visits.models import (
    MonitoringVisit,
    VisitAction,
    VisitAnswer,
    VisitDomainScore,
    VisitMissedItem,
)
from careobs.visits.service import report_rows

# Homecare call times (local hour: weight), morning calls busiest.
HOURS = {
    7: 5,
    8: 9,
    9: 8,
    10: 5,
    11: 3,
    12: 6,
    13: 5,
    14: 2,
    15: 2,
    16: 4,
    17: 6,
    18: 5,
    19: 3,
    20: 3,
    21: 2,
}
WENT_WELL = (
    "Warm greeting, explained each step and offered choices throughout.",
    "Calm, unhurried care; the person said they look forward to these visits.",
    "Excellent hand hygiene and tidy record keeping.",
)
TO_DEVELOP = (
    "Check the medicines record before preparing anything.",
    "Leave a drink within reach before leaving.",
    "Log in and out on the app at the door, not in the car.",
    "Read the latest notes before starting care.",
)
PERSON_COMMENTS = (
    "Always kind and on time.",
    "Sometimes rushed in the mornings.",
    "Very happy with the care.",
    "Would like the same carers more often.",
)
CHUNK = 2000  # visits per executemany and commit


@dataclass
class Plan:
    """A scheduled visit before its details are drawn."""

    day: date
    branch: Unit
    worker: Worker
    visit_type: str
    quality: str
    hour: int
    minute: int


def _quality(rng: random.Random, risk: float) -> str:
    roll = rng.random()
    if roll < min(0.4, 0.045 * risk):
        return "red"
    return "amber" if roll < min(0.6, 0.2 * risk) else "green"


def _visit_day(rng: random.Random, day: date, branch: Unit) -> date:
    """Predictable branches visit Tuesday to Thursday; others see fewer weekend visits."""
    weekday = day.weekday()
    if branch.predictable:
        return day + timedelta(days=(1 - weekday) % 7 if weekday not in (1, 2, 3) else 0)
    if weekday == 5 and rng.random() < 0.6:
        return day + timedelta(days=rng.randint(2, 6))
    if weekday == 6 and rng.random() < 0.7:
        return day + timedelta(days=rng.randint(1, 5))
    return day


def _worker_plans(rng, branch: Unit, worker: Worker, window: Window, gap: float, skill, base):
    first = max(window.first_day, worker.start)
    last = window.today - timedelta(days=1)
    if worker.until is not None:
        last = min(last, worker.until)
    roll = rng.random()
    if roll < 0.05:  # stopped being checked: overdue now
        last = min(last, window.today - timedelta(days=rng.randint(95, 240)))
    factor = min(1.8, max(0.6, rng.lognormvariate(0, 0.3)))  # some are checked more often
    if worker.start >= window.first_day:  # new starter: checked in the first weeks
        day = worker.start + timedelta(days=rng.randint(5, 27) if rng.random() < 0.85 else 40)
    else:
        day = first + timedelta(days=rng.randint(0, max(1, int(gap * factor))))
    plans, previous = [], "green"
    while day <= last:
        day = _visit_day(rng, day, branch)
        if day > last:
            break
        progress = window.progress(day)
        if branch.predictable:
            visit_type = rng.choices(["announced", "unannounced", "responsive"], [93, 5, 2])[0]
            hour, minute = rng.choice((9, 9, 10)), rng.choice((0, 30))
        else:
            unannounced = 0.28 + 0.2 * progress
            roll = rng.random()
            visit_type = (
                "responsive"
                if roll < 0.03
                else "unannounced"
                if roll < 0.03 + unannounced
                else "announced"
            )
            hour = rng.choices(list(HOURS), list(HOURS.values()))[0]
            minute = rng.choice((0, 15, 30, 45))
        risk = base * trend_factor(branch.trend, progress) * skill
        risk *= 1.6 if (day - worker.start).days < 90 else 1.0
        risk *= 1.3 if visit_type == "unannounced" else 1.0
        risk *= 0.6 if previous == "red" else 1.0
        quality = _quality(rng, risk)
        plans.append(Plan(day, branch, worker, visit_type, quality, hour, minute))
        previous = quality
        step = gap * factor * rng.uniform(0.5, 1.5)
        if quality == "red":  # re-checked within the 28 days the settings ask for
            step = min(step, rng.randint(10, 28))
        day += timedelta(days=max(2, round(step)))
    return plans


def _schedule(seed: int, branches: list[Unit], window: Window, gap: float, protected: int):
    rng = random.Random(seed)
    plans = []
    for branch in branches:
        base = rng.uniform(0.7, 1.3)
        for worker in branch.staff:
            if worker.role not in VISITED_ROLES:
                continue
            skill = rng.lognormvariate(0, 0.35)
            never = rng.random() < 0.012 and worker.id != protected
            found = _worker_plans(rng, branch, worker, window, gap, skill, base)
            if not never:
                plans.extend(found)
    return plans


def schedule(rng: random.Random, branches: list[Unit], window: Window, total: int, protected: int):
    """Plans for ``total`` visits (fewer only when there is nobody to visit).

    The average gap between a worker's checks is tuned by dry runs of the seeded schedule until
    it gives slightly more than ``total``; the surplus is then dropped at random.
    """
    seed = rng.getrandbits(64)
    worker_days = sum(
        max(0, (window.today - max(window.first_day, w.start)).days)
        for b in branches
        for w in b.staff
        if w.role in VISITED_ROLES
    )
    gap = min(max(1.0, worker_days / max(total, 1)), 4.0 * window.days)
    plans = _schedule(seed, branches, window, gap, protected)
    for _ in range(8):
        if not plans or total <= len(plans) <= total * 1.02 or gap in (1.0, 4.0 * window.days):
            break
        gap *= len(plans) / total * (0.99 if len(plans) < total else 1.0)
        gap = min(max(1.0, gap), 4.0 * window.days)
        plans = _schedule(seed, branches, window, gap, protected)
    if len(plans) > total:
        plans = [plans[i] for i in sorted(rng.sample(range(len(plans)), total))]
    return plans


def _lateness(rng: random.Random, quality: str) -> float:
    """Minutes late: mostly within a few minutes either way, sometimes a quarter of an hour,
    and a tail of very late arrivals (more often at poor visits)."""
    roll = rng.random() * (0.85 if quality != "green" else 1.0)
    if roll < 0.7:
        return rng.gauss(1, 3)
    if roll < 0.92:
        return rng.uniform(3, 15)
    return min(150.0, 10 + rng.expovariate(1 / 18))


def _visit(rng, plan: Plan, ctx: dict) -> tuple[dict, CleanVisit]:
    """The visit row with its stored outcome, and the clean document its child rows come from."""
    branch = plan.branch
    planned_at = local_time(plan.day, plan.hour, plan.minute)
    planned_minutes = rng.choice((30, 30, 45, 45, 60, 60))
    arrived_at = planned_at + timedelta(seconds=round(_lateness(rng, plan.quality) * 60))
    roll = rng.random()
    short = 0 if roll < 0.78 else rng.randint(60, 300) if roll < 0.92 else rng.randint(300, 900)
    left_at = arrived_at + timedelta(seconds=planned_minutes * 60 - short)
    late = scoring.minutes_late(planned_at, arrived_at)
    shortfall = scoring.shortfall_minutes(planned_minutes, arrived_at, left_at)
    version, rater, _published_at = ctx["versions"][0]
    for candidate, candidate_rater, published_at in ctx["versions"]:
        if arrived_at >= published_at:
            version, rater = candidate, candidate_rater
    answers = rater.rate(rng, plan.quality, late, shortfall)
    code, consent = rng.choice(ctx["people"][branch.service.id])
    poor = plan.quality != "green"
    clean = CleanVisit(
        roster=ctx["rosters"][branch.service.id],
        staff_id=plan.worker.id,
        person_code=code,
        visit_type=plan.visit_type,
        consent="on_record" if consent == "yes" else "obtained_today",
        version=version,
        planned_at=planned_at,
        planned_minutes=planned_minutes,
        arrived_at=arrived_at,
        left_at=left_at,
        answers=answers,
        satisfaction=None
        if rng.random() < 0.1
        else rng.choice((3, 4, 4, 5) if poor else (4, 5, 5)),
        person_comment=rng.choice(PERSON_COMMENTS) if rng.random() < 0.2 else "",
        went_well=rng.choice(WENT_WELL),
        to_develop=rng.choice(TO_DEVELOP) if poor else "",
        actions=[],
        status="submitted",
    )
    # As careobs.visits.service._apply computes them when a device sends the visit.
    rules, tolerance = ctx["rules"], ctx["tolerance"]
    result = scoring.outcome((Answer(a.rating, a.critical) for a in answers), rules)
    ratings = [a.rating for a in answers]
    texts = (clean.person_comment, clean.went_well, clean.to_develop, *(a.comment for a in answers))
    submitted = left_at + timedelta(minutes=rng.randint(5, 90))
    doc_id = new_uuid(rng)
    row = {
        "uuid": doc_id,
        "organisation_id": ctx["org_id"],
        "service_id": branch.service.id,
        "supervisor_id": branch.observer_id,
        "staff_id": plan.worker.id,
        "person_code": code,
        "visit_type": plan.visit_type,
        "consent": clean.consent,
        "checklist_version_id": version.id,
        "planned_at": planned_at,
        "planned_minutes": planned_minutes,
        "arrived_at": arrived_at,
        "left_at": left_at,
        "satisfaction": clean.satisfaction,
        "person_comment": clean.person_comment,
        "went_well": clean.went_well,
        "to_develop": clean.to_develop,
        "status": "submitted",
        "revision": 1,
        "content_hash": doc_id.hex * 2,
        "privacy_flags": sorted({w for t in texts if t for w in identifier_warnings(t)}),
        "created_at": submitted,
        "updated_at": submitted,
        "submitted_at": submitted,
        "score": result.score,
        "band": result.band,
        "outcome": result.wording,
        "points": result.points,
        "possible": result.possible,
        "n_met": ratings.count("met"),
        "n_partly": ratings.count("partly"),
        "n_not_met": ratings.count("not_met"),
        "n_na": ratings.count("na"),
        "critical_failures": result.critical_failures,
        "minutes_late": late,
        "late": scoring.is_late(planned_at, arrived_at, tolerance),
        "shortfall_minutes": shortfall,
        "next_check_on": scoring.next_check_due(arrived_at.date(), result.band, rules),
    }
    return row, clean


def _children(visit_id: int, row: dict, clean: CleanVisit, rng, tables: dict) -> None:
    domains, missed = report_rows(visit_id, clean)
    tables["domains"].extend(domains)
    tables["missed"].extend(missed)
    tables["answers"].extend(
        {"visit_id": visit_id, "item_id": a.item_id, "rating": a.rating, "comment": a.comment}
        for a in clean.answers
    )
    if row["band"] in ("amber", "red"):
        tables["actions"].append(
            {
                "visit_id": visit_id,
                "uuid": new_uuid(rng),
                "position": 0,
                "description": clean.to_develop or TO_DEVELOP[0],
                "owner_staff_id": clean.staff_id,
                "owner_user_id": None,
                "due_on": clean.planned_at.date() + timedelta(days=14),
            }
        )


def generate(
    db: Session,
    rng: random.Random,
    org_id: int,
    branches: list[Unit],
    versions: list,
    window: Window,
    total: int,
    protected_worker: int,
    echo: Callable[[str], None],
) -> tuple[int, int]:
    """Insert about ``total`` visits; returns (visits, answers) written."""
    if not branches or total <= 0:
        return 0, 0
    settings = org_settings.settings_for(db, org_id)
    tolerance = settings.lateness_tolerance_minutes
    ctx = {
        "org_id": org_id,
        "rules": org_settings.rules(settings),
        "tolerance": tolerance,
        "versions": [(v, Rater(specs, tolerance), at) for v, specs, at in versions],
        "rosters": {
            b.service.id: ServiceRoster(service=b.service, may_capture=True) for b in branches
        },
        "people": {b.service.id: [p for p in b.people if p[1] != "no"] for b in branches},
    }
    plans = schedule(rng, branches, window, total, protected_worker)
    plans.sort(key=lambda p: (p.day, p.hour, p.minute, p.worker.id))
    visits = answers = 0
    report_every = max(CHUNK, len(plans) // 4 // CHUNK * CHUNK)
    for start in range(0, len(plans), CHUNK):
        made = [_visit(rng, plan, ctx) for plan in plans[start : start + CHUNK]]
        rows = [row for row, _clean in made]
        db.connection().execute(MonitoringVisit.__table__.insert(), rows)
        ids = dict(
            db.execute(
                sa.select(MonitoringVisit.uuid, MonitoringVisit.id).where(
                    MonitoringVisit.uuid.in_([r["uuid"] for r in rows])
                )
            ).all()
        )
        tables: dict[str, list] = {"domains": [], "missed": [], "answers": [], "actions": []}
        for row, clean in made:
            _children(ids[row["uuid"]], row, clean, rng, tables)
        for model, key in (
            (VisitDomainScore, "domains"),
            (VisitMissedItem, "missed"),
            (VisitAnswer, "answers"),
            (VisitAction, "actions"),
        ):
            if tables[key]:
                db.connection().execute(model.__table__.insert(), tables[key])
        db.commit()
        visits += len(rows)
        answers += len(tables["answers"])
        if visits % report_every == 0 or visits == len(plans):
            echo(f"  visits {visits:,}/{len(plans):,} ({answers:,} answers)")
    # The per-period sums are rebuilt once from the per-visit rows, as after any bulk load.
    rollups.rebuild(db, org_id, org_settings.time_zone(db, org_id))
    db.commit()
    return visits, answers
