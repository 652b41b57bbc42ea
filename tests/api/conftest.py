"""The device API tests use the suite's fixtures (tests/conftest.py): ``org``, ``other``,
``sync`` and ``client_as``; documents come from :mod:`tests.support.quis`."""

# Still importable from here for tests written on other branches before tests/support existed;
# new tests import from tests.support. Drop once no test imports them from here.
from tests.support.database import count, stored  # noqa: F401
from tests.support.quis import START, interaction, quis_doc  # noqa: F401
from tests.support.sync import SYNC_URL, SyncApi, iso, new_id, revise  # noqa: F401
