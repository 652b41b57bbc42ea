"""Draws made at the same instant, through a real threaded server: one draw per place in the
service's line, each following the draw before it; the others are told someone else drew.

Several logged-in sessions post the draw form released together by a barrier (SQLite, or
PostgreSQL when CAREOBS_TEST_DATABASE_URL is set). Whichever way the race falls, a draw may
only ever follow the service's latest draw: never two draws with the same previous draw.
"""

from __future__ import annotations

import itertools
import re
import threading
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from careobs import create_app
from careobs.selection import service
from careobs.selection.models import SelectionDraw
from tests.factories import DataBuilder
from tests.support.database import empty_all_tables
from tests.support.selection import draws, post_draw
from tests.support.web import PASSWORD
from tests.sync.census import Reply
from tests.sync.devices import TIMEOUT, SyncClient

SOMEONE_ELSE = "Someone else drew for this service just now"
CLIENTS = 4
ROUNDS = 4


@pytest.fixture
def race_app(database_url, tmp_path, monkeypatch):
    """careobs on the test database with CSRF on, served without SERVER_NAME so a real
    server on 127.0.0.1 answers; the tables are emptied before and after."""
    monkeypatch.setenv("CAREOBS_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "selection-race-secret-key-that-is-long-enough-0123",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "PUSH_DELIVERY_THREAD": False,
        }
    )
    engine = app.extensions["careobs.engine"]
    empty_all_tables(engine)
    yield app
    empty_all_tables(engine)
    engine.dispose()


@pytest.fixture
def race(race_app):
    """Acme (tests/factories.py) with a homecare manager, served by werkzeug's threaded
    server; returns (organisation, a session, [a logged-in client per user])."""
    from werkzeug.serving import make_server

    db = race_app.extensions["careobs.sessionmaker"]()
    builder = DataBuilder(race_app, db, PASSWORD)
    acme = builder.organisation()
    managers = [
        builder.user(acme.org, f"hm{n}@acme.test", f"Manager {n}", roles={acme.homecare: "manager"})
        for n in range(CLIENTS - 2)
    ]
    db.commit()
    httpd = make_server("127.0.0.1", 0, race_app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name="selection-race", daemon=True)
    thread.start()
    clients = []
    try:
        for user in (acme.admin, acme.supervisor, *managers):
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


def post_at_once(clients, path: str, fields: dict) -> list[Reply]:
    """Each client posts the draw form from its own thread, released together."""
    barrier = threading.Barrier(len(clients))
    replies: list[Reply | None] = [None] * len(clients)
    failures: list[BaseException] = []

    def run(index: int, client: SyncClient) -> None:
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": client.token,
        }
        body = urlencode(fields).encode()
        try:
            barrier.wait(TIMEOUT)
            replies[index] = client.request("POST", path, body, headers)
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


def chain(db, service_id: int, kind: str) -> list[SelectionDraw]:
    db.expire_all()
    return list(
        db.scalars(
            sa.select(SelectionDraw)
            .where(SelectionDraw.service_id == service_id, SelectionDraw.kind == kind)
            .order_by(SelectionDraw.sequence)
        )
    )


@pytest.mark.parametrize(
    ("path", "kind"), [("/selection/", "workers"), ("/selection/people", "people")]
)
def test_draws_at_the_same_instant_follow_each_other_or_are_refused(race, path, kind):
    acme, db, clients = race
    form = {"service": str(acme.homecare.uuid), "count": "1"}
    # The day's first draw, with no reason: one is made; the others, seeing it, are told
    # someone else drew just now, or (if it was already there when they came) asked why.
    replies = post_at_once(clients, path, form)
    statuses = sorted(r.status for r in replies)
    assert set(statuses) <= {200, 302, 409}, [str(r) for r in replies]  # never a 5xx
    assert statuses.count(302) == 1, [str(r) for r in replies]
    [first] = chain(db, acme.homecare.id, kind)
    for reply in replies:
        if reply.status == 409:
            assert SOMEONE_ELSE in reply.body.decode()
            assert f'href="/selection/{first.uuid}"' in reply.body.decode()
        elif reply.status == 200:
            assert "say why you are drawing again" in reply.body.decode()
    made = 1
    for round_ in range(ROUNDS):
        reason = {"reason": f"Round {round_}: another draw for the rota"}
        replies = post_at_once(clients, path, form | reason)
        assert {r.status for r in replies} <= {302, 409}, [str(r) for r in replies]
        made += sum(r.status == 302 for r in replies)
        found = chain(db, acme.homecare.id, kind)
        assert len(found) == made
        latest = found[-1]
        for reply in replies:
            if reply.status == 409:
                page = reply.body.decode()
                assert SOMEONE_ELSE in page
                linked = re.search(r'href="/selection/([0-9a-f-]{36})">see their draw', page)
                assert linked and linked.group(1) in {str(d.uuid) for d in found}
        assert latest.sequence == made
    found = chain(db, acme.homecare.id, kind)
    assert [d.sequence for d in found] == list(range(1, len(found) + 1))
    previous = [d.inputs["previous_draw"] for d in found]
    assert previous == [None, *(str(d.uuid) for d in found[:-1])]
    assert len(set(previous)) == len(previous)  # never two draws after the same draw
    for before, after in itertools.pairwise(found):
        assert after.inputs["previous_pick"] == [r["key"] for r in before.result]
        assert after.repeat_reason and after.repeat_reason.startswith("Round ")
        assert service.verify(after)


def test_the_database_refuses_a_second_draw_in_the_same_place(org, homecare_manager, db):
    def row(seed):
        return SelectionDraw(
            organisation_id=org.org.id,
            service_id=org.homecare.id,
            kind="workers",
            sequence=1,
            seed=seed,
            inputs={},
            result=[],
            requested_by_id=homecare_manager.id,
        )

    db.add(row("one"))
    db.commit()
    db.add(row("two"))
    with pytest.raises(sa.exc.IntegrityError):
        db.commit()
    db.rollback()
    other = row("people")
    other.kind = "people"
    db.add(other)
    db.commit()  # the same number in another kind's line is fine


def test_a_draw_that_loses_its_place_is_refused_and_points_to_the_winner(
    org, homecare_manager, login_as, db, monkeypatch
):
    # As if the lock had let two through: this request read draw 1 as the latest, but
    # another draw took place 2 before it wrote. The unique sequence refuses it; the page
    # names the draw that took the place, and nothing of this request is kept.
    client = login_as(homecare_manager)
    post_draw(client, org.homecare, count=1)
    post_draw(client, org.homecare, count=1, reason="Second round for the rota")
    first, second = draws(db)
    real = service.previous_draw
    stale = iter([first, first])

    def previous_draw(session, svc, kind):
        return next(stale, None) or real(session, svc, kind)

    monkeypatch.setattr(service, "previous_draw", previous_draw)

    response = post_draw(client, org.homecare, count=1, reason="Third round for the rota")

    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert SOMEONE_ELSE in page and f'href="/selection/{second.uuid}">see their draw' in page
    assert draws(db) == [first, second]
