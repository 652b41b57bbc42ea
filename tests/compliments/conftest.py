"""Fixtures for the compliments and concerns log: Acme (tests/factories.py), its homecare
manager and Hal's login, and ``form(...)``: the record form's fields for one entry."""

from __future__ import annotations

import uuid

import pytest

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
