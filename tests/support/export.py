"""Reading an export back, and writing records as users write them for one."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from careobs.org.models import Organisation
from tests.factories import OrgData
from tests.support.sync import SyncApi
from tests.support.web import Auth

OTHER_NOTES = "Other Org lunch: nothing of this may leave Other Org."


@dataclass
class Scene:
    acme: OrgData
    other: OrgData
    quis: dict  # the synced quis_session document
    visit: dict  # the synced spot_check document
    other_quis: dict


def sync_as_user(app, user, *documents) -> None:
    client = app.test_client()
    Auth(client).login(user)
    results = SyncApi(client)(*documents)
    assert [r["status"] for r in results] == ["created"] * len(documents), results


def post_form_as(app, user, url: str, form: dict) -> None:
    client = app.test_client()
    Auth(client).login(user)
    response = client.post(url, data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


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
