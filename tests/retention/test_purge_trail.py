"""A purge leaves its trail whatever becomes of it: a started event committed before the first
batch, and its outcome — also when a batch fails mid-run, with the partial counts and why in
fixed words (never the error's text) — and old failed logins get an event of their own. One
organisation failing does not stop the next; the command exits 1 naming it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from careobs.accounts.models import LoginFailure
from careobs.audit.models import AuditEvent
from careobs.db import utcnow
from careobs.quis.models import QuisSession
from careobs.retention import purge as purge_module
from careobs.retention.purge import purge_organisation
from tests.retention.records import DAY, cutoff, quis_session

SECRET = "R01 Mrs Example 01234 567890"  # what an error's text might quote


def events(db, organisation_id) -> list[tuple[str, str]]:
    db.expire_all()
    return [
        tuple(row)
        for row in db.execute(
            sa.select(AuditEvent.action, AuditEvent.summary)
            .where(
                AuditEvent.action.startswith("retention_purge"),
                AuditEvent.organisation_id.is_(None)
                if organisation_id is None
                else AuditEvent.organisation_id == organisation_id,
            )
            .order_by(AuditEvent.id)
        )
    ]


def failing_on(monkeypatch, call: int, error: BaseException, organisation_id=None) -> None:
    """Make the ``call``-th batch that removes something raise ``error`` (of one organisation,
    if given), after its rows were deleted but before its commit."""
    original = purge_module._batch
    seen = {"n": 0}

    def batch(db, target, org_id, cut, size):
        counts = original(db, target, org_id, cut, size)
        if counts and (organisation_id is None or org_id == organisation_id):
            seen["n"] += 1
            if seen["n"] == call:
                raise error
        return counts

    monkeypatch.setattr(purge_module, "_batch", batch)


def old_sessions(app, db, org, n: int) -> None:
    cut = cutoff(app, db, org, 36)
    for k in range(n):
        quis_session(db, org, cut - (k + 1) * DAY, interactions=1)
    db.commit()


@pytest.mark.parametrize(
    ("error", "why"),
    [
        (RuntimeError(SECRET), "an error, RuntimeError"),
        (OperationalError("DELETE ...", {}, ValueError(SECRET)), "a database error, ValueError"),
        (KeyboardInterrupt(), "interrupted"),
        (SystemExit(143), "the process was stopped"),
    ],
    ids=["error", "database", "interrupted", "sigterm"],
)
def test_a_batch_failing_mid_run_leaves_a_started_and_a_stopped_early_event(
    app, db, org, monkeypatch, error, why
):
    old_sessions(app, db, org, 5)
    failing_on(monkeypatch, 2, error)

    with app.app_context(), pytest.raises(type(error)):
        purge_organisation(db, org.org.id, batch_size=2)

    assert events(db, org.org.id) == [
        ("retention_purge_started", "Starting: past retention, to remove: quis_sessions 5."),
        (
            "retention_purge",
            f"Stopped early ({why}). Removed before it stopped: quis_sessions 2; 4 rows in 1 "
            "batches.",
        ),
    ]
    assert SECRET not in str(events(db, org.org.id))
    # The first batch was committed; the failing one was rolled back whole.
    assert db.scalar(sa.select(sa.func.count()).select_from(QuisSession)) == 3


def test_a_failure_in_the_first_batch_says_nothing_was_removed(app, db, org, monkeypatch):
    old_sessions(app, db, org, 1)
    failing_on(monkeypatch, 1, RuntimeError(SECRET))

    with app.app_context(), pytest.raises(RuntimeError):
        purge_organisation(db, org.org.id)

    assert events(db, org.org.id)[-1] == (
        "retention_purge",
        "Stopped early (an error, RuntimeError). Removed before it stopped: nothing; 0 rows in 0 "
        "batches.",
    )


def test_the_started_event_is_committed_before_the_first_batch(app, db, org, monkeypatch):
    old_sessions(app, db, org, 1)
    maker = app.extensions["careobs.sessionmaker"]
    seen = []
    original = purge_module._batch

    def batch(session, *args):
        with maker() as elsewhere:  # another connection: sees only what is committed
            seen.append(
                elsewhere.scalar(
                    sa.select(sa.func.count())
                    .select_from(AuditEvent)
                    .where(AuditEvent.action == "retention_purge_started")
                )
            )
        return original(session, *args)

    monkeypatch.setattr(purge_module, "_batch", batch)
    with app.app_context():
        purge_organisation(db, org.org.id)
    assert seen and set(seen) == {1}


def test_one_organisation_failing_does_not_stop_the_next(app, db, org, other, runner, monkeypatch):
    old_sessions(app, db, org, 2)
    old_sessions(app, db, other, 2)
    failing_on(monkeypatch, 1, RuntimeError(SECRET), organisation_id=org.org.id)

    result = runner.invoke(args=["purge"])

    assert result.exit_code == 1, result.output
    assert "Stopped early (an error, RuntimeError)." in result.output
    assert "The purge stopped early for: Acme Care. The others were purged" in result.output
    assert SECRET not in result.output
    assert events(db, other.org.id)[-1] == (
        "retention_purge",
        "Removed past retention: quis_sessions 2; 4 rows in 1 batches.",
    )
    assert events(db, org.org.id)[-1][1].startswith("Stopped early (an error, RuntimeError).")
    db.expire_all()
    left = db.scalars(sa.select(QuisSession.organisation_id)).all()
    assert left == [org.org.id, org.org.id]


def test_old_failed_logins_go_with_an_event_of_their_own(db, org, runner):
    now = utcnow()
    db.add_all(
        [
            LoginFailure(ip="192.0.2.1", email="a@example.test", at=now - timedelta(days=91)),
            LoginFailure(ip="192.0.2.1", email="a@example.test", at=now - timedelta(days=120)),
            LoginFailure(ip="192.0.2.2", email="b@example.test", at=now - timedelta(days=89)),
        ]
    )
    db.commit()

    result = runner.invoke(args=["purge"])

    assert result.exit_code == 0, result.output
    assert "Removed 2 old failed logins." in result.output
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(LoginFailure)) == 1
    assert events(db, None) == [
        ("retention_purge", "Removed past retention: login_failures 2 (older than 90 days).")
    ]


def test_a_batch_locks_its_records_in_id_order_before_writing_their_family(app, db, org):
    """PostgreSQL: the records are locked FOR UPDATE before any row of their family is written,
    as a redaction locks a record first (SQLite's one writer needs no row locks)."""
    old_sessions(app, db, org, 3)
    engine = app.extensions["careobs.engine"]
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()).upper())

    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        with app.app_context():
            purge_organisation(db, org.org.id)
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)

    writes = [n for n, s in enumerate(statements) if s.startswith(("DELETE", "UPDATE ACTIONS"))]
    locks = [
        n
        for n, s in enumerate(statements)
        if "FROM QUIS_SESSIONS" in s and s.endswith("ORDER BY QUIS_SESSIONS.ID FOR UPDATE")
    ]
    if engine.dialect.name == "postgresql":
        assert locks and writes and locks[0] < writes[0]
    else:
        assert not locks and writes
