"""Changing one's own password at /account/password: checks, rules and ending other sessions.

"Other devices" are separate clients with their own cookies. Every HTML page these tests
receive is also checked for inline code (see ``PageClient``).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.audit.models import AuditEvent
from tests.support.web import PASSWORD, CsrfClient

NEW_PASSWORD = "violet harbour quilt"
NOT_CURRENT = "This is not your current password."

RULE_MESSAGES = {
    "short": "Use at least 12 characters.",
    "email": "Do not use your email address as your password.",
    "common": "This password is too common; choose something less predictable.",
    "mismatch": "The two passwords differ.",
}


@pytest.fixture
def acme(data):
    return data.organisation()


def logged_in_client(app, user, password=PASSWORD) -> CsrfClient:
    browser = app.test_client()
    response = browser.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302
    return browser


def change(client, new=NEW_PASSWORD, current=PASSWORD, confirm=None):
    return client.post(
        "/account/password",
        data={"current_password": current, "password": new, "confirm": confirm or new},
    )


def is_logged_in(client) -> bool:
    response = client.get("/account")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def can_log_in(app, user, password) -> bool:
    response = app.test_client().post("/login", data={"email": user.email, "password": password})
    return response.status_code == 302


def stored_hash(db, user) -> str:
    db.expire_all()
    return db.get(User, user.id).password_hash


def password_set_events(db, user) -> int:
    return db.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "password_set", AuditEvent.actor_id == user.id)
    )


def test_password_page_needs_a_login(client):
    response = client.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/account/password"


def test_password_page_asks_for_current_and_new_password(client, auth, acme):
    auth.login(acme.staff)
    page = client.get("/account/password").get_data(as_text=True)
    for name in ("current_password", "password", "confirm"):
        assert f'name="{name}"' in page


def test_wrong_current_password_is_refused(app, client, auth, db, acme):
    auth.login(acme.staff)
    before = stored_hash(db, acme.staff)
    response = change(client, current="not my password")
    assert response.status_code == 200
    assert NOT_CURRENT in response.get_data(as_text=True)
    assert stored_hash(db, acme.staff) == before
    assert can_log_in(app, acme.staff, PASSWORD)


@pytest.mark.parametrize(
    ("rule", "password"),
    [
        ("short", "tiny secret"),
        ("email", "staff@acme.test"),
        ("common", "password1234"),
        ("common", "zzzzzzzzzzzzzz"),
    ],
)
def test_new_password_breaking_a_rule_is_refused_with_its_own_message(
    app, client, auth, db, acme, rule, password
):
    auth.login(acme.staff)
    before = stored_hash(db, acme.staff)
    response = change(client, new=password)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for other, message in RULE_MESSAGES.items():
        assert (message in page) == (other == rule), other
    assert stored_hash(db, acme.staff) == before
    assert not can_log_in(app, acme.staff, password)


def test_confirmation_that_differs_is_refused(client, auth, db, acme):
    auth.login(acme.staff)
    before = stored_hash(db, acme.staff)
    response = change(client, confirm="violet harbour quilts")
    assert response.status_code == 200
    assert RULE_MESSAGES["mismatch"] in response.get_data(as_text=True)
    assert stored_hash(db, acme.staff) == before


def test_wrong_current_password_is_refused_before_the_rules_are_checked(client, auth, db, acme):
    auth.login(acme.staff)
    page = change(client, new="short", current="not my password").get_data(as_text=True)
    assert NOT_CURRENT in page
    assert RULE_MESSAGES["short"] not in page
    assert password_set_events(db, acme.staff) == 1  # only the one the factory made


def test_change_keeps_this_session_and_ends_the_others(app, client, auth, db, acme):
    auth.login(acme.supervisor)
    phone = logged_in_client(app, acme.supervisor)
    assert is_logged_in(phone)

    response = change(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Your password has been changed. Other devices have been logged out." in home
    assert is_logged_in(client)

    assert not is_logged_in(phone)
    assert phone.get("/api/v1/csrf").status_code == 401


def test_after_a_change_only_the_new_password_works(app, client, auth, db, acme):
    auth.login(acme.manager)
    before = stored_hash(db, acme.manager)
    change(client)
    assert stored_hash(db, acme.manager) != before
    assert not can_log_in(app, acme.manager, PASSWORD)
    assert can_log_in(app, acme.manager, NEW_PASSWORD)
    assert password_set_events(db, acme.manager) == 2


def test_change_without_csrf_token_is_refused(app, client, auth, db, acme):
    auth.login(acme.staff)
    before = stored_hash(db, acme.staff)
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        csrf=False,
    )
    assert response.status_code == 400
    assert stored_hash(db, acme.staff) == before
