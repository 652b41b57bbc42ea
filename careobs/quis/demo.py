"""Six months of QUIS sessions at Rosewood House for the demo, with a story in the numbers:
mealtimes start with many negative interactions and improve after coaching."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.quis import service as quis_service
from careobs.quis.documents import CleanInteraction, CleanSession
from careobs.quis.models import QuisSession
from careobs.quis.scoring import NEGATIVE_REASONS
from careobs.sync.roster import ServiceRoster

NAMESPACE = uuid.UUID("6f1d3a5e-5b7c-4b8e-9a51-3c0f1f2d9e01")
WEEKS = 26
CONTEXT_HOURS = {
    "mealtime": (12, 17),
    "activity": (14, 10),
    "quiet_time": (16, 19),
    "medication": (8, 20),
    "personal_care": (10, 7),
}
NOTES = [
    "Lunch served promptly; two residents waited a while for help with cutting food.",
    "Lively quiz in the lounge; staff knelt to talk at eye level.",
    "Medication round calm and unhurried; explanations given each time.",
    "Quiet afternoon; music chosen with residents.",
    "Busy mealtime; staff talked to each other over residents on one table.",
]


def _negative_share(context: str, progress: float) -> float:
    """Mealtimes go from about a quarter negative to under a tenth; the rest improve a little."""
    if context == "mealtime":
        return 0.26 - 0.18 * progress
    return 0.08 - 0.04 * progress


def _category(rng: random.Random, negative: float) -> str:
    roll = rng.random()
    if roll < negative:
        return "NR" if rng.random() < 0.3 else "NP"
    roll = rng.random()
    return "PS" if roll < 0.45 else "PC" if roll < 0.85 else "N"


def load(
    db: Session,
    service,
    observer,
    areas: dict,
    staff_ids: list[int],
    people: list[str],
    today: date,
) -> int:
    """Add the demo sessions that are missing; returns how many were added."""
    rng = random.Random(2026)
    roster = ServiceRoster(service=service, may_capture=True)
    existing = set(
        db.scalars(sa.select(QuisSession.uuid).where(QuisSession.service_id == service.id))
    )
    added = 0
    first_day = today - timedelta(weeks=WEEKS)
    for week in range(WEEKS):
        for slot, context in enumerate(("mealtime", rng.choice(list(CONTEXT_HOURS)))):
            doc_id = uuid.uuid5(NAMESPACE, f"rosewood-{week}-{slot}")
            day = first_day + timedelta(weeks=week, days=rng.randrange(0, 7))
            hour = CONTEXT_HOURS[context][0]
            started = datetime(
                day.year, day.month, day.day, hour, rng.choice((0, 15, 30)), tzinfo=UTC
            )
            minutes = rng.choice((45, 60, 60, 90))
            chosen = rng.sample(people, rng.randint(3, 5))
            progress = week / (WEEKS - 1)
            count = rng.randint(25, 55)
            offsets = sorted(rng.uniform(0, minutes * 60) for _ in range(count))
            interactions = []
            for offset in offsets:
                category = _category(rng, _negative_share(context, progress))
                reason = (
                    rng.choice(list(NEGATIVE_REASONS)[:5])
                    if category in ("NP", "NR") and rng.random() < 0.7
                    else None
                )
                interactions.append(
                    CleanInteraction(
                        uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                        at=started + timedelta(seconds=offset),
                        people=rng.sample(chosen, 1 if rng.random() < 0.85 else 2),
                        staff_id=rng.choice(staff_ids) if rng.random() < 0.8 else None,
                        category=category,
                        initiated_by=rng.choice(("staff", "staff", "person", None)),
                        communication=rng.choice(("two_way", "two_way", "one_way", None)),
                        negative_reason=reason,
                        note="",
                    )
                )
            if doc_id in existing or started.date() > today:
                continue
            area = areas["Dining room" if context == "mealtime" else "Lounge"]
            clean = CleanSession(
                roster=roster,
                area_id=area,
                context=context,
                started_at=started,
                ended_at=started + timedelta(minutes=minutes),
                planned_minutes=minutes,
                frame_minutes=5,
                people=chosen,
                staff_on_duty=rng.randint(3, 6),
                status="submitted",
                notes=rng.choice(NOTES),
                went_well="Warm, unhurried conversation with several residents.",
                to_develop="Offer choices at every course and explain before helping.",
                interactions=interactions,
            )
            quis_service.create(db, observer, doc_id, 2, clean, content_hash=doc_id.hex * 2)
            added += 1
    return added
