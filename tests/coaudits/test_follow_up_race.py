"""The same difference followed up at the same instant from five browsers (a manager in four,
the admin in one), through a real threaded server — SQLite, or PostgreSQL when
CAREOBS_TEST_DATABASE_URL is set: one action and one follow-up, every tap sent to that action,
never a 5xx. To make the taps overlap every time, raising the action waits a moment after its
check (the server runs in this process)."""

from __future__ import annotations

import json
import threading
import time

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from careobs import create_app
from careobs.actions import service as actions_service
from careobs.actions.models import Action
from careobs.audits.models import CoAuditFollowUp
from tests.factories import DataBuilder
from tests.support.audits import CARE_PLAN, audit_doc, person, starter_templates
from tests.support.coaudits import co_audit, stored_audit
from tests.support.database import count, empty_all_tables
from tests.support.web import PASSWORD
from tests.sync.devices import TIMEOUT, SyncClient

CLIENTS = 4


@pytest.fixture
def race(database_url, tmp_path, monkeypatch):
    """Acme's manager logged in from four browsers and its admin from one, a staff audit of
    R01 by the manager and a co-audit of it that differs on items 0, 1 and 2."""
    monkeypatch.setenv("CAREOBS_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "coaudit-race-secret-key-that-is-long-enough-0123",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "PUSH_DELIVERY_THREAD": False,
        }
    )
    engine = app.extensions["careobs.engine"]
    empty_all_tables(engine)
    db = app.extensions["careobs.sessionmaker"]()
    acme = DataBuilder(app, db, PASSWORD).organisation()
    db.commit()
    plan = starter_templates(app, db, acme.org.id)[CARE_PLAN]
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name="coaudit-race", daemon=True)
    thread.start()
    clients = []
    try:
        for user in [acme.manager] * CLIENTS + [acme.admin]:
            client = SyncClient(httpd.server_port, ledger=None)
            client.log_in(user.email)
            clients.append(client)
        document = audit_doc(acme.care_home, plan, person("R01"))
        reply = clients[0].request(
            "POST",
            "/api/v1/sync",
            json.dumps({"documents": [document]}).encode(),
            {"Content-Type": "application/json", "X-CSRFToken": clients[0].token},
        )
        assert reply.status == 200 and reply.results[0]["status"] == "created", reply.body[:300]
        staff_audit = stored_audit(db, document["id"])
        co = co_audit(
            db, staff_audit, by=acme.manager, ratings={0: "not_met", 1: "partly", 2: "not_met"}
        )
        yield acme, db, clients, plan, co
    finally:
        for client in clients:
            client.close()
        httpd.shutdown()
        thread.join(timeout=10)
        httpd.server_close()
        db.close()
        empty_all_tables(engine)
        engine.dispose()


def tap_at_once(clients, path: str, item: str):
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
            replies[index] = client.request("POST", path, f"item={item}".encode(), headers)
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


def test_five_taps_at_once_raise_one_action_per_difference(race, monkeypatch):
    acme, db, clients, plan, co = race
    locked = actions_service.lock_for_writing

    def slowly(*args, **kwargs):
        locked(*args, **kwargs)
        time.sleep(0.2)

    monkeypatch.setattr(actions_service, "lock_for_writing", slowly)
    path = f"/audits/{co.uuid}/comparison/follow-up"
    for round_, index in enumerate((0, 1, 2)):
        key = plan.items[index].key
        replies = tap_at_once(clients, path, key.hex)
        assert {r.status for r in replies} == {302}, [(r.status, r.body[:300]) for r in replies]
        assert count(db, Action) == round_ + 1
        assert count(db, CoAuditFollowUp) == round_ + 1
        action = db.scalar(
            sa.select(Action)
            .join(CoAuditFollowUp, CoAuditFollowUp.action_id == Action.id)
            .where(CoAuditFollowUp.item_key == key)
        )
        assert action.audit_id == co.id
        assert action.owner_user_id in (acme.manager.id, acme.admin.id)
