"""Login sessions: loading the user behind a cookie, and what the anonymous are told."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, redirect, request, url_for

from careobs.accounts.models import User
from careobs.db import get_session
from careobs.errors import error_response, wants_json
from careobs.extensions import login_manager


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    """The active user owning this session token; a deactivated user's sessions simply end."""
    return get_session().scalar(
        sa.select(User).where(User.session_token == session_token, User.active.is_(True))
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
