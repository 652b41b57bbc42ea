"""A small organisation with one of every record, written as users write them, and helpers to
read an export back.

``scene.acme`` is Acme Care from the factories plus the default checklist, a submitted QUIS
session (three interactions) and a submitted monitoring visit (one action) synced by Sue
Supervisor, an addendum to each, and team feedback to Carla Carer. ``scene.other`` is a second
organisation with its own session, whose records must never appear in Acme's export.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from careobs.checklists import service as checklists
from careobs.org.models import Organisation
from tests.api.conftest import SyncApi, interaction, quis_doc
from tests.conftest import Auth
from tests.factories import OrgData
from tests.spotchecks.conftest import action, checklist_info, spot_check

OTHER_NOTES = "Other Org lunch: nothing of this may leave Other Org."


@dataclass
class Scene:
    acme: OrgData
    other: OrgData
    quis: dict  # the synced quis_session document
    visit: dict  # the synced spot_check document
    other_quis: dict


def _sync_as(app, user, *documents) -> None:
    client = app.test_client()
    Auth(client).login(user)
    results = SyncApi(client)(*documents)
    assert [r["status"] for r in results] == ["created"] * len(documents), results


def _post_as(app, user, url: str, form: dict) -> None:
    client = app.test_client()
    Auth(client).login(user)
    response = client.post(url, data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.fixture
def scene(app, db, data) -> Scene:
    acme = data.organisation()
    acme.people["H01"].consent = "yes"
    acme.people["R01"].initials = "AB"
    db.commit()
    other = data.organisation("Other Org", prefix="other")
    with app.app_context():
        checklist_uuid = checklists.create_default(db, acme.org.id, actor=acme.admin).uuid
        db.commit()
    carla = acme.staff_members["Carla Carer"]
    hal = acme.staff_members["Hal Homecare"]

    quis = quis_doc(
        acme.care_home,
        area=acme.areas["Lounge"],
        status="submitted",
        went_well="Lunch was calm.",
        interactions=[
            interaction("PS", staff=carla, minute=1),
            interaction("PC", people=("R01", "R02"), staff=carla, minute=2),
            interaction("NR", staff=None, minute=3, negative_reason="task_focused"),
        ],
    )
    visit = spot_check(
        acme.homecare,
        hal,
        checklist_info(db, checklist_uuid),
        ratings={0: "not_met"},
        actions=[action(hal)],
    )
    _sync_as(app, acme.supervisor, quis, visit)
    addendum = {"reason": "Late entry", "text": "Also: R02 chose to eat later."}
    _post_as(app, acme.supervisor, f"/quis/sessions/{quis['id']}", addendum)
    _post_as(app, acme.supervisor, f"/visits/{visit['id']}", addendum)
    team = {"staff": [carla.uuid.hex], "went_well": "A kind lunch.", "to_develop": "", "send": "1"}
    _post_as(app, acme.supervisor, f"/feedback/team/{quis['id']}", team)

    other_quis = quis_doc(
        other.care_home,
        status="submitted",
        notes=OTHER_NOTES,
        interactions=[interaction("PS", staff=other.staff_members["Carla Carer"])],
    )
    _sync_as(app, other.supervisor, other_quis)
    db.expire_all()
    return Scene(acme, other, quis, visit, other_quis)


def organisation(db, org_data: OrgData) -> Organisation:
    """The organisation row, fresh from the database."""
    return db.get(Organisation, org_data.org.id)


def read_export(directory: Path) -> dict[str, list[dict]]:
    """Every file of an export by record type, as a list of dicts (CSV cells stay strings)."""
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    tables = {}
    for entry in manifest["files"]:
        path = directory / entry["name"]
        with path.open(encoding="utf-8", newline="") as f:
            if path.suffix == ".csv":
                tables[entry["record_type"]] = list(csv.DictReader(f))
            else:
                tables[entry["record_type"]] = [json.loads(line) for line in f]
        assert len(tables[entry["record_type"]]) == entry["rows"], entry
    return tables
