"""A year of monitoring visits at Riverside Homecare for the demo: mostly green, some amber, a
few red followed by a re-check, and more unannounced visits as the year goes on."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.checklists.models import ChecklistVersion
from careobs.sync.roster import ServiceRoster
from careobs.visits import service as visit_service
from careobs.visits.documents import CleanAction, CleanAnswer, CleanVisit
from careobs.visits.models import MonitoringVisit

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
# What a supervisor writes when a critical item of the default checklist is not met, and the
# development agreed: (comment on the item, area for development). Keyed by the item's wording,
# so each comment sits on the item it describes.
CRITICAL_MISSES = {
    "Hand hygiene before contact": (
        "Started personal care without washing or gelling hands.",
        "Wash or gel hands before any contact with the person, every visit.",
    ),
    "Gained consent before care": (
        "Began washing without asking first or waiting for an answer.",
        "Ask before each part of personal care and wait for the person's answer.",
    ),
    "Equipment checked and used safely as the plan says": (
        "Used the hoist without checking the sling for wear.",
        "Check the hoist and sling before each use, as the moving and handling plan says.",
    ),
    "Checked the medicines record before giving": (
        "Did not check the medicines record before giving.",
        "Check the medicines record before preparing anything.",
    ),
    "Right person, medicine, dose, time and route": (
        "Gave the lunchtime tablets without checking the dose against the record.",
        "Check the person, medicine, dose, time and route against the record every time.",
    ),
    "Recorded correctly straight after": (
        "Signed the medicines record at the end of the visit, not straight after giving.",
        "Sign the medicines record straight after giving, before anything else.",
    ),
}
TO_DEVELOP = [
    "Check the medicines record before preparing anything.",
    "Leave a drink within reach before leaving.",
    "Log in and out on the app at the door, not in the car.",
]


# How far each result falls short: (partly met, not met) counts among the items that are not
# critical. Green loses at most 2 points, amber 6 to 10 (75-89% with 20 to 29 items applicable),
# and red is red because of one critical item Not met.
SHORTFALLS = {"green": ((0, 2), (0, 0)), "amber": ((4, 6), (1, 2)), "red": ((0, 4), (0, 1))}


def _ratings(rng: random.Random, items, quality: str) -> list[CleanAnswer]:
    """Answers for a visit of a given quality: green, amber or red (a critical miss)."""
    ratings = ["na" if rng.random() < 0.08 else "met" for _item in items]
    critical_miss = None
    if quality == "red":
        missable = [i for i, item in enumerate(items) if item.text in CRITICAL_MISSES]
        critical_miss = rng.choice(missable)
        ratings[critical_miss] = "not_met"
    (partly_low, partly_high), (missed_low, missed_high) = SHORTFALLS[quality]
    n_missed = rng.randint(missed_low, missed_high)
    n_partly = rng.randint(partly_low, partly_high)
    plain = [i for i, item in enumerate(items) if ratings[i] == "met" and not item.critical]
    for n, index in enumerate(rng.sample(plain, n_missed + n_partly)):
        ratings[index] = "not_met" if n < n_missed else "partly"
    return [
        CleanAnswer(
            item.id,
            rating,
            CRITICAL_MISSES[item.text][0]
            if index == critical_miss
            else rng.choice(COMMENTS.get(rating, [""])),
            item.critical,
            item.domain.key,
            item.key,
        )
        for index, (item, rating) in enumerate(zip(items, ratings, strict=True))
    ]


def _development(rng: random.Random, items, answers: list[CleanAnswer], quality: str) -> str:
    """The area for development: the critical miss of a red visit, else a common one."""
    if quality == "green":
        return ""
    for item, answer in zip(items, answers, strict=True):
        if item.critical and answer.rating == "not_met":
            return CRITICAL_MISSES[item.text][1]
    return rng.choice(TO_DEVELOP)


class _Results:
    """Visit results dealt from shuffled decks of ten (7 green, 2 amber, 1 red), so even a small
    service's year keeps that mix instead of whatever a few dice rolls give."""

    DECK = ["green"] * 7 + ["amber"] * 2 + ["red"]

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._left: list[str] = []

    def draw(self) -> str:
        if not self._left:
            self._left = list(self.DECK)
            self._rng.shuffle(self._left)
        return self._left.pop()


LAPSED = ("Peter Hughes",)
# One person's view that names a phone number, as a supervisor might type it in a hurry: the
# visit is flagged, and its manager sees the way to remove it ("Remove personal data").
SLIPPED_THROUGH = (0, 1)  # the first worker's second visit
SLIPPED_COMMENT = "Lovely visit. My daughter wants a call on 07700 900123 after each one."


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
    results = _Results(rng)
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
        quality = "green"
        # A red result is always followed by its re-check, even after the worker's last routine
        # check (unless it is still in the future).
        while day <= last_day or (quality == "red" and day <= today - timedelta(days=2)):
            progress = (day - start).days / 365
            quality = results.draw()
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
            development = _development(rng, items, answers, quality)
            actions = []
            if quality != "green":
                actions.append(
                    CleanAction(
                        uuid=uuid.uuid5(doc_id, "action"),
                        description=development,
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
                    person_comment=(
                        SLIPPED_COMMENT if (worker_index, number - 1) == SLIPPED_THROUGH else ""
                    ),
                    went_well=rng.choice(WENT_WELL),
                    to_develop=development,
                    actions=actions,
                    status="submitted",
                    release_feedback=day < today - timedelta(days=10),
                )
                visit_service.create(db, supervisor, doc_id, 2, clean, doc_id.hex * 2)
                added += 1
            gap = 21 if quality == "red" else rng.randint(45, 100)
            day += timedelta(days=gap)
    return added
