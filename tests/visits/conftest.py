"""The monitoring visit tests use the shared visit fixtures: ``org`` (H01's consent on record),
``checklist`` and ``visit_doc`` (see :mod:`tests.support.fixtures`); ``other``, ``sync`` and
``client_as`` come from tests/conftest.py, and documents from :mod:`tests.support.visits`."""

from tests.support import fixtures

# The shared fixtures this package uses (tests/support/fixtures.py); pytest finds them by name.
checklist = fixtures.checklist
org = fixtures.org
visit_doc = fixtures.visit_doc
