"""Logging in and out, accepting an invitation, resetting and changing one's own password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from careobs.accounts import password_reset, service
from careobs.accounts.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    LoginForm,
    ResetPasswordForm,
)
from careobs.accounts.session import LOGIN_KEY
from careobs.audit.service import record
from careobs.db import get_session
from careobs.push.service import forget_subscription
from careobs.security import verify_password

bp = Blueprint("accounts", __name__)

LOGIN_FAILED = "The email or password is incorrect."


def safe_next(target: str | None) -> str:
    """Only follow ``next`` to a path on this site, never to another host."""
    if not target:
        return url_for("home.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("home.index")
    return target


def start_session(user) -> None:
    """Log in with a permanent cookie, so closing the phone app does not log the user out.

    The cookie names a new login (committed here), which logging out ends."""
    db = get_session()
    login_id = service.open_login_session(
        db, user, ip=request.remote_addr, user_agent=request.user_agent.string
    )
    db.commit()
    session.clear()
    session.permanent = True
    session[LOGIN_KEY] = login_id
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            user = service.authenticate(
                db, form.email.data, form.password.data, request.remote_addr or "unknown"
            )
        except service.TooManyAttempts:
            page = render_template(
                "accounts/login.html", form=form, too_many=True, wait=service.lockout_wait()
            )
            return page, 429
        db.commit()
        if user is None:
            form.password.errors = [LOGIN_FAILED]
            return render_template("accounts/login.html", form=form), 200
        start_session(user)
        return redirect(safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        db = get_session()
        record(db, "logout", organisation_id=current_user.organisation_id, actor=current_user)
        # app.js sends this device's push endpoint: a shared phone must not keep getting the
        # pushes of whoever logged out (the page also removes it; this covers a failed DELETE).
        endpoint = request.form.get("push_endpoint", "")
        if endpoint:
            forget_subscription(db, current_user, endpoint)
        service.end_login_session(db, session.get(LOGIN_KEY))
        db.commit()
    logout_user()
    session.clear()
    flash("You have logged out.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    db = get_session()
    try:
        user = service.user_for_invitation(db, token)
    except service.InvitationError as exc:
        return render_template("accounts/invitation_invalid.html", reason=str(exc)), 410
    if current_user.is_authenticated:
        logout_user()
    form = AcceptInvitationForm(display_name=user.display_name)
    if form.validate_on_submit() and form.check_password_rules(user.email):
        user.display_name = form.display_name.data.strip()
        service.set_password(db, user, form.password.data)
        db.commit()
        start_session(user)
        flash("Welcome to careobs. Your password is set.", "success")
        return redirect(url_for("home.index"))
    return render_template("accounts/accept_invitation.html", form=form, user=user)


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password through a link an admin made; it also lifts a login lockout."""
    db = get_session()
    try:
        user = password_reset.user_for_reset(db, token)
    except password_reset.ResetLinkError as exc:
        return render_template("accounts/reset_invalid.html", reason=str(exc)), 410
    # Opening the link changes nothing (the admin who made it may be checking it); only setting
    # the password ends whoever's session this browser holds and starts the user's own.
    form = ResetPasswordForm()
    if form.validate_on_submit() and form.check_password_rules(user.email):
        password_reset.reset_password(db, user, form.password.data)
        db.commit()
        if current_user.is_authenticated:
            logout_user()
        start_session(user)
        flash("Your new password is set. Other devices have been logged out.", "success")
        return redirect(url_for("home.index"))
    return render_template("accounts/reset_password.html", form=form, user=user)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors = ["This is not your current password."]
        elif form.check_password_rules(current_user.email):
            db = get_session()
            user = current_user._get_current_object()
            service.set_password(db, user, form.password.data)
            db.commit()
            start_session(user)
            flash("Your password has been changed. Other devices have been logged out.", "success")
            return redirect(url_for("home.index"))
    return render_template("accounts/change_password.html", form=form)


@bp.get("/account")
@login_required
def account():
    return render_template("accounts/account.html")
