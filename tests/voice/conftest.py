"""Acme (tests/conftest.py) with a draw of people in each service, made by Sue Supervisor:
homecare draws both H01 and H02; the care home draws one of R01 and R02 (``not_drawn`` is the
other)."""

from __future__ import annotations

import pytest

from tests.support import fixtures
from tests.support.voice import draw_people, picked

homecare_manager = fixtures.homecare_manager


@pytest.fixture
def homecare_draw(db, org):
    return draw_people(db, org.supervisor, org.homecare, 2)


@pytest.fixture
def home_draw(db, org):
    return draw_people(db, org.supervisor, org.care_home, 1)


@pytest.fixture
def not_drawn(home_draw) -> str:
    return ({"R01", "R02"} - set(picked(home_draw))).pop()


@pytest.fixture
def supervisor(org, client_as):
    """Sue Supervisor (both services), syncing."""
    return client_as(org.supervisor)
