"""Acme (tests/conftest.py) with the shared fixtures the self-assessment tests use: Hana
Manager (homecare only) and Pat, a quality checker of homecare."""

from tests.support import fixtures

checker = fixtures.checker
homecare_manager = fixtures.homecare_manager
