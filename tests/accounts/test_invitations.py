"""Invitations: an admin invites a user, who follows the link once to choose a password.

The admin and the invited person use separate clients, as two browsers would. Every HTML page
these tests receive is also checked for inline code (see ``PageClient``).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer

from careobs.accounts import service
from careobs.accounts.models import User
from careobs.audit.models import AuditEvent

NEW_EMAIL = "nina.newcomer@acme.test"
NEW_PASSWORD = "plum kettle lantern"
LOGIN_FAILED = "The email or password is incorrect."

RULE_MESSAGES = {
    "short": "Use at least 12 characters.",
    "email": "Do not use your email address as your password.",
    "common": "This password is too common; choose something less predictable.",
    "mismatch": "The two passwords differ.",
}


def token_in(page: str) -> str:
    found = re.search(r'value="http://careobs\.test/invitation/([^"/]+)"', page)
    assert found, page
    return found.group(1)


def invite(client, acme, email=NEW_EMAIL, name="Nina Newcomer", roles=None) -> str:
    """Invite a user through the admin screen; returns the token of the link shown."""
    roles = roles if roles is not None else {acme.care_home: "staff"}
    form = {"email": email, "display_name": name}
    for svc in (acme.care_home, acme.homecare):
        form[f"role_{svc.uuid.hex}"] = roles.get(svc, "")
    response = client.post("/admin/users/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Invitation for" in page
    return token_in(page)


def accept(client, token, password=NEW_PASSWORD, confirm=None, name="Nina N."):
    return client.post(
        f"/invitation/{token}",
        data={"display_name": name, "password": password, "confirm": confirm or password},
    )


def invitee(db, email=NEW_EMAIL) -> User:
    db.expire_all()
    return db.scalar(sa.select(User).where(User.email == email))


def actions_about(db, user: User) -> list[str]:
    db.expire_all()
    return list(
        db.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.entity_id == str(user.uuid))
            .order_by(AuditEvent.id)
        )
    )


def assert_not_set(app, db, token: str) -> None:
    """Nothing was saved: no password, no audit event, and the link still works."""
    user = invitee(db)
    assert user.password_hash is None
    assert "password_set" not in actions_about(db, user)
    assert app.test_client().get(f"/invitation/{token}").status_code == 200


# Inviting


def test_admin_invites_a_user_with_a_role_per_service(client, db, acme):
    token = invite(
        client, acme, email="Nina.Newcomer@ACME.test", roles={acme.homecare: "supervisor"}
    )
    user = invitee(db)
    assert user is not None
    assert user.organisation_id == acme.org.id
    assert user.display_name == "Nina Newcomer"
    assert user.active
    assert not user.is_org_admin
    assert user.password_hash is None
    assert {(m.service_id, m.role) for m in user.memberships} == {(acme.homecare.id, "supervisor")}
    assert actions_about(db, user) == ["user_created", "user_invited"]
    assert token


def test_invitation_page_shows_the_link_to_send(client, acme):
    form = {"email": NEW_EMAIL, "display_name": "Nina Newcomer"}
    page = client.post("/admin/users/new", data=form).get_data(as_text=True)
    assert "Send this link to <strong>nina.newcomer@acme.test</strong>" in page
    assert re.search(r"/invitation/[\w.-]+", page)


def test_invited_user_is_listed_as_not_yet_joined(client, acme):
    invite(client, acme)
    page = client.get("/admin/users/").get_data(as_text=True)
    row = page[page.index("Nina Newcomer") :]
    assert "Invited, not yet joined" in row[: row.index("</tr>")]


def test_invited_user_cannot_log_in_before_accepting(app, client, acme):
    invite(client, acme)
    browser = app.test_client()
    response = browser.post("/login", data={"email": NEW_EMAIL, "password": NEW_PASSWORD})
    assert response.status_code == 200
    assert LOGIN_FAILED in response.get_data(as_text=True)
    assert browser.get("/account").status_code == 302


# Accepting


def test_invitation_link_shows_who_is_invited(app, client, acme):
    token = invite(client, acme)
    response = app.test_client().get(f"/invitation/{token}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "You have been invited as <strong>nina.newcomer@acme.test</strong>" in page
    assert 'value="Nina Newcomer"' in page


def test_accepting_sets_the_password_and_logs_the_user_in(app, client, db, acme):
    token = invite(client, acme)
    browser = app.test_client()
    response = accept(browser, token, name="  Nina N.  ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = browser.get("/").get_data(as_text=True)
    assert "Welcome to careobs. Your password is set." in home
    assert "Hello, Nina N." in home
    user = invitee(db)
    assert user.display_name == "Nina N."
    assert user.password_hash and NEW_PASSWORD not in user.password_hash
    assert actions_about(db, user)[-1] == "password_set"


def test_after_accepting_the_user_logs_in_with_the_new_password(app, client, acme):
    token = invite(client, acme)
    accept(app.test_client(), token)
    browser = app.test_client()
    response = browser.post("/login", data={"email": NEW_EMAIL, "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert browser.get("/account").status_code == 200


def test_used_link_says_it_has_already_been_used(app, client, db, acme):
    token = invite(client, acme)
    accept(app.test_client(), token)
    hash_after_first_use = invitee(db).password_hash
    browser = app.test_client()
    response = browser.get(f"/invitation/{token}")
    assert response.status_code == 410
    assert "already been used" in response.get_data(as_text=True)
    again = accept(browser, token, password="another fine password")
    assert again.status_code == 410
    assert invitee(db).password_hash == hash_after_first_use


@pytest.mark.parametrize(
    ("rule", "password"),
    [
        ("short", "eleven char"),
        ("email", NEW_EMAIL),
        ("email", "NINA.NEWCOMER"),
        ("common", "1q2w3e4r5t6y"),
        ("common", "abababababababab"),
    ],
)
def test_password_breaking_a_rule_is_refused_with_its_own_message(
    app, client, db, acme, rule, password
):
    token = invite(client, acme)
    response = accept(app.test_client(), token, password=password)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for other, message in RULE_MESSAGES.items():
        assert (message in page) == (other == rule), other
    assert_not_set(app, db, token)


def test_confirmation_that_differs_is_refused(app, client, db, acme):
    token = invite(client, acme)
    response = accept(app.test_client(), token, confirm=NEW_PASSWORD + "!")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert RULE_MESSAGES["mismatch"] in page
    assert RULE_MESSAGES["short"] not in page
    assert_not_set(app, db, token)


def test_blank_name_is_refused(app, client, db, acme):
    token = invite(client, acme)
    response = accept(app.test_client(), token, name="   ")
    assert response.status_code == 200
    assert "This cannot be blank." in response.get_data(as_text=True)
    assert_not_set(app, db, token)
    assert invitee(db).display_name == "Nina Newcomer"


def test_accepting_without_csrf_token_is_refused(app, client, db, acme):
    token = invite(client, acme)
    form = {"display_name": "Nina", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    response = app.test_client().post(f"/invitation/{token}", data=form, csrf=False)
    assert response.status_code == 400
    assert_not_set(app, db, token)


# Links that cannot be used


def test_expired_link_is_gone(app, client, db, acme):
    token = invite(client, acme)
    app.config["INVITATION_MAX_AGE"] = timedelta(seconds=-1)
    browser = app.test_client()
    response = browser.get(f"/invitation/{token}")
    assert response.status_code == 410
    assert "This invitation has expired." in response.get_data(as_text=True)
    assert accept(browser, token).status_code == 410
    assert invitee(db).password_hash is None


def test_new_invitation_voids_the_previous_link(app, client, db, acme):
    invite(client, acme)
    user = invitee(db)
    user.invited_at -= timedelta(hours=1)
    db.commit()
    with app.app_context():
        old_token = service.invitation_token(user)
    browser = app.test_client()
    assert browser.get(f"/invitation/{old_token}").status_code == 200

    response = client.post(f"/admin/users/{user.uuid}/invitation")
    new_token = token_in(response.get_data(as_text=True))
    assert new_token != old_token

    stale = browser.get(f"/invitation/{old_token}")
    assert stale.status_code == 410
    assert "A newer invitation has been sent" in stale.get_data(as_text=True)
    assert accept(browser, old_token).status_code == 410
    assert invitee(db).password_hash is None
    assert accept(browser, new_token).status_code == 302


def test_reinviting_a_user_with_a_password_is_refused(client, db, acme):
    response = client.post(f"/admin/users/{acme.staff.uuid}/invitation", follow_redirects=True)
    assert response.request.path == f"/admin/users/{acme.staff.uuid}"
    assert "staff@acme.test has already set a password." in response.get_data(as_text=True)
    assert "user_invited" not in actions_about(db, acme.staff)


def tampered(token: str) -> str:
    # Change the first character of the signature: the last base64 character
    # carries unused padding bits, so changing it may leave the bytes intact.
    payload, _, signature = token.rpartition(".")
    first = "A" if signature[0] != "A" else "B"
    return f"{payload}.{first}{signature[1:]}"


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(tampered, id="changed signature"),
        pytest.param(lambda token: token[: len(token) // 2], id="cut short"),
        pytest.param(lambda token: "not-a-token", id="garbage"),
    ],
)
def test_tampered_link_is_refused(app, client, db, acme, make_token):
    token = invite(client, acme)
    response = app.test_client().get(f"/invitation/{make_token(token)}")
    assert response.status_code == 410
    assert "This invitation link is not valid." in response.get_data(as_text=True)


def test_link_signed_with_another_key_is_refused(app, client, db, acme):
    invite(client, acme)
    user = invitee(db)
    forged = URLSafeTimedSerializer("some other secret key", salt=service.INVITE_SALT).dumps(
        {"u": str(user.uuid), "i": int(user.invited_at.timestamp())}
    )
    browser = app.test_client()
    assert browser.get(f"/invitation/{forged}").status_code == 410
    assert accept(browser, forged).status_code == 410
    assert invitee(db).password_hash is None


def test_signed_link_naming_no_user_is_refused(app, client, acme):
    signer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=service.INVITE_SALT)
    for payload in ({"u": "not-a-uuid", "i": 0}, {"i": 0}):
        response = app.test_client().get(f"/invitation/{signer.dumps(payload)}")
        assert response.status_code == 410
        assert "not valid" in response.get_data(as_text=True)


def test_link_of_a_deactivated_user_is_refused(app, client, db, acme):
    token = invite(client, acme)
    client.post(f"/admin/users/{invitee(db).uuid}/active")
    response = app.test_client().get(f"/invitation/{token}")
    assert response.status_code == 410
    assert "This invitation is no longer valid." in response.get_data(as_text=True)
