"""The same compliment or concern response sent several times at the same instant, through a
real threaded server (SQLite, or PostgreSQL when CAREOBS_TEST_DATABASE_URL is set): one entry,
each named worker's feedback drafted once, and a concern's action raised once; never a 5xx."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from careobs import create_app
from careobs.actions.models import Action
from careobs.compliments import sections
from careobs.compliments.models import Compliment, ComplimentSection
from careobs.feedback.models import Feedback
from tests.clock import local_today
from tests.factories import DataBuilder
from tests.support.database import empty_all_tables
from tests.support.web import PASSWORD
from tests.sync.census import Reply
from tests.sync.devices import TIMEOUT, SyncClient

CLIENTS = 4


@pytest.fixture
def race(database_url, tmp_path, monkeypatch):
    """Acme with its supervisor logged in from four browsers, and its admin, served by
    werkzeug's threaded server; returns (organisation, a session, [clients]), the admin's
    client last."""
    monkeypatch.setenv("CAREOBS_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "compliments-race-secret-key-that-is-long-enough-01",
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
    thread = threading.Thread(target=httpd.serve_forever, name="compliments-race", daemon=True)
    thread.start()
    clients = []
    try:
        for user in [acme.supervisor] * CLIENTS + [acme.admin]:
            client = SyncClient(httpd.server_port, ledger=None)
            client.log_in(user.email)
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


def post_at_once(clients, path: str, fields: dict) -> list[Reply]:
    """Each client posts the form from its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(clients))
    replies: list[Reply | None] = [None] * len(clients)
    failures: list[BaseException] = []

    def run(index: int, client: SyncClient) -> None:
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": client.token,
        }
        try:
            barrier.wait(TIMEOUT)
            replies[index] = client.request(
                "POST", path, urlencode(fields, doseq=True).encode(), headers
            )
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


def count(db, model, *where) -> int:
    db.expire_all()
    return db.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def entry_form(acme, kind: str = "compliment") -> dict:
    staff = acme.staff_members["Hal Homecare"].uuid.hex if kind == "compliment" else []
    return {
        "entry_id": uuid.uuid4().hex,
        "service": acme.homecare.uuid.hex,
        "kind": kind,
        "section": "staff",
        "received_on": local_today().isoformat(),
        "source": "professional",
        "text": "The GP praised how clearly Hal reported the change in skin.",
        "staff": staff,
    }


def test_a_compliment_sent_at_once_from_four_browsers_is_one_entry_and_one_feedback(race):
    acme, db, clients = race
    for round_ in range(3):
        fields = entry_form(acme)
        replies = post_at_once(clients[:CLIENTS], "/compliments/new", fields)
        assert {r.status for r in replies} == {302}, [(r.status, r.body[:300]) for r in replies]
        entry_id = uuid.UUID(fields["entry_id"])
        assert count(db, Compliment, Compliment.uuid == entry_id) == 1
        assert count(db, Compliment) == round_ + 1
        entry = db.scalar(sa.select(Compliment).where(Compliment.uuid == entry_id))
        assert count(db, Feedback, Feedback.compliment_id == entry.id) == 1
        assert count(db, Feedback) == round_ + 1


def test_the_same_form_from_another_user_is_refused_not_shown(race):
    """An entry id someone else used is theirs: 409, and their entry is not shown."""
    acme, db, clients = race
    fields = entry_form(acme)
    [admin_reply] = post_at_once(clients[-1:], "/compliments/new", fields)
    assert admin_reply.status == 302
    [reply] = post_at_once(clients[:1], "/compliments/new", fields)
    assert reply.status == 409
    assert "The GP praised" not in reply.body.decode()
    assert count(db, Compliment) == 1 and count(db, Feedback) == 1


def test_a_concern_answered_at_once_from_five_browsers_raises_one_action(race):
    acme, db, clients = race
    fields = entry_form(acme, "concern")
    [reply] = post_at_once(clients[:1], "/compliments/new", fields)
    assert reply.status == 302
    entry = db.scalar(sa.select(Compliment).where(Compliment.uuid == uuid.UUID(fields["entry_id"])))
    response = {
        "response": "Talked it through with the family.",
        "action": "Add skin checks to the visit notes.",
        "owner": "",
        "due_on": (local_today() + timedelta(days=14)).isoformat(),
    }
    # The supervisor from four browsers and the admin, at the same instant.
    replies = post_at_once(clients, f"/compliments/{entry.uuid}/respond", response)
    assert {r.status for r in replies} == {302}, [(r.status, r.body[:300]) for r in replies]
    assert count(db, Action) == 1
    db.expire_all()
    entry = db.get(Compliment, entry.id)
    assert entry.action_id == db.scalar(sa.select(Action.id))
    assert entry.response == response["response"]


@pytest.fixture
def admins(race):
    """Acme's admin logged in from four more browsers (the race's clients stay as they are)."""
    acme, db, clients = race
    port = clients[-1].conn.port
    extra = []
    try:
        for _ in range(CLIENTS):
            client = SyncClient(port, ledger=None)
            client.log_in(acme.admin.email)
            extra.append(client)
        clients[-1].request("GET", "/compliments/sections/")  # the default sections
        yield acme, db, [clients[-1], *extra]
    finally:
        for client in extra:
            client.close()


def offered(db, acme) -> list[str]:
    db.expire_all()
    return list(
        db.scalars(
            sa.select(ComplimentSection.key)
            .where(
                ComplimentSection.organisation_id == acme.org.id,
                ComplimentSection.active.is_(True),
            )
            .order_by(ComplimentSection.key)
        )
    )


def withdraw_at_once(clients, keys: list[str]) -> list[Reply]:
    """Each client stops offering its own section, from its own thread, at the same instant."""
    barrier = threading.Barrier(len(clients))
    replies: list[Reply | None] = [None] * len(clients)

    def withdraw(index: int) -> None:
        client = clients[index]
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": client.token,
        }
        barrier.wait(TIMEOUT)
        replies[index] = client.request(
            "POST", f"/compliments/sections/{keys[index]}/offered", b"offered=0", headers
        )

    threads = [threading.Thread(target=withdraw, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert all(r is not None for r in replies), "a client got no answer"
    return replies


def test_two_admins_withdrawing_the_last_two_sections_at_once_leave_one(admins, monkeypatch):
    """Each withdrawal waits a moment between its check and its commit (the server runs in this
    process), so the two overlap every time: the second must see the first's."""
    acme, db, clients = admins
    audited = sections.record_about

    def slowly(*args, **kwargs):
        time.sleep(0.3)
        return audited(*args, **kwargs)

    monkeypatch.setattr(sections, "record_about", slowly)
    keys = offered(db, acme)
    assert len(keys) == 8
    for key in keys[2:]:
        [reply] = post_at_once(
            clients[:1], f"/compliments/sections/{key}/offered", {"offered": "0"}
        )
        assert reply.status == 302
    first, second = keys[:2]
    for round_ in range(4):
        replies = withdraw_at_once(clients[:2], [first, second])
        assert sorted(r.status for r in replies) == [302, 409], [
            (r.status, r.body[:300]) for r in replies
        ]
        still = offered(db, acme)
        assert len(still) == 1 and still[0] in (first, second), round_
        withdrawn = second if still == [first] else first
        [reply] = post_at_once(
            clients[:1], f"/compliments/sections/{withdrawn}/offered", {"offered": "1"}
        )
        assert reply.status == 302 and offered(db, acme) == [first, second]


def test_the_same_section_added_at_once_from_five_browsers_is_one_section(admins):
    acme, db, clients = admins
    for round_, label in enumerate(["Transport", "Laundry", "Night care"]):
        replies = post_at_once(clients, "/compliments/sections/", {"label": label})
        statuses = sorted(r.status for r in replies)
        assert statuses == [302] + [400] * (len(clients) - 1), [
            (r.status, r.body[:300]) for r in replies
        ]
        refused = next(r for r in replies if r.status == 400).body.decode()
        assert f"There is already a section called “{label}”." in refused
        db.expire_all()
        named = db.scalars(
            sa.select(ComplimentSection).where(
                ComplimentSection.organisation_id == acme.org.id,
                sa.func.lower(ComplimentSection.label) == label.lower(),
            )
        ).all()
        assert len(named) == 1, round_
        assert count(db, ComplimentSection) == 8 + round_ + 1
