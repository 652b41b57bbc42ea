"""Fixtures for the right-of-access tests: Acme Care (tests/support/fixtures.py) with Hal
Homecare's login (``hal``), Carla Carer's (``carla``), a second organisation (``other``), and
``records``: one hand-built record of each kind about Hal and about his colleagues
(tests/subject_access/records.py)."""

import pytest

from tests.subject_access.records import build_records
from tests.support import fixtures

carla = fixtures.carla
checklist = fixtures.checklist
hal = fixtures.hal
login = fixtures.login
org = fixtures.org
other = fixtures.other_with_consent


@pytest.fixture
def records(app, db, org, other, hal, carla, checklist):
    """Everything careobs could hold about Hal, some of it held back from his own copy, and the
    same kinds of record about Carla and about Other Org's Hal Homecare."""
    return build_records(app, db, org, other, hal, carla, checklist)
