"""Requests racing on a real threaded server: the app, its server and the release of calls at
one instant, for the race tests that are not sync batches (tests/sync/devices.py has those).

    with threaded_app(database_url, tmp_path, "pair-race") as (app, db, port):
        ...
        first, second = together(lambda: post(a, doc), lambda: post(b, doc))
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

from careobs import create_app
from tests.support.database import empty_all_tables

TIMEOUT = 45  # seconds: a barrier or a thread that takes longer fails the test


@contextmanager
def threaded_app(database_url: str, tmp_path: Path, name: str) -> Iterator[tuple[Any, Any, int]]:
    """A careobs app on the test database (emptied before and after), served by a threaded
    werkzeug server on a free port in this process: yields ``(app, db, port)``. The caller sets
    CAREOBS_INSTANCE_PATH (monkeypatch) so the app's keys go to a temporary folder."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": f"{name}-secret-key-that-is-long-enough-0123456789",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "PUSH_DELIVERY_THREAD": False,
        }
    )
    engine = app.extensions["careobs.engine"]
    empty_all_tables(engine)
    db = app.extensions["careobs.sessionmaker"]()
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield app, db, httpd.server_port
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
        httpd.server_close()
        db.close()
        empty_all_tables(engine)
        engine.dispose()


def together(*calls: Callable[[], Any]) -> list[Any]:
    """Run each call in its own thread, released at once by a barrier; their results in order.
    A call that raises fails the test with its exception."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    failures: list[BaseException] = []

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(TIMEOUT)
            results[index] = call()
        except BaseException as exc:  # handed to the test's thread below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a client thread is still waiting"
    if failures:
        raise failures[0]
    return results
