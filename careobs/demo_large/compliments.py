"""Compliments and concerns in the large demo: every service's log over the window.

About ``total`` entries spread evenly over the services and at random over the window's days, a
quarter of them concerns (most with a response), each about one of the organisation's sections
and from a category of sender, never a name. They are what the compliments dashboard counts at a
provider's scale (bench/dashboards.py); their texts are short and alike: they are there to be
counted.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.orm import Session

from careobs.compliments import service as compliments_service
from careobs.compliments.models import Compliment
from careobs.demo_large.organisation import Unit
from careobs.demo_large.patterns import Window, local_time, new_uuid

CHUNK = 5000  # entries per executemany and commit
CONCERN = 0.25  # the share of entries that are concerns
RESPONDED = 0.8  # the share of concerns with a response recorded
SOURCES = ("family", "family", "professional", "anonymous")


def generate(
    db: Session,
    rng: random.Random,
    org_id: int,
    units: list[Unit],
    recorded_by_id: int,
    window: Window,
    total: int,
    echo: Callable[[str], None],
) -> int:
    """Write about ``total`` entries over the services; returns how many."""
    sections = [s.id for s in compliments_service.sections(db, org_id)]
    written = 0
    while written < total:
        rows = []
        for n in range(written, min(total, written + CHUNK)):
            unit = units[n % len(units)]
            day = window.day(rng.randrange(window.days))
            logged = local_time(day, rng.choice((10, 12, 15, 17)), rng.choice((0, 20, 40)))
            concern = rng.random() < CONCERN
            responded = concern and rng.random() < RESPONDED
            rows.append(
                {
                    "uuid": new_uuid(rng),
                    "organisation_id": org_id,
                    "service_id": unit.service.id,
                    "kind": "concern" if concern else "compliment",
                    "section_id": rng.choice(sections),
                    "received_on": day,
                    "source": rng.choice(SOURCES),
                    "person_id": None,
                    "text": "A concern about the service." if concern else "Thank you all.",
                    "response": "We talked it through and agreed what to change."
                    if responded
                    else "",
                    "responded_at": logged + timedelta(hours=3) if responded else None,
                    "action_id": None,
                    "recorded_by_id": recorded_by_id,
                    "created_at": logged,
                    "updated_at": logged,
                }
            )
        db.connection().execute(Compliment.__table__.insert(), rows)
        db.commit()
        written += len(rows)
    echo(f"  compliments and concerns {written:,}")
    return written
