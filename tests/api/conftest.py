"""The device API tests use the suite's fixtures (tests/conftest.py): ``org``, ``other``,
``sync`` and ``client_as``; documents come from :mod:`tests.support.quis`."""
