"""Fixtures for the account tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def acme(data, auth):
    """Acme Care, with its admin logged in on ``client``."""
    acme = data.organisation()
    auth.login(acme.admin)
    return acme
