"""Test clients that behave as the app's pages and JavaScript do, and logging in."""

from __future__ import annotations

import gzip
import re

import brotli
import sqlalchemy as sa
from flask.testing import FlaskClient

from careobs import create_app
from careobs.db import use_engine

PASSWORD = "correct horse battery"


INLINE_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)


INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=|\son[a-z]+\s*=", re.IGNORECASE)


def assert_no_inline_code(page: str) -> None:
    """The CSP forbids inline scripts, styles and event handlers, so no page may have any."""
    assert not [s for s in INLINE_SCRIPT.findall(page) if s.strip()], "inline <script> found"
    found = INLINE_STYLE.search(page)
    assert found is None, f"inline style or handler found: {found and found.group(0)!r}"


def decoded_text(response) -> str:
    """The body as text, undoing the compression a test asked for with Accept-Encoding."""
    data = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        data = brotli.decompress(data)
    elif encoding == "gzip":
        data = gzip.decompress(data)
    elif encoding:
        raise AssertionError(f"a test page came back in an encoding it did not ask for: {encoding}")
    return data.decode("utf-8")


class CsrfClient(FlaskClient):
    """A test client that sends a valid X-CSRFToken with every unsafe request, as the app's
    JavaScript does (pass ``csrf=False`` to send none), and checks every HTML page it gets
    for inline code, which the Content-Security-Policy would block."""

    def open(self, *args, **kwargs):
        send_token = kwargs.pop("csrf", True)
        method = kwargs.get("method", "GET").upper()
        if send_token and method in {"POST", "PUT", "PATCH", "DELETE"}:
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        response = super().open(*args, **kwargs)
        if response.mimetype == "text/html":
            assert_no_inline_code(decoded_text(response))
        return response

    def csrf_token(self) -> str:
        response = super().open("/api/v1/csrf", method="GET")
        if response.status_code == 200:
            return response.get_json()["csrf_token"]
        page = super().open("/login", method="GET").get_data(as_text=True)
        return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


class Auth:
    """Logs the test client in and out as a given user."""

    def __init__(self, client: CsrfClient):
        self.client = client

    def login(self, user_or_email, password: str = PASSWORD):
        email = getattr(user_or_email, "email", user_or_email)
        response = self.client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    def logout(self):
        return self.client.post("/logout")


TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    "SERVER_NAME": "careobs.test",
    "PUSH_DELIVERY_THREAD": False,  # tests deliver pushes explicitly
}


def make_test_app(database_url: str, engine: sa.Engine | None = None):
    """A careobs app on the test database as the tests use it: CSRF on, a cheap password hash,
    pushes delivered by the tests, and the CSRF-aware test client (``engine``: served from that
    one and its pool instead of its own)."""
    app = create_app({**TEST_CONFIG, "DATABASE_URL": database_url})
    if engine is not None:
        app.extensions["careobs.engine"].dispose()  # never connected
        use_engine(app, engine)
    app.test_client_class = CsrfClient
    return app
