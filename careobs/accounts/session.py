"""Login sessions: loading the user behind a cookie (and noting, once a day, that the login is
still in use), and what the anonymous are told."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, redirect, request, session, url_for
from sqlalchemy.exc import DBAPIError

from careobs.accounts.models import LoginSession, User
from careobs.db import get_engine, get_session, utcnow
from careobs.errors import error_response, wants_json
from careobs.extensions import login_manager

# The session cookie's key naming the login (a LoginSession) it belongs to.
LOGIN_KEY = "login"

# A login's last use is written at most this often: one UPDATE per login per day, not one per
# request. The purge keeps an open login used within the cookie's lifetime plus this margin.
SEEN_EVERY = timedelta(days=1)

log = logging.getLogger(__name__)


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    """The active user owning this session token, on a login still open (not logged out); a
    deactivated user's sessions simply end."""
    login_id = session.get(LOGIN_KEY)
    if not isinstance(login_id, str):
        return None
    db = get_session()
    found = db.execute(
        sa.select(User, LoginSession.last_seen_at)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            User.session_token == session_token,
            User.active.is_(True),
            LoginSession.id == login_id,
            LoginSession.ended_at.is_(None),
        )
    ).first()
    if found is None:
        return None
    user, last_seen = found
    _seen(login_id, last_seen)
    return user


def _seen(login_id: str, last_seen: datetime | None) -> None:
    """Note that the login is in use, if not yet noted today, on a connection of its own: the
    user may first be loaded midway through a view, whose own writes must not be committed by
    this. Best effort: a busy database skips it, and the next request tries again."""
    now = utcnow()
    if last_seen is not None and now - last_seen < SEEN_EVERY:
        return
    # The cookie is sent again only now (SESSION_REFRESH_EACH_REQUEST is off), so its lifetime
    # starts again once a day of use, and no ordinary response can carry an old copy of it.
    session.modified = True
    try:
        with get_engine().begin() as connection:
            connection.execute(
                sa.update(LoginSession)
                .where(
                    LoginSession.id == login_id,
                    sa.or_(
                        LoginSession.last_seen_at.is_(None),
                        LoginSession.last_seen_at < now - SEEN_EVERY,
                    ),
                )
                .values(last_seen_at=now)
            )
    except DBAPIError as exc:
        log.warning("A login's last use was not noted: %s", exc.orig)


@login_manager.unauthorized_handler
def unauthorized():
    """API calls get a JSON 401 (a redirect would break fetch); pages go to the login form."""
    if wants_json():
        return error_response(401, "Your login has expired. Log in again to continue.")
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def init_app(app: Flask) -> None:
    """Basic (not strong) protection: mobile users change IP address all day long."""
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    login_manager.login_view = "accounts.login"
