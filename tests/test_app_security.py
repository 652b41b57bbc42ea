"""App-wide security: CSRF on every unsafe request, JSON errors for the API, and the security
headers and inline-code-free pages that let a strict Content-Security-Policy hold.

Every HTML page these tests receive is checked for inline code (see ``PageClient``), and a crawl
follows every link an admin and a supervisor can reach.
"""

from __future__ import annotations

import re
from collections import deque
from html import unescape
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from careobs.accounts.models import LoginFailure, User
from careobs.audit.models import AuditEvent
from careobs.org.models import Service
from tests.support.web import PASSWORD

HREF = re.compile(r'\shref="([^"]*)"')
FORM_EXPIRED = "This form had expired. Go back, reload the page and try again."


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers.get("Content-Security-Policy")
    assert policy, f"no CSP on {response.request.path}"
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name.lower()] = values
    return directives


def assert_security_headers(response) -> None:
    """A strict CSP with no inline or eval escape hatch, no sniffing, no full referrers."""
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy.lower()
    assert "unsafe-eval" not in policy.lower()
    assert "unsafe-hashes" not in policy.lower()
    directives = csp_directives(response)
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def assert_json_error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert "Location" not in response.headers
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    assert body["error"]["message"].strip()
    return body["error"]


def log_in(client, user) -> None:
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def count(db, model, *where) -> int:
    db.expire_all()
    return db.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


# CSRF


def test_form_post_without_csrf_token_is_refused_and_writes_nothing(client, auth, db, data):
    acme = data.organisation()
    auth.login(acme.admin)
    users_before = count(db, User)
    form = {"email": "nina@acme.test", "display_name": "Nina"}
    response = client.post("/admin/users/new", data=form, csrf=False)
    assert response.status_code == 400
    assert FORM_EXPIRED in response.get_data(as_text=True)
    assert count(db, User) == users_before
    assert (
        count(db, AuditEvent, AuditEvent.action == "user_created", AuditEvent.actor_id.is_not(None))
        == 0
    )


def test_service_form_without_csrf_token_writes_nothing(client, auth, db, data):
    acme = data.organisation()
    auth.login(acme.admin)
    services_before = count(db, Service)
    form = {"name": "Brand New House", "kind": "care_home"}
    assert client.post("/admin/services/new", data=form, csrf=False).status_code == 400
    assert count(db, Service) == services_before


def test_login_without_csrf_token_is_refused_even_with_the_right_password(client, db, data):
    acme = data.organisation()
    form = {"email": acme.admin.email, "password": PASSWORD}
    response = client.post("/login", data=form, csrf=False)
    assert response.status_code == 400
    assert client.get("/account").status_code == 302
    assert count(db, LoginFailure) == 0
    assert count(db, AuditEvent, AuditEvent.action.in_(["login", "login_failed"])) == 0


def test_wrong_csrf_token_is_refused(client, auth, data):
    acme = data.organisation()
    auth.login(acme.admin)
    response = client.post("/logout", headers={"X-CSRFToken": "not-a-real-token"})
    assert response.status_code == 400
    assert client.get("/account").status_code == 200


def test_csrf_token_of_another_session_is_refused(app, client, auth, data):
    acme = data.organisation()
    auth.login(acme.admin)
    other = app.test_client()
    log_in(other, acme.manager)
    response = client.post("/logout", headers={"X-CSRFToken": other.csrf_token()})
    assert response.status_code == 400
    assert client.get("/account").status_code == 200


def test_token_in_the_forms_hidden_field_is_accepted(client, auth, data):
    acme = data.organisation()
    auth.login(acme.admin)
    page = client.get("/account").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/logout", data={"csrf_token": token}, csrf=False)
    assert response.status_code == 302
    assert client.get("/account").status_code == 302


def test_json_post_to_the_api_without_csrf_token_gets_a_json_error(client, auth, data):
    auth.login(data.organisation().supervisor)
    response = client.post("/api/v1/sync", json={"documents": []}, csrf=False)
    error = assert_json_error(response, 400, "csrf_failed")
    assert "token" in error["message"].lower()
    assert_security_headers(response)


def test_json_post_to_the_api_with_csrf_token_is_accepted(client, auth, data):
    auth.login(data.organisation().supervisor)
    response = client.post("/api/v1/sync", json={"documents": []})
    assert response.status_code == 200
    assert response.get_json() == {"results": []}


# API errors are JSON, never pages or redirects


def test_api_call_when_logged_out_answers_401_json_not_a_redirect(client):
    response = client.get("/api/v1/csrf")
    error = assert_json_error(response, 401, "unauthorized")
    assert "log in" in error["message"].lower()


def test_unknown_api_path_answers_404_json(client, auth, data):
    assert_json_error(client.get("/api/v1/nope"), 404, "not_found")
    auth.login(data.organisation().staff)
    assert_json_error(client.get("/api/v1/nope"), 404, "not_found")
    assert_json_error(client.delete("/api/v1/nope/deeper"), 404, "not_found")


def test_wrong_method_on_an_api_path_answers_405_json(client, auth, data):
    auth.login(data.organisation().staff)
    assert_json_error(client.post("/api/v1/csrf"), 405, "method_not_allowed")


def test_page_asked_for_as_json_when_logged_out_answers_401_json(client):
    response = client.get("/account", headers={"Accept": "application/json"})
    assert_json_error(response, 401, "unauthorized")


def test_unknown_page_answers_an_html_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "There is nothing here." in response.get_data(as_text=True)


def test_api_answers_are_never_cached(client, auth, data):
    auth.login(data.organisation().staff)
    assert client.get("/api/v1/csrf").headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/nope").headers["Cache-Control"] == "no-store"


# Security headers on every kind of response


@pytest.mark.parametrize(
    ("path", "status", "mimetype"),
    [
        ("/login", 200, "text/html"),
        ("/healthz", 200, "application/json"),
        ("/api/v1/csrf", 401, "application/json"),
        ("/api/v1/nope", 404, "application/json"),
        ("/no-such-page", 404, "text/html"),
        ("/static/css/app.css", 200, "text/css"),
        ("/static/js/app.js", 200, "text/javascript"),
        ("/static/no-such-file.js", 404, "text/html"),
    ],
)
def test_anonymous_responses_carry_the_security_headers(client, path, status, mimetype):
    with client.get(path) as response:
        assert response.status_code == status
        assert response.mimetype == mimetype
        assert_security_headers(response)


@pytest.mark.parametrize(
    ("role", "method", "path", "status"),
    [
        ("admin", "GET", "/", 200),
        ("admin", "GET", "/admin/users/", 200),
        ("admin", "GET", "/api/v1/csrf", 200),
        ("staff", "GET", "/admin/users/", 403),
        ("staff", "GET", "/logout", 405),
        ("staff", "POST", "/account/password", 400),
    ],
)
def test_logged_in_responses_and_errors_carry_the_security_headers(
    client, auth, data, role, method, path, status
):
    auth.login(getattr(data.organisation(), role))
    response = client.open(path, method=method, csrf=False)
    assert response.status_code == status
    assert_security_headers(response)


def test_rate_limited_login_page_carries_the_security_headers(client, data):
    acme = data.organisation()
    for _ in range(5):
        client.post("/login", data={"email": acme.staff.email, "password": "wrong password"})
    response = client.post("/login", data={"email": acme.staff.email, "password": PASSWORD})
    assert response.status_code == 429
    assert_security_headers(response)


def test_html_pages_are_not_kept_by_shared_caches(client, auth, data):
    auth.login(data.organisation().admin)
    assert client.get("/admin/users/").headers["Cache-Control"] == "private, no-cache"


# No inline code on any page


def same_site_links(page: str) -> set[str]:
    """The GET-able page links of an HTML page (no static files, no other sites)."""
    links = set()
    for href in HREF.findall(page):
        url = urlsplit(unescape(href))
        if url.scheme or url.netloc or not url.path.startswith("/"):
            continue
        if url.path.startswith("/static/") or url.path in {"/sw.js", "/manifest.webmanifest"}:
            continue
        if url.path == "/login":  # the hidden "log in again" link: logged in, it only redirects
            continue
        links.add(url.path + (f"?{url.query}" if url.query else ""))
    return links


def crawl(client, start: str = "/", limit: int = 150) -> dict[str, int]:
    """Visit every page reachable by links from ``start``; returns each path's status code."""
    seen: dict[str, int] = {}
    queue = deque([start])
    while queue and len(seen) < limit:
        path = queue.popleft()
        if path in seen:
            continue
        response = client.get(path)
        seen[path] = response.status_code
        if response.mimetype == "text/html":
            assert_security_headers(response)
            queue.extend(same_site_links(response.get_data(as_text=True)) - seen.keys())
    return seen


@pytest.mark.parametrize("role", ["admin", "manager", "supervisor", "staff"])
def test_every_page_a_user_can_reach_is_free_of_inline_code(client, auth, data, role):
    acme = data.organisation()
    auth.login(getattr(acme, role))
    visited = crawl(client)
    assert "/" in visited
    assert "/account" in visited
    if role == "admin":
        assert f"/admin/users/{acme.staff.uuid}" in visited
    broken = {path: status for path, status in visited.items() if status >= 500}
    assert not broken


def test_pages_seen_when_logged_out_are_free_of_inline_code(client, data):
    for path in ("/login", "/no-such-page", "/invitation/not-a-token", "/offline"):
        response = client.get(path)
        assert response.mimetype == "text/html", path
        assert_security_headers(response)
