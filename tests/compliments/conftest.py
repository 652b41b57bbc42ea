"""Fixtures for the compliments and concerns log: Acme (tests/factories.py), its homecare
manager and Hal's login, and ``form(...)``: the record form's fields for one entry."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from careobs.compliments import service
from careobs.db import get_session
from tests.clock import local_today
from tests.support import fixtures

hal_user = fixtures.hal_user
homecare_manager = fixtures.homecare_manager
org = fixtures.org


@pytest.fixture
def form(org):
    """``form(**changes)``: a compliment about Acme Homecare's care naming Hal, as posted."""

    def make(**changes) -> dict:
        fields = {
            "entry_id": uuid.uuid4().hex,
            "service": org.homecare.uuid.hex,
            "kind": "compliment",
            "section": "care",
            "received_on": local_today().isoformat(),
            "source": "family",
            "person_code": "",
            "text": "Hal always takes time to chat with Mum and makes her laugh.",
            "staff": [org.staff_members["Hal Homecare"].uuid.hex],
        }
        fields.update(changes)
        return {k: v for k, v in fields.items() if v is not None}

    return make


# (received on, kind, section, responded?) in Acme Homecare, and one in the care home.
HOMECARE = [
    (date(2025, 12, 31), "compliment", "care", False),  # before the range
    (date(2026, 1, 5), "compliment", "care", False),
    (date(2026, 1, 20), "compliment", "care", False),
    (date(2026, 1, 28), "concern", "food", True),
    (date(2026, 2, 3), "compliment", "staff", False),
    (date(2026, 2, 10), "concern", "food", False),
    (date(2026, 2, 28), "concern", "care", False),
    (date(2026, 3, 1), "compliment", "food", False),  # after it
]
HOME = [(date(2026, 1, 10), "compliment", "activities", False)]
RANGE = {"date_from": "2026-01-01", "date_to": "2026-02-28", "grouping": "month"}


@pytest.fixture
def logged(app, org, db):
    """The entries above, recorded by Acme's admin through the service layer."""
    with app.test_request_context():
        session = get_session()
        sections = {s.key: s for s in service.sections(session, org.org.id)}
        admin = session.merge(org.admin)
        for svc, rows in ((org.homecare, HOMECARE), (org.care_home, HOME)):
            for day, kind, section, responded in rows:
                entry = service.record(
                    session,
                    admin,
                    entry_id=uuid.uuid4(),
                    service=session.merge(svc),
                    kind=kind,
                    section=sections[section],
                    received_on=day,
                    source="family",
                    text="Said at the door.",
                )
                if responded:
                    service.respond(session, admin, entry, response="Talked it through.")
        session.commit()
