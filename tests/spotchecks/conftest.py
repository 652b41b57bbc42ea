"""The monitoring visit tests use the shared visit fixtures: ``org`` (H01's consent on record),
``checklist`` and ``visit_doc`` (see :mod:`tests.support.fixtures`); ``other``, ``sync`` and
``client_as`` come from tests/conftest.py, and documents from :mod:`tests.support.visits`."""

from tests.support import fixtures

# Still importable from here for tests written on other branches before tests/support existed;
# new tests import from tests.support. Drop once no test imports them from here.
from tests.support.visits import (  # noqa: F401
    PLANNED,
    ChecklistInfo,
    action,
    checklist_info,
    publish_new_version,
    spot_check,
)

# The shared fixtures this package uses (tests/support/fixtures.py); pytest finds them by name.
checklist = fixtures.checklist
org = fixtures.org
visit_doc = fixtures.visit_doc
