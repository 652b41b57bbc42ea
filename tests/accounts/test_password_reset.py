"""Password reset links: the way an admin helps a user who forgot their password or is locked out.

The admin makes a link on the user's page and sends it; the user follows it once to choose a
new password, which also lifts the lock from failed logins. The admin and the user use
separate clients, as two browsers would.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer

from careobs.accounts import password_reset, service
from careobs.accounts.models import LoginFailure, User
from careobs.audit.models import AuditEvent
from tests.support.web import PASSWORD

NEW_PASSWORD = "plum kettle lantern"
LOGIN_FAILED = "The email or password is incorrect."
TOO_MANY = "Too many failed attempts to log in."


def token_in(page: str) -> str:
    found = re.search(r'value="http://careobs\.test/password-reset/([^"/]+)"', page)
    assert found, page
    return found.group(1)


def make_link(client, user) -> str:
    """Make a reset link through the admin screen; returns the token of the link shown."""
    response = client.post(f"/admin/users/{user.uuid}/password-reset")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:500]
    assert f"Password reset link for {user.display_name}" in page
    return token_in(page)


def reset(browser, token, password=NEW_PASSWORD, confirm=None):
    return browser.post(
        f"/password-reset/{token}", data={"password": password, "confirm": confirm or password}
    )


def log_in(browser, email, password, ip="127.0.0.1"):
    return browser.post(
        "/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip}
    )


def lock_out(browser, email) -> None:
    for _ in range(5):
        assert log_in(browser, email, "a wrong password").status_code == 200
    assert log_in(browser, email, PASSWORD).status_code == 429


def fresh(db, user: User) -> User:
    db.expire_all()
    return db.get(User, user.id)


def events(db, action: str) -> list[AuditEvent]:
    db.expire_all()
    return list(
        db.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    )


def failures_for(db, email: str) -> int:
    db.expire_all()
    return db.scalar(
        sa.select(sa.func.count()).select_from(LoginFailure).where(LoginFailure.email == email)
    )


# Making a link


def test_the_users_page_offers_a_reset_link_for_a_user_with_a_password(client, acme):
    page = client.get(f"/admin/users/{acme.staff.uuid}").get_data(as_text=True)
    assert f'action="/admin/users/{acme.staff.uuid}/password-reset"' in page
    assert "Create a password reset link" in page


def test_admin_makes_a_link_shown_to_send_and_audited(client, db, acme):
    response = client.post(f"/admin/users/{acme.staff.uuid}/password-reset")
    page = response.get_data(as_text=True)
    assert "Send this link to <strong>staff@acme.test</strong>" in page
    assert "works for 72 hours, once" in page
    token_in(page)
    [event] = events(db, "password_reset_link_created")
    assert (event.actor_id, event.entity_id, event.summary) == (
        acme.admin.id,
        str(acme.staff.uuid),
        "staff@acme.test",
    )
    assert fresh(db, acme.staff).password_hash is not None  # the old password still works


def test_a_user_without_a_password_gets_an_invitation_instead(client, db, acme):
    client.post(
        "/admin/users/new",
        data={
            "email": "nina@acme.test",
            "display_name": "Nina",
            f"role_{acme.care_home.uuid.hex}": "staff",
            f"role_{acme.homecare.uuid.hex}": "",
        },
    )
    nina = db.scalar(sa.select(User).where(User.email == "nina@acme.test"))
    page = client.get(f"/admin/users/{nina.uuid}").get_data(as_text=True)
    assert "Create a password reset link" not in page

    response = client.post(f"/admin/users/{nina.uuid}/password-reset", follow_redirects=True)
    assert response.request.path == f"/admin/users/{nina.uuid}"
    assert "Nina has not set a password yet. Make a new invitation link instead." in (
        response.get_data(as_text=True)
    )
    assert events(db, "password_reset_link_created") == []


def test_a_deactivated_user_gets_no_link(client, db, acme):
    client.post(f"/admin/users/{acme.staff.uuid}/active")
    response = client.post(f"/admin/users/{acme.staff.uuid}/password-reset", follow_redirects=True)
    assert "Stan Staff is deactivated. Reactivate them first." in response.get_data(as_text=True)
    assert events(db, "password_reset_link_created") == []


@pytest.mark.parametrize("role", ["manager", "supervisor", "staff", "outsider"])
def test_non_admins_cannot_make_a_link(app, db, data, role):
    acme = data.organisation()
    browser = app.test_client()
    assert log_in(browser, getattr(acme, role).email, PASSWORD).status_code == 302
    response = browser.post(f"/admin/users/{acme.manager.uuid}/password-reset")
    assert response.status_code == 403
    assert "password-reset/" not in response.get_data(as_text=True)
    assert events(db, "password_reset_link_created") == []


def test_another_organisations_user_gets_no_link(client, db, data, acme):
    other = data.organisation("Other Org", prefix="other")
    assert client.post(f"/admin/users/{other.staff.uuid}/password-reset").status_code == 404
    assert events(db, "password_reset_link_created") == []


# Using the link


def test_a_locked_out_user_resets_and_logs_in_at_once(app, client, db, acme):
    browser = app.test_client()
    lock_out(browser, acme.staff.email)
    assert failures_for(db, acme.staff.email) == 5
    token = make_link(client, acme.staff)

    form = browser.get(f"/password-reset/{token}")
    assert form.status_code == 200
    assert "staff@acme.test" in form.get_data(as_text=True)
    response = reset(browser, token)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert browser.get("/account").status_code == 200  # logged in by the reset
    assert failures_for(db, acme.staff.email) == 0
    [event] = events(db, "password_reset")
    assert (event.actor_id, event.entity_id) == (acme.staff.id, str(acme.staff.uuid))

    another_device = app.test_client()
    assert log_in(another_device, acme.staff.email, PASSWORD).status_code == 200
    assert log_in(another_device, acme.staff.email, NEW_PASSWORD).status_code == 302


def test_the_reset_ends_the_users_other_sessions(app, client, db, acme):
    phone = app.test_client()
    assert log_in(phone, acme.staff.email, PASSWORD).status_code == 302
    token = make_link(client, acme.staff)
    assert reset(app.test_client(), token).status_code == 302
    assert phone.get("/account").status_code == 302


def signed_in_as(browser) -> str | None:
    """The email of whoever this browser is logged in as, or None."""
    response = browser.get("/account")
    if response.status_code != 200:
        return None
    found = re.search(r"<dt>Email</dt><dd>([^<]+)</dd>", response.get_data(as_text=True))
    assert found
    return found.group(1)


def test_opening_a_link_logs_nobody_out(client, db, acme):
    """The admin clicks the link they just made, to check it: they stay logged in."""
    token = make_link(client, acme.staff)
    before = fresh(db, acme.staff).password_hash

    page = client.get(f"/password-reset/{token}")

    assert page.status_code == 200
    assert "staff@acme.test" in page.get_data(as_text=True)
    assert signed_in_as(client) == acme.admin.email
    assert client.get(f"/admin/users/{acme.staff.uuid}").status_code == 200
    assert fresh(db, acme.staff).password_hash == before
    assert client.get(f"/password-reset/{token}").status_code == 200  # still usable


def test_resetting_in_someone_elses_session_logs_them_out_and_the_user_in(app, client, db, acme):
    token = make_link(client, acme.staff)
    assert client.get(f"/password-reset/{token}").status_code == 200
    assert signed_in_as(client) == acme.admin.email

    response = reset(client, token)

    assert (response.status_code, response.headers["Location"]) == (302, "/")
    assert signed_in_as(client) == acme.staff.email
    assert client.get(f"/admin/users/{acme.staff.uuid}").status_code == 403
    [event] = events(db, "password_reset")
    assert event.actor_id == acme.staff.id
    assert log_in(app.test_client(), acme.staff.email, NEW_PASSWORD).status_code == 302


def test_a_link_works_once(app, client, db, acme):
    token = make_link(client, acme.staff)
    assert reset(app.test_client(), token).status_code == 302
    hash_after = fresh(db, acme.staff).password_hash

    again = app.test_client()
    page = again.get(f"/password-reset/{token}")
    assert page.status_code == 410
    assert "This password reset link has already been used" in page.get_data(as_text=True)
    assert reset(again, token, password="another fine phrase").status_code == 410
    assert fresh(db, acme.staff).password_hash == hash_after
    assert len(events(db, "password_reset")) == 1


def test_an_older_link_dies_when_the_password_changes_another_way(app, client, db, acme):
    token = make_link(client, acme.staff)
    with app.app_context():
        service.set_password(db, fresh(db, acme.staff), "a different long phrase")
    db.commit()
    assert app.test_client().get(f"/password-reset/{token}").status_code == 410


def test_an_expired_link_is_gone(app, client, db, acme):
    token = make_link(client, acme.staff)
    app.config["PASSWORD_RESET_MAX_AGE"] = timedelta(seconds=-1)
    browser = app.test_client()
    response = browser.get(f"/password-reset/{token}")
    assert response.status_code == 410
    assert "This password reset link has expired." in response.get_data(as_text=True)
    assert reset(browser, token).status_code == 410
    assert log_in(browser, acme.staff.email, PASSWORD).status_code == 302


def test_a_link_of_a_user_deactivated_since_is_refused(app, client, db, acme):
    token = make_link(client, acme.staff)
    client.post(f"/admin/users/{acme.staff.uuid}/active")
    response = app.test_client().get(f"/password-reset/{token}")
    assert response.status_code == 410
    assert "no longer valid" in response.get_data(as_text=True)


def test_an_invitation_token_is_not_a_reset_token(app, client, db, acme):
    acme_staff = fresh(db, acme.staff)
    forged = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=service.INVITE_SALT).dumps(
        {"u": str(acme_staff.uuid), "p": password_reset.password_fingerprint(acme_staff)}
    )
    response = app.test_client().get(f"/password-reset/{forged}")
    assert response.status_code == 410
    assert "not valid" in response.get_data(as_text=True)


def test_a_tampered_link_is_refused(app, client, acme):
    token = make_link(client, acme.staff)
    response = app.test_client().get(f"/password-reset/{token[:-4]}")
    assert response.status_code == 410
    assert "This password reset link is not valid." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("short one", None, "Use at least 12 characters."),
        ("staff@acme.test", None, "Do not use your email address as your password."),
        ("plum kettle lantern", "plum kettle lanterns", "The two passwords differ."),
    ],
)
def test_the_password_rules_apply_and_nothing_is_saved(
    app, client, db, acme, password, confirm, message
):
    token = make_link(client, acme.staff)
    before = fresh(db, acme.staff).password_hash
    browser = app.test_client()
    response = reset(browser, token, password=password, confirm=confirm)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(
        r'<ul class="errors" id="(password|confirm)-error">.*?' + re.escape(message), page, re.S
    )
    assert fresh(db, acme.staff).password_hash == before
    assert events(db, "password_reset") == []
    assert browser.get(f"/password-reset/{token}").status_code == 200  # still usable


def test_resetting_without_csrf_token_is_refused(app, client, db, acme):
    token = make_link(client, acme.staff)
    before = fresh(db, acme.staff).password_hash
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    response = app.test_client().post(f"/password-reset/{token}", data=data, csrf=False)
    assert response.status_code == 400
    assert fresh(db, acme.staff).password_hash == before


# Setting a password any other way also lifts the lock


def test_set_password_from_the_command_line_lifts_a_lockout(app, db, data):
    acme = data.organisation()
    browser = app.test_client()
    lock_out(browser, acme.staff.email)
    result = app.test_cli_runner().invoke(
        args=["user", "set-password", acme.staff.email, "--password", NEW_PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert failures_for(db, acme.staff.email) == 0
    assert log_in(browser, acme.staff.email, NEW_PASSWORD).status_code == 302


def test_changing_ones_own_password_clears_the_accounts_failures(app, client, auth, db, data):
    acme = data.organisation()
    auth.login(acme.staff)
    for _ in range(3):
        log_in(app.test_client(), acme.staff.email, "a wrong password")
    assert failures_for(db, acme.staff.email) == 3
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert failures_for(db, acme.staff.email) == 0


# The lockout message


def test_the_lockout_message_follows_the_configured_window(app, data):
    acme = data.organisation()
    app.config["LOGIN_WINDOW"] = timedelta(hours=1)
    browser = app.test_client()
    for _ in range(5):
        log_in(browser, acme.staff.email, "a wrong password")
    response = log_in(browser, acme.staff.email, PASSWORD)
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert TOO_MANY in page
    assert "Wait 1 hour and try again" in page
    assert "15 minutes" not in page


@pytest.mark.parametrize(
    ("window", "words"),
    [
        (timedelta(minutes=15), "15 minutes"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(hours=2), "2 hours"),
        (timedelta(minutes=90), "1 hour 30 minutes"),
        (timedelta(seconds=20), "1 minute"),
    ],
)
def test_lockout_wait_in_words(app, window, words):
    app.config["LOGIN_WINDOW"] = window
    with app.app_context():
        assert service.lockout_wait() == words
