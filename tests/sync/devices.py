"""Devices talking to a real threaded careobs server at once: each :class:`SyncClient` has its
own login session (cookie jar and CSRF token) on its own keep-alive connection, and
``at_once(Send(...), ...)`` releases requests from several threads at the same instant through a
barrier (each may wait ``delay`` seconds more)."""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from tests.support.sync import SYNC_URL
from tests.support.web import PASSWORD
from tests.sync.census import Ledger, Reply
from tests.sync.documents import batch_body

TIMEOUT = 45  # seconds: a request, a barrier or a thread that takes longer fails the test


class SyncClient:
    """One device: its own keep-alive connection, cookie jar and CSRF token (standard library)."""

    def __init__(self, port: int, ledger: Ledger):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        self.cookies: dict[str, str] = {}
        self.token: str | None = None
        self.ledger = ledger

    def request(self, method: str, path: str, body: bytes | None = None, headers=None) -> Reply:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Reply(response.status, data)

    def log_in(self, email: str, password: str = PASSWORD) -> None:
        """Log in through the form, as a browser does, then fetch a token for the API."""
        page = self.request("GET", "/login")
        match = re.search(rb'<meta name="csrf-token" content="([^"]+)"', page.body)
        assert page.status == 200 and match, f"GET /login: {page}"
        form = {"csrf_token": match.group(1).decode(), "email": email, "password": password}
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        reply = self.request("POST", "/login", urlencode(form).encode(), headers)
        assert reply.status == 302, f"POST /login: {reply}"
        reply = self.request("GET", "/api/v1/csrf")
        assert reply.status == 200, f"GET /api/v1/csrf: {reply}"
        self.token = json.loads(reply.body)["csrf_token"]

    def send(self, documents: list[dict], body: bytes | None = None) -> Reply:
        """POST a batch (``body`` if given: a raw body for these documents) and note the
        answers in the ledger."""
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.token}
        reply = self.request("POST", SYNC_URL, body or batch_body(documents), headers)
        self.ledger.note(documents, reply)
        return reply

    def close(self) -> None:
        self.conn.close()


@dataclass
class Send:
    """One request of a concurrent round: ``client`` posts ``documents`` ``delay`` seconds after
    the others are released (the body is encoded beforehand, so it costs nothing then)."""

    client: SyncClient
    documents: list[dict]
    delay: float = 0.0
    body: bytes | None = None

    def __post_init__(self):
        if self.body is None:
            self.body = batch_body(self.documents)


def at_once(*sends: Send) -> list[Reply]:
    """Send every request from its own thread, released together by a barrier; the replies in
    the order given."""
    barrier = threading.Barrier(len(sends))
    replies: list[Reply | None] = [None] * len(sends)
    failures: list[BaseException] = []

    def run(index: int, send: Send) -> None:
        try:
            barrier.wait(TIMEOUT)
            if send.delay:
                time.sleep(send.delay)
            replies[index] = send.client.send(send.documents, send.body)
        except BaseException as exc:  # handed to the test's thread below
            failures.append(exc)

    threads = [
        threading.Thread(target=run, args=(n, send), name=f"sync-client-{n}")
        for n, send in enumerate(sends)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a client thread is still waiting"
    if failures:
        raise failures[0]
    return replies


def assert_ok(*replies: Reply) -> None:
    """Every reply is a 200 (never a 5xx, never a 409 asking to send the batch again)."""
    bad = [str(r) for r in replies if r.status != 200]
    assert not bad, "not every request was answered 200:\n" + "\n".join(bad)
