"""The admin export page: only organisation admins, CSRF-protected, a ZIP of the same files."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.export.tables import RECORD_TYPES

URL = "/admin/export"


def download(client, fmt: str):
    """POST for the ZIP; the response is read, then closed as a server would (closing the
    temporary file the ZIP was written to)."""
    response = client.post(URL, data={"format": fmt})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    response.get_data()
    response.close()
    return response


def test_the_page_explains_and_offers_both_formats(client, auth, data):
    acme = data.organisation()
    auth.login(acme.admin)
    page = client.get(URL).get_data(as_text=True)
    assert "<h1>Export your data</h1>" in page
    assert 'name="csrf_token"' in page
    assert 'name="format" value="csv"' in page and 'name="format" value="json"' in page
    assert "only as their codes" in page
    assert URL in client.get("/admin/").get_data(as_text=True)


@pytest.mark.parametrize(("fmt", "suffix"), [("csv", ".csv"), ("json", ".jsonl")])
def test_an_admin_downloads_a_zip_of_every_file_and_the_manifest(
    client, auth, db, scene, fmt, suffix
):
    auth.login(scene.acme.admin)
    response = download(client, fmt)

    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    assert f"-{fmt}.zip" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data()
    assert int(response.headers["Content-Length"]) == len(body)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = sorted(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        interactions = archive.read(f"quis_interactions{suffix}").decode()
    assert names == sorted(["manifest.json", *(t.name + suffix for t in RECORD_TYPES)])
    assert manifest["organisation"]["name"] == "Acme Care" and manifest["format"] == fmt
    rows = {f["record_type"]: f["rows"] for f in manifest["files"]}
    assert rows["quis_interactions"] == 3 and rows["visits"] == 1
    assert scene.quis["data"]["interactions"][0]["id"] in interactions
    assert scene.other_quis["id"] not in body.decode("latin-1")

    db.expire_all()
    [event] = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert event.actor_id == scene.acme.admin.id
    assert event.organisation_id == scene.acme.org.id
    assert event.summary.startswith(f"{fmt.upper()}, ") and "visits 1" in event.summary


@pytest.mark.parametrize("role", ["manager", "supervisor", "staff", "outsider"])
def test_anyone_but_an_org_admin_is_refused(client, auth, db, data, role):
    acme = data.organisation()
    auth.login(getattr(acme, role))
    assert client.get(URL).status_code == 403
    assert client.post(URL, data={"format": "csv"}).status_code == 403
    assert URL not in client.get("/admin/").get_data(as_text=True)
    assert db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "export")) is None


def test_anonymous_visitors_are_sent_to_log_in(client, data):
    data.organisation()
    for response in (client.get(URL), client.post(URL, data={"format": "csv"})):
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_a_post_without_the_csrf_token_fails(client, auth, db, data):
    acme = data.organisation()
    auth.login(acme.admin)
    response = client.post(URL, data={"format": "csv"}, csrf=False)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "export")) is None


def test_an_unknown_format_is_refused(client, auth, db, data):
    acme = data.organisation()
    auth.login(acme.admin)
    for form in ({"format": "xml"}, {}):
        response = client.post(URL, data=form)
        assert response.status_code == 400
        assert "Please choose a format" in response.get_data(as_text=True)
    assert db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "export")) is None
