"""Login sessions: loading the user behind a cookie, and what the anonymous are told."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, redirect, request, session, url_for

from careobs.accounts.models import LoginSession, User
from careobs.db import get_session
from careobs.errors import error_response, wants_json
from careobs.extensions import login_manager

# The session cookie's key naming the login (a LoginSession) it belongs to.
LOGIN_KEY = "login"


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    """The active user owning this session token, on a login still open (not logged out); a
    deactivated user's sessions simply end."""
    login_id = session.get(LOGIN_KEY)
    if not isinstance(login_id, str):
        return None
    return get_session().scalar(
        sa.select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            User.session_token == session_token,
            User.active.is_(True),
            LoginSession.id == login_id,
            LoginSession.ended_at.is_(None),
        )
    )


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
