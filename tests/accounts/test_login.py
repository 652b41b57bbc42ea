"""Logging in and out: sessions, the shared failure message, safe redirects and rate limits.

Every HTML page these tests receive is also checked for inline code (see ``PageClient``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa
from werkzeug.http import parse_date

from careobs.accounts import service
from careobs.accounts.models import LoginFailure, LoginSession, User
from careobs.audit.models import AuditEvent
from tests.support.web import PASSWORD

LOGIN_FAILED = "The email or password is incorrect."
TOO_MANY = "Too many failed attempts to log in."


def attempt(client, email: str, password: str, ip: str = "127.0.0.1", next_url=None):
    """POST the login form from the address ``ip``."""
    return client.post(
        "/login",
        query_string={"next": next_url} if next_url else None,
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": ip},
    )


def is_logged_in(client) -> bool:
    """Whether the client's cookie opens a page that needs a login."""
    response = client.get("/account")
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login")
        return False
    assert response.status_code == 200
    return True


def audit_events(db, action: str) -> list[AuditEvent]:
    db.expire_all()
    return list(
        db.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    )


def failures_for(db, email: str) -> int:
    return db.scalar(
        sa.select(sa.func.count()).select_from(LoginFailure).where(LoginFailure.email == email)
    )


def session_cookie_header(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert len(cookies) == 1, response.headers.getlist("Set-Cookie")
    return cookies[0]


def without_csrf_tokens(page: str) -> str:
    page = re.sub(r'name="csrf-token" content="[^"]*"', "CSRF-META", page)
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]*"', "CSRF-FIELD", page)


# Logging in


def test_login_page_shows_the_form(client):
    response = client.get("/login")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="email"' in page
    assert 'name="password"' in page
    assert 'name="csrf-token"' in page


def test_successful_login_redirects_home_and_the_cookie_keeps_the_user_logged_in(client, db, data):
    acme = data.organisation()
    response = attempt(client, acme.admin.email, PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Hello, Ada Admin" in home.get_data(as_text=True)
    [event] = audit_events(db, "login")
    assert event.actor_id == acme.admin.id
    assert db.get(User, acme.admin.id).last_login_at is not None


def test_login_sets_a_permanent_http_only_cookie_for_fourteen_days(client, data):
    acme = data.organisation()
    response = attempt(client, acme.staff.email, PASSWORD)
    cookie = session_cookie_header(response)
    expires = re.search(r"Expires=([^;]+)", cookie)
    assert expires, cookie
    expected = datetime.now(UTC) + timedelta(days=14)
    assert abs(parse_date(expires.group(1)) - expected) < timedelta(minutes=1)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_wrong_password_shows_the_shared_failure_message(client, data):
    acme = data.organisation()
    response = attempt(client, acme.admin.email, "not the password at all")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count(LOGIN_FAILED) == 1
    assert "not the password at all" not in page
    assert not is_logged_in(client)


def test_unknown_email_and_wrong_password_pages_differ_only_in_the_email(app, data):
    acme = data.organisation()
    wrong_password = attempt(app.test_client(), acme.admin.email, "wrong password 123")
    unknown_email = attempt(app.test_client(), "nobody@acme.test", "wrong password 123")
    assert wrong_password.status_code == unknown_email.status_code == 200
    first = without_csrf_tokens(wrong_password.get_data(as_text=True))
    second = without_csrf_tokens(unknown_email.get_data(as_text=True))
    assert LOGIN_FAILED in first
    assert first.replace(acme.admin.email, "EMAIL") == second.replace("nobody@acme.test", "EMAIL")


def test_email_is_matched_whatever_its_case_and_surrounding_spaces(client, data):
    acme = data.organisation()
    response = attempt(client, f"  {acme.admin.email.upper()} \t", PASSWORD)
    assert response.status_code == 302
    assert "Hello, Ada Admin" in client.get("/").get_data(as_text=True)


def test_deactivated_user_cannot_log_in(app, client, db, data):
    acme = data.organisation()
    with app.app_context():
        service.set_active(db, acme.staff, False, acme.admin)
        db.commit()
    response = attempt(client, acme.staff.email, PASSWORD)
    assert response.status_code == 200
    assert LOGIN_FAILED in response.get_data(as_text=True)
    assert not is_logged_in(client)


def test_deactivating_a_user_ends_the_session_they_already_have(app, client, auth, data):
    acme = data.organisation()
    auth.login(acme.staff)
    assert is_logged_in(client)
    admin = app.test_client()
    attempt(admin, acme.admin.email, PASSWORD)
    assert admin.post(f"/admin/users/{acme.staff.uuid}/active").status_code == 302
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/account"


def test_a_session_survives_a_new_address_and_browser_version(client, auth, data):
    """Phones move between Wi-Fi and mobile data: no "strong" session protection."""
    auth.login(data.organisation().staff)

    moved = client.get(
        "/account",
        environ_base={"REMOTE_ADDR": "198.51.100.23"},
        headers={"User-Agent": "Mozilla/5.0 (Linux; Android 15) Mobile Chrome/140"},
    )

    assert moved.status_code == 200
    assert "Your account" in moved.get_data(as_text=True)


def test_logged_in_user_opening_the_login_page_goes_home(client, auth, data):
    auth.login(data.organisation().manager)
    response = client.get("/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# Where to go after logging in


def test_page_that_needs_login_sends_to_login_and_back_after(client, data):
    acme = data.organisation()
    response = client.get("/admin/users/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/admin/users/"
    response = attempt(client, acme.admin.email, PASSWORD, next_url="/admin/users/")
    assert response.headers["Location"] == "/admin/users/"
    assert client.get("/admin/users/").status_code == 200


def test_next_keeps_the_query_string_of_a_same_site_path(client, data):
    acme = data.organisation()
    response = attempt(client, acme.admin.email, PASSWORD, next_url="/admin/audit/?action=login")
    assert response.headers["Location"] == "/admin/audit/?action=login"


@pytest.mark.parametrize(
    "next_url",
    [
        "//evil.example",
        "//evil.example/admin/",
        "https://evil.example",
        "https://evil.example/login",
        "http:evil.example",
        "javascript:alert(1)",
        "evil.example/path",
    ],
)
def test_next_pointing_elsewhere_goes_home_instead(client, data, next_url):
    acme = data.organisation()
    response = attempt(client, acme.admin.email, PASSWORD, next_url=next_url)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("next_url", ["/\\evil.example", "/\t/evil.example", "/%5C/evil.example"])
def test_next_with_backslashes_or_control_characters_stays_on_this_site(client, data, next_url):
    acme = data.organisation()
    location = attempt(client, acme.admin.email, PASSWORD, next_url=next_url).headers["Location"]
    assert not location.startswith(("//", "/\\"))
    assert urlsplit(urljoin("http://careobs.test/", location)).netloc == "careobs.test"


# Logging out


def test_logout_ends_the_session_and_is_audited(client, auth, db, data):
    acme = data.organisation()
    auth.login(acme.supervisor)
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert "You have logged out." in client.get("/login").get_data(as_text=True)
    assert not is_logged_in(client)
    [event] = audit_events(db, "logout")
    assert event.actor_id == acme.supervisor.id


def test_a_copy_of_the_cookie_from_before_logging_out_no_longer_logs_in(client, auth, db, data):
    """A request in flight when the user logged out sets the old cookie again (the session is
    refreshed on every response): it must not log them back in."""
    acme = data.organisation()
    auth.login(acme.supervisor)
    before = client.get_cookie("session", domain="careobs.test").value
    client.post("/logout")
    client.set_cookie("session", before, domain="careobs.test")
    assert not is_logged_in(client)
    db.expire_all()
    [login] = db.scalars(sa.select(LoginSession)).all()
    assert (login.user_id, login.ended_by) == (acme.supervisor.id, "logout")
    assert login.ended_at is not None


def test_an_ordinary_request_does_not_send_the_cookie_again(client, auth, db, data):
    """Only a change sends it, so a page's request in flight at logout cannot put the old
    cookie back over the logout's (with its "You have logged out." message)."""
    acme = data.organisation()
    auth.login(acme.supervisor)
    client.get("/")  # the login's first request notes it in use
    response = client.get("/")
    assert response.status_code == 200
    assert [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")] == []


def test_the_first_request_of_a_day_starts_the_cookies_fourteen_days_again(client, auth, db, data):
    acme = data.organisation()
    auth.login(acme.supervisor)
    client.get("/")
    db.execute(sa.update(LoginSession).values(last_seen_at=datetime.now(UTC) - timedelta(days=2)))
    db.commit()
    cookie = session_cookie_header(client.get("/"))
    expires = parse_date(re.search(r"Expires=([^;]+)", cookie).group(1))
    assert abs(expires - (datetime.now(UTC) + timedelta(days=14))) < timedelta(minutes=1)
    db.expire_all()
    [login] = db.scalars(sa.select(LoginSession)).all()
    assert datetime.now(UTC) - login.last_seen_at < timedelta(minutes=1)


def test_logging_out_on_one_device_leaves_the_other_logged_in(app, client, auth, data):
    acme = data.organisation()
    auth.login(acme.supervisor)
    other = app.test_client()
    other.post("/login", data={"email": acme.supervisor.email, "password": PASSWORD})
    assert is_logged_in(other)
    client.post("/logout")
    assert not is_logged_in(client)
    assert is_logged_in(other)


def test_changing_the_password_ends_every_login_in_the_history(app, client, auth, db, data):
    acme = data.organisation()
    other = app.test_client()
    other.post("/login", data={"email": acme.supervisor.email, "password": PASSWORD})
    auth.login(acme.supervisor)
    with app.app_context():
        user = db.get(User, acme.supervisor.id)
        service.set_password(db, user, "a-new-password-that-is-long")
        db.commit()
    assert not is_logged_in(other)
    db.expire_all()
    ended = db.scalars(sa.select(LoginSession.ended_by).order_by(LoginSession.started_at)).all()
    assert ended == ["password", "password"]


def test_logout_by_get_is_not_allowed_and_keeps_the_session(client, auth, data):
    auth.login(data.organisation().supervisor)
    assert client.get("/logout").status_code == 405
    assert is_logged_in(client)


def test_logout_without_csrf_token_is_refused(client, auth, data):
    auth.login(data.organisation().supervisor)
    assert client.post("/logout", csrf=False).status_code == 400
    assert is_logged_in(client)


# Rate limits and the audit trail of failures


def test_sixth_attempt_after_five_failures_is_refused_even_with_the_right_password(client, data):
    acme = data.organisation()
    for _ in range(5):
        response = attempt(client, acme.admin.email, "a wrong password")
        assert response.status_code == 200
        assert LOGIN_FAILED in response.get_data(as_text=True)
    response = attempt(client, acme.admin.email, PASSWORD)
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert TOO_MANY in page
    assert "Wait 15 minutes" in page
    assert not is_logged_in(client)


def test_account_limit_applies_from_every_address_and_in_any_case(client, data):
    acme = data.organisation()
    for i in range(5):
        attempt(client, acme.admin.email.upper(), "a wrong password", ip=f"10.0.0.{i + 1}")
    assert attempt(client, acme.admin.email, PASSWORD, ip="10.9.9.9").status_code == 429


def test_one_locked_account_does_not_lock_other_accounts(client, data):
    acme = data.organisation()
    for _ in range(5):
        attempt(client, acme.admin.email, "a wrong password")
    assert attempt(client, acme.manager.email, PASSWORD).status_code == 302


def test_twenty_failures_from_one_address_block_that_address_only(client, data):
    acme = data.organisation()
    for i in range(20):
        response = attempt(client, f"guess{i}@acme.test", "a wrong password", ip="10.1.1.1")
        assert response.status_code == 200
    blocked = attempt(client, acme.admin.email, PASSWORD, ip="10.1.1.1")
    assert blocked.status_code == 429
    assert TOO_MANY in blocked.get_data(as_text=True)
    assert attempt(client, acme.admin.email, PASSWORD, ip="10.2.2.2").status_code == 302


def test_failed_logins_are_audited_with_account_and_address(client, db, data):
    acme = data.organisation()
    attempt(client, acme.admin.email, "a wrong password", ip="192.0.2.7")
    attempt(client, "nobody@acme.test", "a wrong password", ip="192.0.2.8")
    wrong_password, unknown_email = audit_events(db, "login_failed")
    assert wrong_password.organisation_id == acme.org.id
    assert wrong_password.entity_id == str(acme.admin.uuid)
    assert wrong_password.summary == "Wrong password"
    assert wrong_password.ip == "192.0.2.7"
    assert unknown_email.organisation_id is None
    assert unknown_email.entity_id is None
    assert unknown_email.summary == "Unknown email"
    assert unknown_email.ip == "192.0.2.8"
    assert failures_for(db, acme.admin.email) == 1
    assert failures_for(db, "nobody@acme.test") == 1


def test_successful_login_clears_the_accounts_failures(client, db, data):
    acme = data.organisation()
    for _ in range(4):
        attempt(client, acme.admin.email, "a wrong password")
    assert failures_for(db, acme.admin.email) == 4
    assert attempt(client, acme.admin.email, PASSWORD).status_code == 302
    assert failures_for(db, acme.admin.email) == 0
    client.post("/logout")
    for _ in range(4):
        attempt(client, acme.admin.email, "a wrong password")
    assert attempt(client, acme.admin.email, PASSWORD).status_code == 302


def test_failures_older_than_the_window_neither_count_nor_stay(client, db, data):
    acme = data.organisation()
    long_ago = datetime.now(UTC) - timedelta(minutes=16)
    db.add_all(LoginFailure(ip="127.0.0.1", email=acme.admin.email, at=long_ago) for _ in range(5))
    db.commit()
    attempt(client, "nobody@acme.test", "a wrong password")
    assert failures_for(db, acme.admin.email) == 0
    assert attempt(client, acme.admin.email, PASSWORD).status_code == 302
