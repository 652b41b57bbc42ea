"""Fixtures for the audit log's tests."""

from __future__ import annotations

import pytest
import sqlalchemy as sa


@pytest.fixture
def engine(app) -> sa.Engine:
    return app.extensions["careobs.engine"]
