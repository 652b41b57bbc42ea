"""The organisation's settings saved by several admins at the same instant, through a real
threaded server — SQLite, or PostgreSQL when CAREOBS_TEST_DATABASE_URL is set: one settings
row, holding one of the values sent, one audit event per save, never a 5xx. To make the saves
overlap every time, each waits a moment after taking the lock (the server runs in this
process)."""

from __future__ import annotations

import threading
import time
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from careobs import create_app
from careobs.audit.models import AuditEvent
from careobs.org import settings_views
from careobs.org.models import OrganisationSettings
from tests.factories import DataBuilder
from tests.support.database import count, empty_all_tables
from tests.support.web import PASSWORD
from tests.sync.devices import TIMEOUT, SyncClient
from tests.test_settings import form

CLIENTS = 4


@pytest.fixture
def race(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("CAREOBS_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "settings-race-secret-key-that-is-long-enough-0123",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "PUSH_DELIVERY_THREAD": False,
        }
    )
    engine = app.extensions["careobs.engine"]
    empty_all_tables(engine)
    db = app.extensions["careobs.sessionmaker"]()
    acme = DataBuilder(app, db, PASSWORD).organisation()
    db.commit()
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name="settings-race", daemon=True)
    thread.start()
    clients = []
    try:
        for _ in range(CLIENTS):
            client = SyncClient(httpd.server_port, ledger=None)
            client.log_in(acme.admin.email)
            clients.append(client)
        yield acme, db, clients
    finally:
        for client in clients:
            client.close()
        httpd.shutdown()
        thread.join(timeout=10)
        httpd.server_close()
        db.close()
        empty_all_tables(engine)
        engine.dispose()


def save_at_once(clients, bodies: list[bytes]):
    barrier = threading.Barrier(len(clients))
    replies = [None] * len(clients)
    failures: list[BaseException] = []

    def run(index: int, client: SyncClient) -> None:
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": client.token,
        }
        try:
            barrier.wait(TIMEOUT)
            replies[index] = client.request("POST", "/admin/settings/", bodies[index], headers)
        except BaseException as exc:  # handed to the test's thread below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(n, c)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a client thread is still waiting"
    if failures:
        raise failures[0]
    return replies


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
