"""The audit tests use the suite's Acme Care (tests/conftest.py: a care home with R01, R02,
the Lounge and Dining room and Carla Carer; homecare with H01, H02 and Hal Homecare) with its
starter audit templates (``templates``, by name: see :mod:`tests.support.audits`)."""

from __future__ import annotations

import pytest

from tests.support import fixtures
from tests.support.audits import starter_templates

org = fixtures.org  # Acme with H01's consent on record, for the visit a test sends


@pytest.fixture
def templates(app, db, org):
    """Acme's four starter audit templates as a device sees them, by name."""
    return starter_templates(app, db, org.org.id)
