"""Two managers give the same work at the same instant, on a threaded server: one assignment,
one audit event, one notice, and both answered with a redirect (never a 5xx)."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.checkers.models import CheckerAssignment
from careobs.notifications.models import Notification


def served_at_once(app, users, path: str, bodies: list[str]) -> list:
    """POST ``bodies[n]`` to ``path`` as ``users[n]`` (each logged in on their own connection),
    all released by one barrier; the replies in order."""
    from werkzeug.serving import make_server

    from tests.sync.census import Ledger
    from tests.sync.devices import SyncClient

    app.config["SERVER_NAME"] = None  # served on 127.0.0.1, not careobs.test
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    clients = []
    try:
        for user in users:
            client = SyncClient(httpd.server_port, Ledger())
            client.log_in(user.email)
            clients.append(client)
        barrier = threading.Barrier(len(clients))
        replies: list = [None] * len(clients)

        def post(index: int, client) -> None:
            body = f"{bodies[index]}&csrf_token={client.token}"
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": client.token,
            }
            barrier.wait(30)
            replies[index] = client.request("POST", path, body.encode(), headers)

        threads = [threading.Thread(target=post, args=(n, c)) for n, c in enumerate(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        for client in clients:
            client.close()
        httpd.shutdown()
        thread.join(10)
        httpd.server_close()
    return replies


def outcome(db):
    db.expire_all()
    return (
        db.scalars(sa.select(CheckerAssignment)).all(),
        db.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "checker_assignment.assign")
        ).all(),
        db.scalars(sa.select(Notification)).all(),
    )


@pytest.mark.parametrize("same_checker", [True, False], ids=["same-checker", "two-checkers"])
def test_two_managers_giving_the_same_person_at_once_make_one_assignment(
    app, db, org, homecare_manager, checker, second_checker, homecare_draw, same_checker
):
    chosen = [checker, checker if same_checker else second_checker]
    replies = served_at_once(
        app,
        [homecare_manager, org.admin],
        f"/checkers/draws/{homecare_draw.uuid}/people/H01",
        [f"checker={c.uuid.hex}" for c in chosen],
    )
    assert [r.status for r in replies] == [302, 302], replies
    [given], [event], [notice] = outcome(db)
    assert given.user_id in {c.id for c in chosen}
    assert event.entity_id == str(given.id)
    assert notice.user_id == given.user_id


def test_a_double_submitted_co_audit_at_once_is_one(
    app, db, org, homecare_manager, checker, staff_audit
):
    replies = served_at_once(
        app,
        [homecare_manager, homecare_manager],
        f"/checkers/co-audits/{staff_audit.uuid}",
        [f"checker={checker.uuid.hex}"] * 2,
    )
    assert [r.status for r in replies] == [302, 302], replies
    [given], [_event], [_notice] = outcome(db)
    assert (given.audit_id, given.user_id) == (staff_audit.id, checker.id)
