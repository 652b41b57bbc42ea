"""The notification tests share the feedback tests' fixtures (tests/feedback/conftest.py),
including the check that no notification carries personal data (run after every test)."""

from tests.support import fixtures

# The shared fixtures this package uses (tests/support/fixtures.py); pytest finds them by name.
carla = fixtures.carla
checklist = fixtures.checklist
hal = fixtures.hal
login = fixtures.login
notifications_carry_no_personal_data = fixtures.notifications_carry_no_personal_data
org = fixtures.org
other = fixtures.other_with_consent
visit_doc = fixtures.visit_doc
