"""Fixtures for the dashboard tests: an organisation with a second care home and a second
homecare service (neither managed by the managers under test), a homecare manager, its default
checklist, the sync API as its admin, and a frozen clock.

Writing documents, local times and reading the dashboards' tables are in
:mod:`tests.support.dashboards`.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from careobs.org.models import Area, Person, Service, StaffMember
from tests.support.dashboards import NOW, TODAY, VisitMaker
from tests.support.sync import SyncApi
from tests.support.visits import ChecklistInfo, default_checklist


@pytest.fixture
def acme(app, data, db):
    """Acme Care, plus what the dashboards need to tell services apart.

    - ``annexe``: a second care home (person A01), managed by nobody but the admin;
    - ``rural``: a second homecare service (person X01, worker Rita Rural);
    - ``home_manager``: manager of Acme Homecare only;
    - Carla Carer is the care-home ``staff`` user's own staff record.
    """
    built = data.organisation()
    s = db
    org_id = built.org.id
    built.people["H01"].consent = "yes"
    annexe = Service(organisation_id=org_id, name="Acme Annexe", kind="care_home")
    rural = Service(organisation_id=org_id, name="Acme Rural", kind="homecare")
    s.add_all([annexe, rural])
    s.flush()
    s.add(Person(organisation_id=org_id, service_id=annexe.id, code="A01"))
    s.add(Person(organisation_id=org_id, service_id=rural.id, code="X01", consent="yes"))
    annexe_lounge = Area(organisation_id=org_id, service_id=annexe.id, name="Annexe lounge")
    rita = StaffMember(
        organisation_id=org_id,
        service_id=rural.id,
        name="Rita Rural",
        job_role="Care worker",
        start_date=date(2025, 2, 3),
    )
    s.add_all([annexe_lounge, rita])
    built.staff_members["Carla Carer"].user_id = built.staff.id
    s.commit()
    home_manager = data.user(
        built.org, "homemanager@acme.test", "Hana Homecare", roles={built.homecare: "manager"}
    )
    s.commit()
    return SimpleNamespace(
        **{k: getattr(built, k) for k in built.__dataclass_fields__},
        annexe=annexe,
        rural=rural,
        annexe_lounge=annexe_lounge,
        rita=rita,
        home_manager=home_manager,
    )


@pytest.fixture
def client_as(login_as):
    """A fresh, separately logged-in client per user."""
    return login_as


@pytest.fixture
def admin_sync(acme, client_as) -> SyncApi:
    """The sync API as Acme's admin, who may record in every service."""
    return SyncApi(client_as(acme.admin))


@pytest.fixture
def frozen_today(monkeypatch):
    """The dashboards' clock fixed at noon UTC on 27 November 2026."""
    monkeypatch.setattr("careobs.dashboards.views.utcnow", lambda: NOW)
    return TODAY


# -- QUIS sessions ------------------------------------------------------------------------------


# -- monitoring visits --------------------------------------------------------------------------


@pytest.fixture
def checklist(app, db, acme) -> ChecklistInfo:
    """Acme's default monitoring visit checklist (version 1)."""
    return default_checklist(app, db, acme.org.id)


@pytest.fixture
def visit(acme, checklist) -> VisitMaker:
    return VisitMaker(acme, checklist)


# -- reading dashboards -------------------------------------------------------------------------
