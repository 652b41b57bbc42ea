"""The organisation's settings saved by several admins at the same instant, through a real
threaded server — SQLite, or PostgreSQL when CAREOBS_TEST_DATABASE_URL is set: one settings
row, holding one of the values sent, one audit event per save, never a 5xx. To make the saves
overlap every time, each waits a moment after taking the lock (the server runs in this
process)."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.org import settings_views
from careobs.org.models import OrganisationSettings
from tests.factories import DataBuilder
from tests.support.database import count
from tests.support.race import threaded_app, together
from tests.support.web import PASSWORD
from tests.sync.devices import SyncClient
from tests.test_settings import form

CLIENTS = 4


@pytest.fixture
def race(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("CAREOBS_INSTANCE_PATH", str(tmp_path / "instance"))
    clients = []
    with threaded_app(database_url, tmp_path, "settings-race") as (app, db, port):
        acme = DataBuilder(app, db, PASSWORD).organisation()
        db.commit()
        try:
            for _ in range(CLIENTS):
                client = SyncClient(port, ledger=None)
                client.log_in(acme.admin.email)
                clients.append(client)
            yield acme, db, clients
        finally:
            for client in clients:
                client.close()


def save_at_once(clients, bodies: list[bytes]):
    def save(client: SyncClient, body: bytes):
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": client.token,
        }
        return client.request("POST", "/admin/settings/", body, headers)

    return together(*(lambda c=c, b=b: save(c, b) for c, b in zip(clients, bodies, strict=True)))


def test_admins_saving_the_first_settings_at_once_make_one_row(race, monkeypatch):
    acme, db, clients = race
    locked = settings_views.lock_for_writing

    def slowly(*args, **kwargs):
        locked(*args, **kwargs)
        time.sleep(0.2)

    monkeypatch.setattr(settings_views, "lock_for_writing", slowly)
    months = [2, 3, 4, 5]
    bodies = [urlencode(form(calibration_interval_months=m)).encode() for m in months]

    replies = save_at_once(clients, bodies)

    assert {r.status for r in replies} == {302}, [(r.status, r.body[:300]) for r in replies]
    db.expire_all()
    assert count(db, OrganisationSettings) == 1
    assert db.get(OrganisationSettings, acme.org.id).calibration_interval_months in months
    events = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "settings_changed"))
    assert len(list(events)) == CLIENTS
