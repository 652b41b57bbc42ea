"""Two years of QUIS sessions in the large demo's care homes, with every interaction row.

The stored per-session aggregates are computed with :mod:`careobs.quis.scoring` exactly as
:func:`careobs.quis.service._apply` does, so reports agree with naive SQL over the interactions.
Patterns: mealtimes and personal care are more negative than quiet time and activities; evenings
and weekends a little worse; a few homes improve over the two years and one gets worse.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.demo_large.organisation import Unit
from careobs.demo_large.patterns import Window, local_time, new_uuid, trend_factor, weekday_day
from careobs.privacy import identifier_warnings
from careobs.quis import scoring
from careobs.quis.models import QuisInteraction, QuisSession

CONTEXTS = {
    "mealtime": 30,
    "activity": 18,
    "quiet_time": 20,
    "personal_care": 10,
    "medication": 15,
    "other": 7,
}
# (local hour, weight) when each kind of session starts: mostly 08:00–20:00.
HOURS = {
    "mealtime": ((8, 2), (12, 5), (17, 4)),
    "activity": ((10, 3), (11, 2), (14, 4), (15, 3)),
    "quiet_time": ((13, 2), (15, 2), (16, 3), (19, 3)),
    "personal_care": ((7, 1), (8, 3), (9, 3), (19, 2)),
    "medication": ((8, 4), (12, 3), (17, 3), (20, 2)),
    "other": ((9, 1), (11, 1), (13, 1), (15, 1), (18, 1)),
}
NEGATIVE = {
    "mealtime": 0.12,
    "personal_care": 0.085,
    "medication": 0.07,
    "other": 0.06,
    "activity": 0.035,
    "quiet_time": 0.03,
}
NEUTRAL = {
    "mealtime": 0.13,
    "personal_care": 0.1,
    "medication": 0.15,
    "other": 0.14,
    "activity": 0.08,
    "quiet_time": 0.17,
}
SOCIAL = {
    "mealtime": 0.38,
    "personal_care": 0.3,
    "medication": 0.25,
    "other": 0.45,
    "activity": 0.7,
    "quiet_time": 0.62,
}
REASONS = {
    "mealtime": (
        "task_focused",
        "talked_over",
        "call_not_acknowledged",
        "stopped_without_explanation",
        "conversation_dismissed",
        "other",
    ),
    "default": (
        "call_not_acknowledged",
        "conversation_dismissed",
        "task_focused",
        "stopped_without_explanation",
        "talked_over",
        "other",
    ),
}
REASON_WEIGHTS = (35, 25, 15, 12, 8, 5)
DURATIONS = (30, 45, 60, 60, 60, 75, 90, 90, 120)
WEEKDAYS = (1, 1, 1, 1, 1, 0.7, 0.6)
NOTES = {
    "mealtime": "Lunch served promptly; some people waited for help with cutting food.",
    "activity": "Lively quiz in the lounge; staff knelt to talk at eye level.",
    "quiet_time": "Quiet afternoon; music chosen with the people in the room.",
    "personal_care": "Staff explained before helping; one call bell waited a while.",
    "medication": "Medication round calm and unhurried; explanations given each time.",
    "other": "Visitors arriving; staff greeted everyone by name.",
}
WENT_WELL = "Warm, unhurried conversation with several people."
TO_DEVELOP = "Offer choices at every course and explain before helping."
INTERACTION_NOTES = ("Sat at eye level", "Asked before moving the chair", "Talked over the table")
CHUNK = 1000  # sessions per executemany and commit


def _plans(rng: random.Random, homes: list[Unit], window: Window, total: int) -> list[tuple]:
    """(started_at, home, context, day, local hour) for every session, in time order."""
    sizes = [len(h.people) + rng.randint(0, 20) for h in homes]
    shares = [total * size // sum(sizes) for size in sizes]
    for index in range(total - sum(shares)):  # bigger homes are observed more often
        shares[index % len(shares)] += 1
    plans = []
    for home, share in zip(homes, shares, strict=True):
        for _ in range(share):
            day = weekday_day(rng, window, WEEKDAYS)
            context = rng.choices(list(CONTEXTS), list(CONTEXTS.values()))[0]
            hours, weights = zip(*HOURS[context], strict=True)
            hour = rng.choices(hours, weights)[0]
            started = local_time(day, hour, rng.choice((0, 10, 15, 30, 45)), rng.randrange(60))
            plans.append((started, home, context, day, hour))
    plans.sort(key=lambda p: (p[0], p[1].service.id))
    return plans


def _negative_chance(rng, home: Unit, base: float, context: str, hour, window, day) -> float:
    """Chance an interaction is negative: context, the home's trend, evenings and weekends
    worse, and a session-to-session spread (who is on shift, how busy it is)."""
    chance = NEGATIVE[context] * base * trend_factor(home.trend, window.progress(day))
    if hour >= 17 or hour < 8:
        chance *= 1.2
    if day.weekday() >= 5:
        chance *= 1.15
    return min(0.6, chance * rng.lognormvariate(0, 0.35))


def _interactions(rng, plan, people, shift, chance, minutes, per_session) -> list[dict]:
    """Interaction rows, about ``per_session`` for an average session (more when it is longer
    or more people are observed); negatives mostly staff-initiated and one-way, with a reason."""
    started, _home, context, _day, _hour = plan
    mean = per_session * minutes / 70 * (len(people) / 4) ** 0.5
    count = max(3, round(rng.gauss(mean, mean * 0.3)))
    seconds = sorted(rng.randrange(int(minutes * 60)) for _ in range(count))
    neutral, social = NEUTRAL[context], SOCIAL[context]
    reasons = REASONS.get(context, REASONS["default"])
    rows = []
    for position, offset in enumerate(seconds):
        if rng.random() < chance:
            category = "NR" if rng.random() < 0.3 else "NP"
            reason = rng.choices(reasons, REASON_WEIGHTS)[0] if rng.random() < 0.9 else None
            initiated = "staff" if rng.random() < 0.8 else "person"
            communication = "one_way" if rng.random() < 0.65 else "two_way"
        else:
            roll = rng.random()
            category = "N" if roll < neutral else ("PS" if rng.random() < social else "PC")
            reason = None
            initiated = "staff" if rng.random() < 0.68 else "person"
            communication = (
                "two_way" if rng.random() < (0.4 if category == "N" else 0.8) else "one_way"
            )
        if rng.random() < 0.04:
            initiated = None
        if rng.random() < 0.04:
            communication = None
        who = rng.sample(people, 1 if rng.random() < 0.8 or len(people) < 2 else 2)
        rows.append(
            {
                "session_id": None,
                "uuid": new_uuid(rng),
                "position": position,
                "at": started + timedelta(seconds=offset),
                "people": who,
                "staff_id": rng.choice(shift) if shift and rng.random() < 0.92 else None,
                "category": category,
                "initiated_by": initiated,
                "communication": communication,
                "negative_reason": reason,
                "note": rng.choice(INTERACTION_NOTES) if rng.random() < 0.01 else "",
            }
        )
    return rows


def _session(rng, plan, org_id, home: Unit, base, window, per_session) -> tuple[dict, list[dict]]:
    """One session row with its stored aggregates, and its interaction rows."""
    started, _home, context, day, hour = plan
    planned = rng.choice(DURATIONS)
    ended = started + timedelta(minutes=planned + rng.choice((0, 0, 0, 5, -5, 10)))
    ended += timedelta(seconds=rng.randrange(60))
    codes = [code for code, _consent in home.people]
    people = rng.sample(codes, min(len(codes), rng.choice((2, 3, 3, 4, 4, 4, 5, 5, 6))))
    on_shift = [w.id for w in home.staff if w.start <= day and (w.until is None or day <= w.until)]
    shift = rng.sample(on_shift, min(len(on_shift), rng.randint(3, 6)))
    elsewhere = [i for name, i in home.areas.items() if name != "Dining room"] or [None]
    minutes = scoring.observed_minutes(started, ended)
    chance = _negative_chance(rng, home, base, context, hour, window, day)
    interactions = _interactions(rng, plan, people, shift, chance, minutes, per_session)

    # As careobs.quis.service._apply computes them when a device sends the session.
    counts = scoring.CategoryCounts.from_categories(i["category"] for i in interactions)
    negatives = scoring.people_with_negative(interactions, people)
    notes = NOTES[context]
    texts = [notes, WENT_WELL, TO_DEVELOP, *(i["note"] for i in interactions if i["note"])]
    submitted = ended + timedelta(minutes=rng.randint(2, 40))
    doc_id = new_uuid(rng)
    row = {
        "uuid": doc_id,
        "organisation_id": org_id,
        "service_id": home.service.id,
        "area_id": home.areas["Dining room"] if context == "mealtime" else rng.choice(elsewhere),
        "observer_id": home.observer_id,
        "context": context,
        "started_at": started,
        "ended_at": ended,
        "planned_minutes": planned,
        "frame_minutes": 5 if rng.random() < 0.9 else 2,
        "people": people,
        "staff_on_duty": len(shift) + rng.randint(0, 3),
        "status": "submitted",
        "revision": 1,
        "content_hash": doc_id.hex * 2,
        "notes": notes,
        "went_well": WENT_WELL,
        "to_develop": TO_DEVELOP,
        "privacy_flags": sorted({w for t in texts for w in identifier_warnings(t)}),
        "created_at": submitted,
        "updated_at": submitted,
        "submitted_at": submitted,
        "n_ps": counts.PS,
        "n_pc": counts.PC,
        "n_n": counts.N,
        "n_np": counts.NP,
        "n_nr": counts.NR,
        "people_count": len(people),
        "people_with_negative": len(negatives),
        "observed_minutes": minutes,
        "person_minutes": scoring.person_minutes(len(people), minutes),
    }
    return row, interactions


def generate(
    db: Session,
    rng: random.Random,
    org_id: int,
    homes: list[Unit],
    window: Window,
    total: int,
    per_session: int,
    echo: Callable[[str], None],
) -> tuple[int, int]:
    """Insert about ``total`` sessions; returns (sessions, interactions) written."""
    if not homes or total <= 0:
        return 0, 0
    base = {h.service.id: rng.uniform(0.75, 1.3) for h in homes}
    plans = _plans(rng, homes, window, total)
    sessions = interactions = 0
    report_every = max(CHUNK, len(plans) // 4 // CHUNK * CHUNK)
    for start in range(0, len(plans), CHUNK):
        rows, children = [], []
        for plan in plans[start : start + CHUNK]:
            home = plan[1]
            row, its = _session(rng, plan, org_id, home, base[home.service.id], window, per_session)
            rows.append(row)
            children.append(its)
        db.connection().execute(QuisSession.__table__.insert(), rows)
        ids = dict(
            db.execute(
                sa.select(QuisSession.uuid, QuisSession.id).where(
                    QuisSession.uuid.in_([r["uuid"] for r in rows])
                )
            ).all()
        )
        flat = []
        for row, its in zip(rows, children, strict=True):
            session_id = ids[row["uuid"]]
            for interaction in its:
                interaction["session_id"] = session_id
            flat.extend(its)
        db.connection().execute(QuisInteraction.__table__.insert(), flat)
        db.commit()
        sessions += len(rows)
        interactions += len(flat)
        if sessions % report_every == 0 or sessions == len(plans):
            echo(f"  QUIS sessions {sessions:,}/{len(plans):,} ({interactions:,} interactions)")
    return sessions, interactions
