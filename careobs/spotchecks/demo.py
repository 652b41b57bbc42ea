"""A year of monitoring visits at Riverside Homecare for the demo: mostly green, some amber, a
few red followed by a re-check, and more unannounced visits as the year goes on."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.checklists.models import ChecklistVersion
from careobs.spotchecks import service as visit_service
from careobs.spotchecks.documents import CleanAction, CleanAnswer, CleanVisit
from careobs.spotchecks.models import MonitoringVisit
from careobs.sync.roster import ServiceRoster

NAMESPACE = uuid.UUID("0c5b6f7e-2a51-4d0e-8f43-9b2f6a1c7d11")
COMMENTS = {
    "partly": ["Reminded about this during the visit.", "Done, but only after a prompt."],
    "not_met": ["Not done; discussed straight after the visit.", "Missed; agreed an action."],
}
WENT_WELL = [
    "Warm greeting, explained each step and offered choices throughout.",
    "Calm, unhurried care; the person said they look forward to these visits.",
    "Excellent hand hygiene and tidy record keeping.",
]
TO_DEVELOP = [
    "Check the medicines record before preparing anything.",
    "Leave a drink within reach before leaving.",
    "Log in and out on the app at the door, not in the car.",
]


def _ratings(rng: random.Random, items, quality: str) -> list[CleanAnswer]:
    """Answers for a visit of a given quality: green, amber or red (a critical miss)."""
    miss, partly = {"green": (0.0, 0.04), "amber": (0.06, 0.18), "red": (0.12, 0.2)}[quality]
    answers = []
    for item in items:
        roll = rng.random()
        if rng.random() < 0.08:
            rating = "na"
        elif roll < miss and not item.critical:
            rating = "not_met"
        elif roll < miss + partly:
            rating = "partly"
        else:
            rating = "met"
        answers.append(
            CleanAnswer(
                item.id,
                rating,
                rng.choice(COMMENTS.get(rating, [""])),
                item.critical,
                item.domain.key,
                item.key,
            )
        )
    if quality == "red":
        critical = [i for i, item in enumerate(items) if item.critical]
        index = rng.choice(critical)
        answers[index] = CleanAnswer(
            items[index].id,
            "not_met",
            "Did not check the medicines record before giving.",
            True,
            items[index].domain.key,
            items[index].key,
        )
    return answers


LAPSED = ("Peter Hughes",)


def load(
    db: Session,
    service,
    supervisor,
    version: ChecklistVersion,
    staff: list,
    people: list,
    today: date,
) -> int:
    """Add the demo visits that are missing; returns how many were added."""
    rng = random.Random(1957)
    roster = ServiceRoster(service=service, may_capture=True)
    existing = set(
        db.scalars(sa.select(MonitoringVisit.uuid).where(MonitoringVisit.service_id == service.id))
    )
    items = version.items
    start = today - timedelta(days=365)
    added = 0
    for worker_index, member in enumerate(staff):
        day = start + timedelta(days=rng.randrange(0, 40))
        # Nobody is checked before they start; new starters get their first check after a
        # fortnight in post (so the newest show as "first check due" in coverage).
        first_possible = (member.start_date or start) + timedelta(days=14)
        day = max(day, first_possible + timedelta(days=rng.randrange(0, 10)))
        number = 0
        # One long-serving worker has not been checked for four months: overdue in coverage.
        last_day = today - timedelta(days=120 if member.name in LAPSED else 2)
        while day <= last_day:
            progress = (day - start).days / 365
            quality = rng.choices(["green", "amber", "red"], [0.74, 0.2, 0.06])[0]
            unannounced = rng.random() < 0.2 + 0.5 * progress
            visit_type = (
                "unannounced"
                if unannounced
                else rng.choice(["announced", "announced", "responsive"])
            )
            hour = rng.choice((7, 8, 12, 13, 17, 18, 20))
            planned = datetime(
                day.year, day.month, day.day, hour, rng.choice((0, 15, 30, 45)), tzinfo=UTC
            )
            late = rng.choices([0, 5, 12, 25], [0.6, 0.25, 0.1, 0.05])[0] + rng.randint(-3, 3)
            arrived = planned + timedelta(minutes=late)
            minutes = rng.choice((30, 45, 60))
            left = arrived + timedelta(minutes=minutes - rng.choice((0, 0, 0, 5, 10)))
            doc_id = uuid.uuid5(NAMESPACE, f"riverside-{worker_index}-{number}")
            number += 1
            person = rng.choice(people)
            answers = _ratings(rng, items, quality)
            actions = []
            if quality != "green":
                actions.append(
                    CleanAction(
                        uuid=uuid.uuid5(doc_id, "action"),
                        description=rng.choice(TO_DEVELOP),
                        owner_staff_id=member.id,
                        owner_user_id=None,
                        due_on=day + timedelta(days=14),
                    )
                )
            if doc_id not in existing:
                clean = CleanVisit(
                    roster=roster,
                    staff_id=member.id,
                    person_code=person["code"],
                    visit_type=visit_type,
                    consent="on_record" if person["consent"] == "yes" else "obtained_today",
                    version=version,
                    planned_at=planned,
                    planned_minutes=minutes,
                    arrived_at=arrived,
                    left_at=left,
                    answers=answers,
                    satisfaction=rng.choice((4, 5, 5, 5, 3)),
                    person_comment="",
                    went_well=rng.choice(WENT_WELL),
                    to_develop="" if quality == "green" else rng.choice(TO_DEVELOP),
                    actions=actions,
                    status="submitted",
                    release_feedback=day < today - timedelta(days=10),
                )
                visit_service.create(db, supervisor, doc_id, 2, clean, doc_id.hex * 2)
                added += 1
            gap = 21 if quality == "red" else rng.randint(45, 100)
            day += timedelta(days=gap)
    return added
