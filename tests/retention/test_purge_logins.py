"""Login history: a login counts from when it ended, and an open one is kept while it may still
be in use (its cookie is refreshed on every request, so its age says nothing): only an open
login unused for longer than the cookie lives, and started before the cut-off, goes. A login's
last use is noted at most once a day, when its user is loaded."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.accounts.models import LoginSession
from careobs.accounts.session import SEEN_EVERY
from careobs.db import utcnow
from careobs.retention.purge import purge_organisation
from careobs.retention.queries import report
from careobs.retention.targets import IN_USE
from tests.retention.records import DAY, cutoff


def login(db, user, started_at, *, ended_at=None, last_seen_at=None) -> str:
    row = LoginSession(
        user_id=user.id,
        started_at=started_at,
        ended_at=ended_at,
        ended_by="logout" if ended_at else None,
        last_seen_at=last_seen_at or ended_at or started_at,
    )
    db.add(row)
    db.flush()
    return row.id


def logins(db) -> set[str]:
    db.expire_all()
    return set(db.scalars(sa.select(LoginSession.id)))


def test_each_login_goes_or_stays_by_when_it_ended_or_was_last_used(app, db, org, other):
    cut = cutoff(app, db, org, 12)
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"]
    now = utcnow()
    user = org.manager
    ended_long_ago = login(db, user, cut - 90 * DAY, ended_at=cut - DAY)
    ended_after_the_cut = login(db, user, cut - 90 * DAY, ended_at=cut + DAY)
    open_in_use = login(db, user, cut - 400 * DAY, last_seen_at=now - DAY)
    open_at_the_limit = login(db, user, cut - 400 * DAY, last_seen_at=now - lifetime)
    open_unused = login(db, user, cut - 400 * DAY, last_seen_at=now - lifetime - 2 * SEEN_EVERY)
    open_recent_unused = login(db, user, cut + DAY, last_seen_at=cut + DAY)
    elsewhere = login(db, other.manager, cut - 90 * DAY, ended_at=cut - DAY)
    db.commit()

    with app.app_context():
        line = next(t for t in report(db, org.org.id) if t.key == "login_history")
    assert line.total == 2 and line.kept == {IN_USE: 2}

    with app.app_context():
        run = purge_organisation(db, org.org.id)

    assert run.records == {"login_history": 2}
    assert logins(db) >= {
        ended_after_the_cut,
        open_in_use,
        open_at_the_limit,
        open_recent_unused,
        elsewhere,
    }
    assert not {ended_long_ago, open_unused} & logins(db)


def test_a_user_logged_in_a_year_ago_and_still_working_stays_logged_in(app, db, org, login_as):
    client = login_as(org.manager)
    assert client.get("/").status_code == 200
    db.expire_all()
    mine = db.scalar(sa.select(LoginSession).where(LoginSession.ended_at.is_(None)))
    mine.started_at = cutoff(app, db, org, 12) - 30 * DAY  # a permanent cookie, a year old
    db.commit()

    with app.app_context():
        purge_organisation(db, org.org.id)

    assert mine.id in logins(db)
    response = client.get("/actions/")
    assert response.status_code == 200, response.headers.get("Location")


def test_last_use_is_noted_at_most_once_a_day(app, db, org, login_as):
    client = login_as(org.staff)
    db.expire_all()
    mine = db.scalar(sa.select(LoginSession).where(LoginSession.user_id == org.staff.id))
    mine.last_seen_at = utcnow() - 3 * DAY
    db.commit()
    engine = app.extensions["careobs.engine"]
    updates = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("UPDATE LOGIN_SESSIONS"):
            updates.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        before = utcnow()
        assert client.get("/").status_code == 200
        db.expire_all()
        first = db.get(LoginSession, mine.id).last_seen_at
        assert first >= before
        for _ in range(3):
            assert client.get("/").status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)

    assert len(updates) == 1
    db.expire_all()
    assert db.get(LoginSession, mine.id).last_seen_at == first


def test_an_ended_login_is_never_noted_again(app, db, org, login_as):
    client = login_as(org.staff)
    client.post("/logout", data={})
    db.expire_all()
    row = db.scalar(sa.select(LoginSession).where(LoginSession.user_id == org.staff.id))
    assert row.ended_at is not None
    row.last_seen_at = utcnow() - 3 * DAY
    db.commit()
    client.get("/")
    db.expire_all()
    assert db.get(LoginSession, row.id).last_seen_at < utcnow() - 2 * DAY
