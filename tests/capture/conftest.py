"""A submitted record of each kind, synced by Sue Supervisor of Acme Care, to add addenda to."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from careobs.checklists import service as checklists
from tests.factories import OrgData
from tests.support.quis import interaction, quis_doc
from tests.support.sync import SyncApi
from tests.support.visits import checklist_info, spot_check
from tests.support.web import Auth


@dataclass
class Records:
    acme: OrgData
    quis: dict  # a submitted quis_session document
    visit: dict  # a submitted spot_check document

    def url(self, kind: str) -> str:
        """The page of the record of ``kind``, where its addenda are posted."""
        if kind == "quis_session":
            return f"/quis/sessions/{self.quis['id']}"
        return f"/visits/{self.visit['id']}"

    def document(self, kind: str) -> dict:
        return self.quis if kind == "quis_session" else self.visit


@pytest.fixture
def records(app, db, data) -> Records:
    acme = data.organisation()
    acme.people["H01"].consent = "yes"
    db.commit()
    with app.app_context():
        checklist_uuid = checklists.create_default(db, acme.org.id, actor=acme.admin).uuid
        db.commit()
    quis = quis_doc(
        acme.care_home,
        status="submitted",
        interactions=[interaction("PS", staff=acme.staff_members["Carla Carer"])],
    )
    hal = acme.staff_members["Hal Homecare"]
    visit = spot_check(acme.homecare, hal, checklist_info(db, checklist_uuid))
    client = app.test_client()
    Auth(client).login(acme.supervisor)
    assert [r["status"] for r in SyncApi(client)(quis, visit)] == ["created", "created"]
    db.expire_all()
    return Records(acme, quis, visit)
