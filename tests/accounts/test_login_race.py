"""The login rate limits hold when the attempts arrive at once, through real servers.

Every attempt has its own session (cookie and CSRF token from GET /login) and all of them are
released together by a barrier, against one threaded server and against several server
processes on the same database, as gunicorn workers would be. A password check that fails
writes one ``login_failed`` audit event, so those events count the checks that failed.
"""

from __future__ import annotations

import http.client
import multiprocessing
import re
import threading
from collections import Counter
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from careobs.accounts import service
from careobs.accounts.models import LoginFailure
from careobs.audit.models import AuditEvent
from tests.accounts import login_race_server
from tests.support.web import PASSWORD

Address = tuple[str, int]

PROCESSES = 3
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture(scope="module")
def server_processes(database_url, tmp_path_factory) -> Iterator[list[Address]]:
    """Several careobs server processes on the test database, started once for the module."""
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "login-race-secret-key-that-is-long-enough-0123456789",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "PUSH_DELIVERY_THREAD": False,
    }
    ctx = multiprocessing.get_context("spawn")  # fork in a threaded process is unsafe
    ports, stop = ctx.Queue(), ctx.Event()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CAREOBS_INSTANCE_PATH", str(tmp_path_factory.mktemp("instance")))
        workers = [
            ctx.Process(target=login_race_server.serve, args=(config, ports, stop))
            for _ in range(PROCESSES)
        ]
        for worker in workers:
            worker.start()
    try:
        yield [("127.0.0.1", ports.get(timeout=60)) for _ in workers]
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
        ports.close()
        ports.join_thread()
    assert [w.exitcode for w in workers] == [0] * PROCESSES


@pytest.fixture(params=["one threaded server", f"{PROCESSES} server processes"])
def servers(request, app) -> Iterator[list[Address]]:
    """The addresses to send the attempts to, spread over them in turn."""
    if request.param != "one threaded server":
        yield request.getfixturevalue("server_processes")
        return
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="careobs-login-race")
    thread.start()
    try:
        yield [("127.0.0.1", server.server_port)]
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def open_login_form(address: Address) -> tuple[str, str]:
    """A new browser session: its cookie and the CSRF token of its login form."""
    conn = http.client.HTTPConnection(*address, timeout=30)
    try:
        conn.request("GET", "/login")
        response = conn.getresponse()
        page = response.read().decode()
        assert response.status == 200, page[:500]
        cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    finally:
        conn.close()
    return cookie, CSRF_FIELD.search(page).group(1)


def post_login(address: Address, session: tuple[str, str], email: str, password: str) -> int:
    cookie, token = session
    body = urlencode({"csrf_token": token, "email": email, "password": password})
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    conn = http.client.HTTPConnection(*address, timeout=30)
    try:
        conn.request("POST", "/login", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()
    return response.status


def all_at_once(addresses: list[Address], attempts: list[tuple[str, str]]) -> Counter:
    """Send every (email, password) attempt at the same moment, each from its own session;
    returns how many responses had each status."""
    sessions = [open_login_form(addresses[i % len(addresses)]) for i in range(len(attempts))]
    barrier = threading.Barrier(len(attempts))
    statuses: list[int | str] = ["no answer"] * len(attempts)

    def send(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            statuses[i] = post_login(addresses[i % len(addresses)], sessions[i], *attempts[i])
        except Exception as exc:  # reported by the test's assertion on the statuses
            statuses[i] = f"{type(exc).__name__}: {exc}"

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return Counter(statuses)


def one_by_one(addresses: list[Address], attempts: list[tuple[str, str]]) -> list[int]:
    return [post_login(addresses[0], open_login_form(addresses[0]), *a) for a in attempts]


def checks_failed(db, user=None) -> int:
    """How many password checks failed (for ``user``'s account, or in all)."""
    db.expire_all()
    query = sa.select(sa.func.count()).select_from(AuditEvent)
    query = query.where(AuditEvent.action == "login_failed")
    if user is not None:
        query = query.where(AuditEvent.entity_id == str(user.uuid))
    return db.scalar(query)


def failures_counted(db, email: str) -> int:
    """The failures still counting against the account."""
    query = sa.select(sa.func.count()).select_from(LoginFailure)
    return db.scalar(query.where(LoginFailure.email == email))


def test_thirty_wrong_passwords_at_once_check_at_most_the_accounts_limit(app, servers, db, data):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    admin = data.organisation().admin

    statuses = all_at_once(servers, [(admin.email, f"wrong guess {i}") for i in range(30)])

    assert set(statuses) <= {200, 429}, statuses
    failed = checks_failed(db, admin)
    assert failed == statuses[200]
    assert failed <= limit
    # Refused attempts leave nothing behind: one at a time, the rest of the limit can still be
    # used (and no more), then even the right password is refused.
    later = one_by_one(servers, [(admin.email, "another guess")] * (limit - failed + 1))
    assert later == [200] * (limit - failed) + [429]
    assert checks_failed(db, admin) == failures_counted(db, admin.email) == limit
    assert one_by_one(servers, [(admin.email, PASSWORD)]) == [429]


def test_the_right_password_among_thirty_wrong_ones_checks_at_most_the_limit(
    app, servers, db, data
):
    """A login that succeeds forgives the account's failures made before it, as one after
    the other, but never opens the way for attempts already under way: at most limit - 1
    failures came before it and at most limit after."""
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    admin = data.organisation().admin
    attempts = [(admin.email, f"wrong guess {i}") for i in range(30)]
    attempts.insert(17, (admin.email, PASSWORD))

    statuses = all_at_once(servers, attempts)

    assert set(statuses) <= {200, 302, 429}, statuses
    assert statuses[302] <= 1
    failed = checks_failed(db, admin)
    assert failed == statuses[200]
    still_counted = failures_counted(db, admin.email)
    assert still_counted <= limit
    if statuses[302]:
        assert failed - still_counted <= limit - 1
    else:
        assert failed == still_counted <= limit


def test_forty_wrong_logins_from_one_address_at_once_check_at_most_its_limit(
    app, servers, db, data
):
    limit = app.config["LOGIN_MAX_FAILURES_PER_IP"]
    acme = data.organisation()
    guesses = [(f"guess{i}@acme.test", "a wrong password") for i in range(36)]
    guesses += [(user.email, "a wrong password") for user in (acme.admin, acme.manager)]
    guesses += [(acme.staff.email, PASSWORD), (acme.supervisor.email, PASSWORD)]

    statuses = all_at_once(servers, guesses)

    assert set(statuses) <= {200, 302, 429}, statuses
    failed = checks_failed(db)
    assert failed == statuses[200]
    assert failed <= limit
    fresh = [(f"later{i}@acme.test", "a guess") for i in range(limit - failed + 1)]
    later = one_by_one(servers, fresh)
    assert later == [200] * (limit - failed) + [429]


def test_an_attempt_whose_reservation_a_login_cleared_is_refused_unchecked(
    app, db, data, monkeypatch
):
    """The interleaving a burst can hit, made to happen: an attempt has committed its
    reservation and the account's owner logs in, clearing the account's failures, before the
    attempt counts. Counting without its reservation could let any number of such attempts be
    checked; it is refused instead."""
    admin = data.organisation().admin
    make_session = app.extensions["careobs.sessionmaker"]
    real_utcnow = service.utcnow
    owner_logged_in = []

    def owner_logs_in_first():  # called first when the attempt counts the recent failures
        if not owner_logged_in:
            owner_logged_in.append(True)
            with make_session() as owner:
                assert service.authenticate(owner, admin.email, PASSWORD, "192.0.2.1")
                owner.commit()
        return real_utcnow()

    monkeypatch.setattr(service, "utcnow", owner_logs_in_first)
    with app.app_context(), make_session() as attacker, pytest.raises(service.TooManyAttempts):
        service.authenticate(attacker, admin.email, "a guess", "203.0.113.5")

    assert owner_logged_in
    assert checks_failed(db, admin) == 0
    assert failures_counted(db, admin.email) == 0
    assert db.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "login")) == 1
