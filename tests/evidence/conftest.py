"""The demo organisation loaded for a test, and the period its records cover (reading back the
PDFs the pack makes is in :mod:`tests.support.pdf`)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from careobs.db import get_session
from careobs.org.models import Service
from tests.clock import local_today
from tests.support.demo import load_demo_once


@pytest.fixture
def demo(app):
    """The demo organisation with records up to today; returns its services by name."""
    with app.app_context():
        db = get_session()
        load_demo_once(db)
        services = {s.name: s for s in db.scalars(sa.select(Service))}
        for service in services.values():
            db.expunge(service)
        return services


@pytest.fixture
def period() -> tuple[date, date]:
    """A year to today on the demo organisation's clock (UK time), as the demo is dated."""
    today = local_today()
    return today - timedelta(days=364), today
