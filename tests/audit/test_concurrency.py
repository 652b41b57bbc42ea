"""Audited writes racing on a real threaded server still make one unbroken chain: the chain's
head serialises them (careobs/audit/chaining.py), on SQLite and on PostgreSQL."""

from __future__ import annotations

import http.client
import re
import threading
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from careobs.audit.integrity import verify
from careobs.audit.models import AuditEvent
from tests.audit.tampering import head
from tests.support.database import count
from tests.support.web import PASSWORD

CLIENTS = 8
LOGINS_EACH = 4
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def port(app) -> Iterator[int]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="careobs-audit-race")
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def log_in(port: int, email: str) -> int:
    """A new browser session logs in: GET the form, POST it; the POST's status."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/login")
        response = conn.getresponse()
        page = response.read().decode()
        cookie = response.getheader("Set-Cookie").split(";", 1)[0]
        body = urlencode(
            {"csrf_token": CSRF_FIELD.search(page).group(1), "email": email, "password": PASSWORD}
        )
        headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
        conn.request("POST", "/login", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_concurrent_audited_logins_make_one_intact_chain(data, db, engine, port):
    org = data.organisation()
    users = [data.user(org.org, f"racer{n}@acme.test", f"Racer {n}") for n in range(CLIENTS)]
    db.commit()
    before = head(db)[0]
    barrier = threading.Barrier(CLIENTS)
    statuses: list[list[int]] = [[] for _ in users]
    failures: list[BaseException] = []

    def client(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            for _ in range(LOGINS_EACH):
                statuses[n].append(log_in(port, users[n].email))
        except BaseException as exc:  # handed to the test's thread below
            failures.append(exc)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures, failures[0]
    assert statuses == [[302] * LOGINS_EACH] * CLIENTS
    assert count(db, AuditEvent, AuditEvent.action == "login") == CLIENTS * LOGINS_EACH
    db.close()

    verdict = verify(engine)
    assert verdict.intact, verdict.describe()
    assert verdict.events == head(db)[0] == before + CLIENTS * LOGINS_EACH
    seqs = db.scalars(sa.select(AuditEvent.seq).order_by(AuditEvent.seq)).all()
    assert seqs == list(range(1, len(seqs) + 1))
