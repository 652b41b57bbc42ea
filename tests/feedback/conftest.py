"""Fixtures for the feedback loop and notification tests (defined in :mod:`tests.support.fixtures`).

``org`` is Acme Care from the factory (H01 has consent on record), with two care workers who
can log in: ``hal`` (Hal Homecare, homecare) and ``carla`` (the factory ``staff`` user, linked to
Carla Carer in the care home). ``login(user)`` gives a separately logged-in client, and
:func:`tests.support.feedback.make_feedback` writes a feedback row directly for permission tests.

Every test here ends by checking that no notification (nor a queued push) carries a person code,
a staff name, a user's name or an e-mail address (design §2.4).
"""

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
