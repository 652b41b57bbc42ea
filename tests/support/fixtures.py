"""Fixtures shared by several test packages, defined once here: a package's conftest.py imports
the ones it uses (pytest finds them there by name).

``org`` here is the suite's Acme Care (tests/conftest.py) with H01's consent to visits on record,
which monitoring visits need; ``checklist`` is its default checklist as a device sees it, and
``visit_doc(**fields)`` a complete, valid, submitted visit to H01 of Hal Homecare in Acme's
homecare service on that checklist, every item Met (see :func:`tests.support.visits.spot_check`
for ``ratings=``, ``rating=`` and the fields).

The feedback loop's fixtures (tests/feedback, tests/notifications) are here too: ``other`` with
H01's consent on record as Acme's, care workers who can log in (``hal``, ``carla``), ``login``,
and the check, after every test, that no notification carries personal data.
"""

from __future__ import annotations

import pytest

from careobs.accounts.models import User
from tests.support.feedback import add_worker_login, assert_no_personal_data, link_login
from tests.support.visits import ChecklistInfo, default_checklist, spot_check
from tests.support.web import Auth


@pytest.fixture
def org(org, data):
    """Acme Care: care home (R01, R02; Carla Carer) and homecare (H01, H02; Hal Homecare).

    H01 has consent on record; H02's consent is not recorded."""
    org.people["H01"].consent = "yes"
    data.session.commit()
    return org


@pytest.fixture
def checklist(app, db, org) -> ChecklistInfo:
    """The default monitoring visit checklist of Acme (version 1, 29 items, 6 critical)."""
    return default_checklist(app, db, org.org.id)


@pytest.fixture
def visit_doc(org, checklist):
    """``visit_doc(**fields)``: a valid submitted visit of Hal Homecare (see the module doc);
    ``service=``, ``staff=`` and ``on=`` (another checklist version) change who, where and what."""

    def build(*, service=None, staff=None, on=None, **fields) -> dict:
        return spot_check(
            service or org.homecare,
            staff or org.staff_members["Hal Homecare"],
            on or checklist,
            **fields,
        )

    return build


@pytest.fixture
def hal_user(data, org, db):
    """Hal Homecare's own login (a care worker in homecare), linked to his staff record."""
    user = data.user(org.org, "hal@acme.test", "Hal Homecare", roles={org.homecare: "staff"})
    org.staff_members["Hal Homecare"].user_id = user.id
    db.commit()
    return user


@pytest.fixture
def homecare_manager(data, org, db):
    """Hana Manager, manager of Acme Homecare only."""
    user = data.user(org.org, "hm@acme.test", "Hana Manager", roles={org.homecare: "manager"})
    db.commit()
    return user


@pytest.fixture
def checker(data, org, db):
    """Pat, a quality checker of Acme Homecare (co-audits and conversations only)."""
    user = data.user(
        org.org, "pat@acme.test", "Pat (quality checker)", roles={org.homecare: "quality_checker"}
    )
    db.commit()
    return user


# -- the feedback loop ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def notifications_carry_no_personal_data(db):
    """After the test: no notification (nor a queued push) names a person, worker or user."""
    yield
    assert_no_personal_data(db)


@pytest.fixture(name="other")
def other_with_consent(other, data):
    """``other`` for the feedback loop: Other Org (tests/conftest.py) with H01's consent on
    record too, as Acme's."""
    other.people["H01"].consent = "yes"
    data.session.commit()
    return other


@pytest.fixture
def hal(data, db, org) -> User:
    """Hal Homecare's own login (a care worker in the homecare service)."""
    return add_worker_login(data, db, org, "Hal Homecare", "hal@acme.test")


@pytest.fixture
def carla(db, org) -> User:
    """The factory ``staff`` user, linked to Carla Carer (care home)."""
    return link_login(db, org.staff_members["Carla Carer"], org.staff)


@pytest.fixture
def login(app):
    """``login(user)``: a fresh client logged in as ``user``."""

    def make(user):
        client = app.test_client()
        Auth(client).login(user)
        return client

    return make
