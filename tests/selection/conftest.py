"""Fixtures for selection pages: Acme with three homecare workers, a homecare manager, another
organisation, and a client logged in as anyone."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from careobs.actions.models import Action
from careobs.org.models import Person, StaffMember
from tests.support import fixtures


@pytest.fixture
def org(data, db):
    """Acme. Homecare has Hal (started 2025, never visited: overdue), Nina (a new starter) and Ollie
    (no start date, so never checked) with two open actions and one done; people H01 and H02,
    H03 who said no to visits and H04 who has left."""
    acme = data.organisation()
    hc = acme.homecare
    nina = StaffMember(
        organisation_id=acme.org.id,
        service_id=hc.id,
        name="Nina New",
        job_role="Care worker",
        start_date=date.today() - timedelta(days=3),
    )
    ollie = StaffMember(
        organisation_id=acme.org.id, service_id=hc.id, name="Ollie Open", job_role="Care worker"
    )
    db.add_all([nina, ollie])
    db.flush()
    for status in ("open", "in_progress", "done"):
        db.add(
            Action(
                organisation_id=acme.org.id,
                service_id=hc.id,
                description="Refresher on hand hygiene",
                owner_staff_id=ollie.id,
                status=status,
                created_by_id=acme.supervisor.id,
            )
        )
    db.add(Person(organisation_id=acme.org.id, service_id=hc.id, code="H03", consent="no"))
    db.add(Person(organisation_id=acme.org.id, service_id=hc.id, code="H04", active=False))
    db.commit()
    acme.staff_members |= {"Nina New": nina, "Ollie Open": ollie}
    return acme


# Defined once for the suite (tests/support/fixtures.py); pytest finds it here by name.
homecare_manager = fixtures.homecare_manager
