"""A device sends a document, the server stores it, the answer is lost; meanwhile the sender's
rights change (a champion assignment removed, a supervisor taken off the service). The device
sends the same revision again: it is answered as the first time (``unchanged``, the contract's
answer to a repeat, design §3.1) and nothing is written; a new revision is ``forbidden``.
Only the document's author gets that answer for a repeat: anyone else's identical copy is
checked in full, as before.
"""

from __future__ import annotations

import copy

import pytest
import sqlalchemy as sa

from careobs.accounts import service as accounts
from careobs.audits.models import Audit
from careobs.audits.schedules import AuditChampion
from careobs.checklists.models import Checklist
from careobs.visits.models import MonitoringVisit
from tests.support import fixtures
from tests.support.audits import CARE_PLAN, audit_doc, person, starter_templates
from tests.support.visits import spot_check

checklist = fixtures.checklist
org = fixtures.org  # Acme with H01's consent on record, for the visits


@pytest.fixture
def templates(app, db, org):
    return starter_templates(app, db, org.org.id)


def revised(document: dict, revision: int, **changes) -> dict:
    """The same document at a later revision, with ``changes`` to its data."""
    later = copy.deepcopy(document)
    later["revision"] = revision
    later["data"].update(changes)
    return later


@pytest.fixture
def champion(db, org, login_as, templates):
    """Stan Staff named champion of the care plan audit at the care home; returns the
    manager's client (who may remove him)."""
    manager = login_as(org.manager)
    template = db.scalar(
        sa.select(Checklist).where(
            Checklist.organisation_id == org.org.id, Checklist.name == CARE_PLAN
        )
    )
    response = manager.post(
        f"/audits/services/{org.care_home.uuid}/champions",
        data={"template": template.uuid.hex, "user": org.staff.uuid.hex},
    )
    assert response.status_code == 302
    return manager


def remove_champion(db, manager) -> None:
    db.expire_all()
    [assignment] = db.scalars(sa.select(AuditChampion)).all()
    assert manager.post(f"/audits/champions/{assignment.uuid}/remove").status_code == 302


@pytest.mark.parametrize("status", ["draft", "submitted"])
def test_an_audit_resent_after_its_champion_was_removed(
    db, org, client_as, champion, templates, status
):
    stan = client_as(org.staff)
    audit = audit_doc(org.care_home, templates[CARE_PLAN], person("R01"), status=status)
    assert [r["status"] for r in stan(audit)] == ["created"]
    remove_champion(db, champion)

    [again] = stan(audit)  # the same revision: the first answer was lost

    assert again == {"id": audit["id"], "status": "unchanged", "revision": 1}
    [newer] = stan(revised(audit, 2, went_well="Added later."))
    assert newer["status"] == "forbidden"
    assert list(newer["errors"]) == ["template_id"]
    db.expire_all()
    [stored] = db.scalars(sa.select(Audit)).all()
    assert (stored.revision, stored.went_well) == (1, "")


def test_a_visit_resent_after_its_supervisor_left_the_service(app, db, org, client_as, checklist):
    sue = client_as(org.supervisor)
    hal = org.staff_members["Hal Homecare"]
    visit = spot_check(org.homecare, hal, checklist, status="draft")
    assert [r["status"] for r in sue(visit)] == ["created"]
    with app.app_context():
        accounts.set_memberships(db, org.supervisor, {org.homecare.id: None})
        db.commit()

    [again] = sue(visit)

    assert again == {"id": visit["id"], "status": "unchanged", "revision": 1}
    [newer] = sue(revised(visit, 2, status="submitted"))
    assert newer["status"] == "forbidden"
    assert newer["errors"] == {"service_id": ["You cannot record for this service."]}
    db.expire_all()
    [stored] = db.scalars(sa.select(MonitoringVisit)).all()
    assert (stored.revision, stored.status) == (1, "draft")


def test_someone_elses_identical_copy_is_checked_in_full(db, org, client_as, checklist):
    hal = org.staff_members["Hal Homecare"]
    visit = spot_check(org.homecare, hal, checklist, status="draft")
    assert [r["status"] for r in client_as(org.supervisor)(visit)] == ["created"]

    # Stan, a care worker with no rights at the homecare service, sends the very same copy.
    [answer] = client_as(org.staff)(visit)

    assert answer["status"] == "forbidden"


def test_another_organisation_never_gets_unchanged(db, org, other, client_as, checklist):
    hal = org.staff_members["Hal Homecare"]
    visit = spot_check(org.homecare, hal, checklist, status="draft")
    assert [r["status"] for r in client_as(org.supervisor)(visit)] == ["created"]

    [answer] = client_as(other.admin)(visit)

    assert answer["status"] == "forbidden"
    assert answer["errors"] == {"id": ["This document belongs to someone else."]}
