"""Fixtures for checklist editor tests: Acme (H01's consent on record) and its default checklist
as a model row; look-ups of versions and the editor's pages are in
:mod:`tests.support.checklists`."""

from __future__ import annotations

import pytest

from careobs.checklists import service as checklists
from careobs.checklists.models import Checklist
from tests.support import fixtures

# The shared fixtures this package uses (tests/support/fixtures.py); pytest finds them by name.
org = fixtures.org


@pytest.fixture
def checklist(app, db, org) -> Checklist:
    """Acme's default monitoring visit checklist, published as version 1."""
    with app.app_context():
        created = checklists.create_default(db, org.org.id)
        db.commit()
    return created
