"""Fixtures for action tests: Acme's organisation and checklist, a logged-in client per user,
and ``make_action(...)`` that adds an action through the service layer in one line."""

from __future__ import annotations

from datetime import timedelta

import pytest

from careobs.actions import service
from careobs.db import get_session
from careobs.org.models import StaffMember
from tests.clock import local_today
from tests.support import fixtures

# The shared fixtures this package uses (tests/support/fixtures.py); pytest finds them by name.
checklist = fixtures.checklist
hal_user = fixtures.hal_user
homecare_manager = fixtures.homecare_manager
org = fixtures.org
visit_doc = fixtures.visit_doc


@pytest.fixture
def make_action(app, db, org):
    """``make_action(owner=..., due_on=..., service=...)``: an action added by the supervisor."""

    def make(owner=None, *, due_on=None, service_=None, actor=None, tags=("W7",)):
        with app.app_context():
            session = get_session()
            svc = session.merge(service_ or org.homecare)
            who = session.merge(owner or org.staff_members["Hal Homecare"])
            action = service.create(
                session,
                session.merge(actor or org.supervisor),
                service=svc,
                description="Refresher on hand hygiene before contact.",
                owner=who,
                due_on=due_on or local_today() + timedelta(days=7),
                cqc_tags=list(tags),
            )
            session.commit()
            return action

    return make


def staff_in(db, service, name="Nia New") -> StaffMember:
    member = StaffMember(
        organisation_id=service.organisation_id,
        service_id=service.id,
        name=name,
        job_role="Care worker",
    )
    db.add(member)
    db.commit()
    return member
