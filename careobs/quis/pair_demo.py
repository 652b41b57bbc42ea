"""Paired QUIS observations at Rosewood House for the demo: a new observer calibrates against an
experienced one, and an older observer is overdue.

Nia Patel (observer@demo.test), a supervisor new to QUIS, observes the lounge beside Jo Evans
(the experienced supervisor, who leads) three times over the last five months; her A4 agreement
with Jo rises from moderate (κ about 0.56) to good (about 0.74, then 0.78). Each pair has over
20 matched interactions and a few seen by one observer only. Priya Shah (the manager) last
paired with Jo eight months ago, so she is due to pair again. The sessions go in through the
same service function as every other demo session; the pairs' results are written by
:func:`careobs.quis.pairs.complete_if_ready`. Loading twice changes nothing.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.accounts import service as accounts
from careobs.accounts.models import User
from careobs.db import lock_for_writing
from careobs.quis import pairs
from careobs.quis import service as quis_service
from careobs.quis.documents import CleanInteraction, CleanSession
from careobs.quis.models import QuisPair, QuisSession
from careobs.quis.pair_ids import CODE_ALPHABET, CODE_LENGTH, pair_id_for
from careobs.sync.roster import ServiceRoster

NAMESPACE = uuid.UUID("0b7e4c1d-2f3a-4e5b-8c6d-7e8f9a0b1c2d")
OBSERVER_EMAIL = "observer@demo.test"
OBSERVER_NAME = "Nia Patel"
OBSERVER_ROLE = "Supervisor at Rosewood House, new to QUIS: paired observations"

SLOT_SECONDS = 90  # matched interactions this far apart: the 30-second tolerance never mixes them
LEAD_ONLY, SECOND_ONLY = 2, 1  # interactions seen by one observer only, in every pair


def _plan(agree: dict[str, int], differ: dict[tuple[str, str], int]) -> list[tuple[str, str]]:
    """The matched interactions as (lead's category, second's category)."""
    coded = [(c, c) for c, n in agree.items() for _ in range(n)]
    return coded + [pair for pair, n in differ.items() for _ in range(n)]


# Nia's three pairs with Jo, moderate → good → good, and Priya's with Jo eight months ago.
FIRST = _plan(
    {"PS": 5, "PC": 3, "N": 2, "NP": 2, "NR": 1},
    {
        ("PS", "PC"): 2,
        ("PC", "PS"): 1,
        ("PC", "N"): 2,
        ("N", "PC"): 1,
        ("NP", "N"): 1,
        ("NR", "NP"): 1,
        ("PS", "N"): 1,
        ("PC", "NP"): 1,
        ("N", "NP"): 1,
    },
)
SECOND = _plan(
    {"PS": 6, "PC": 4, "N": 2, "NP": 2, "NR": 1},
    {("PS", "PC"): 2, ("PC", "N"): 2, ("N", "PC"): 1, ("NP", "NR"): 1, ("PC", "PS"): 1},
)
THIRD = _plan(
    {"PS": 7, "PC": 6, "N": 2, "NP": 2, "NR": 1},
    {("PS", "PC"): 2, ("PC", "N"): 1, ("NR", "NP"): 1, ("N", "PS"): 1, ("NP", "N"): 1},
)
OLDER = _plan({"PS": 8, "PC": 6, "N": 3, "NP": 2, "NR": 1}, {("PS", "PC"): 2, ("PC", "N"): 1})
# (key, days ago, who leads, who is second, plan): "jo", "nia" and "priya" below.
PAIRS = (
    ("priya-1", 270, "jo", "priya", OLDER),
    ("nia-1", 150, "jo", "nia", FIRST),
    ("nia-2", 90, "jo", "nia", SECOND),
    ("nia-3", 30, "jo", "nia", THIRD),
)


def _observer(db: Session, service, password: str) -> User:
    """The demo's new observer: a supervisor at Rosewood House with the demo password."""
    user = db.scalar(sa.select(User).where(User.email == OBSERVER_EMAIL))
    if user is None:
        user = accounts.create_user(
            db,
            organisation_id=service.organisation_id,
            email=OBSERVER_EMAIL,
            display_name=OBSERVER_NAME,
        )
    if not user.password_hash:
        accounts.set_password(db, user, password)
    accounts.set_memberships(db, user, {service.id: "supervisor"})
    db.flush()
    return user


def _code(rng: random.Random) -> str:
    return "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _interactions(rng, started, plan, people, staff_ids) -> tuple[list, list]:
    """Both observers' interactions: the plan's matched ones a few seconds apart on the two
    devices, and some seen by one observer only, each in a slot of its own."""
    kinds = ["matched"] * len(plan) + ["lead"] * LEAD_ONLY + ["second"] * SECOND_ONLY
    rng.shuffle(kinds)
    matched = list(plan)
    rng.shuffle(matched)
    lead, second = [], []
    for slot, kind in enumerate(kinds):
        at = started + timedelta(seconds=60 + slot * SLOT_SECONDS)
        who = [rng.choice(people)]
        staff = rng.choice(staff_ids) if staff_ids and rng.random() < 0.7 else None
        if kind == "matched":
            lead_code, second_code = matched.pop()
            lead.append(_interaction(rng, at, who, staff, lead_code))
            drift = timedelta(seconds=rng.randint(-8, 8))
            second.append(_interaction(rng, at + drift, who, staff, second_code))
        else:
            code = rng.choice(("PS", "PC", "N"))
            (lead if kind == "lead" else second).append(_interaction(rng, at, who, staff, code))
    return lead, second


def _interaction(rng, at, people, staff_id, category) -> CleanInteraction:
    return CleanInteraction(
        uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
        at=at,
        people=people,
        staff_id=staff_id,
        category=category,
        initiated_by="staff",
        communication="two_way",
        negative_reason=None,
        note="",
    )


def _session(db, roster, area_id, observer, doc_id, started, minutes, people, interactions):
    clean = CleanSession(
        roster=roster,
        area_id=area_id,
        context="activity",
        started_at=started,
        ended_at=started + timedelta(minutes=minutes),
        planned_minutes=minutes,
        frame_minutes=5,
        people=people,
        staff_on_duty=4,
        status="submitted",
        notes="Paired observation in the lounge: two observers, each on their own phone.",
        went_well="",
        to_develop="",
        interactions=interactions,
    )
    return quis_service.create(db, observer, doc_id, 2, clean, content_hash=doc_id.hex * 2)


def load(
    db: Session,
    service,
    experienced,
    older,
    areas: dict,
    staff_ids: list[int],
    people: list[str],
    today: date,
    *,
    password: str,
) -> list[tuple[str, str]]:
    """Add the missing pairs; returns the new observer's login as (email, role)."""
    observers = {"jo": experienced, "priya": older, "nia": _observer(db, service, password)}
    roster = ServiceRoster(service=service, may_capture=True)
    area_id = areas["Lounge"]
    for key, days_ago, lead_key, second_key, plan in PAIRS:
        rng = random.Random(f"rosewood-pair-{key}")
        code = _code(rng)
        pair_uuid = pair_id_for(service.uuid, code)
        day = today - timedelta(days=days_ago)
        started = datetime(day.year, day.month, day.day, 14, 0, tzinfo=UTC)
        chosen = rng.sample(people, 4)
        lead_items, second_items = _interactions(rng, started, plan, chosen, staff_ids)
        if db.scalar(sa.select(QuisPair.id).where(QuisPair.uuid == pair_uuid)) is not None:
            continue
        minutes = (60 + (len(plan) + LEAD_ONLY + SECOND_ONLY) * SLOT_SECONDS) // 60 + 1
        made = {}
        for role, who, items in (
            ("lead", lead_key, lead_items),
            ("second", second_key, second_items),
        ):
            doc_id = uuid.uuid5(NAMESPACE, f"{key}-{role}")
            made[role] = db.scalar(sa.select(QuisSession).where(QuisSession.uuid == doc_id))
            if made[role] is None:
                made[role] = _session(
                    db, roster, area_id, observers[who], doc_id, started, minutes, chosen, items
                )
        pair = QuisPair(
            uuid=pair_uuid,
            organisation_id=service.organisation_id,
            service_id=service.id,
            area_id=area_id,
            code=code,
            opened_by_id=observers[lead_key].id,
            created_at=started,
        )
        db.add(pair)
        db.flush()
        for role, session in made.items():  # written with Core: not in the ORM's session
            db.execute(
                sa.update(QuisSession)
                .where(QuisSession.id == session.id)
                .values(pair_id=pair.id, pair_role=role)
            )
        lock_for_writing(db, QuisPair.id, pair.id)
        pairs.complete_if_ready(db, pair)
        # Completed when the second observer's session came in, as dated as the demo's other
        # records: calibration read as at a past moment sees the pairs completed by then.
        pair.completed_at = started + timedelta(minutes=minutes + 5)
    return [(OBSERVER_EMAIL, OBSERVER_ROLE)]
