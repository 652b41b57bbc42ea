"""Shared fixtures: an app on the test database, a CSRF-aware client, and realistic data.

The suite runs on SQLite by default and on PostgreSQL when CAREOBS_TEST_DATABASE_URL is set.
The schema is built once per run through the real migrations; every test then starts from empty
tables, so tests never depend on each other.
"""

from __future__ import annotations

import os
import re

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from careobs import create_app, migrate
from careobs.db import make_engine
from careobs.models import Base
from tests.factories import DataBuilder

PASSWORD = "correct horse battery"


def test_database_url(tmp_path_factory) -> str:
    url = os.environ.get("CAREOBS_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'careobs-test.db'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The test database, migrated to head once for the whole run."""
    url = test_database_url(tmp_path_factory)
    engine = make_engine(url)
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    migrate.upgrade(engine)
    engine.dispose()
    return url


def empty_all_tables(engine: sa.Engine) -> None:
    """Delete every row, children first, so the next test starts clean."""
    tables = list(reversed(Base.metadata.sorted_tables))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(t.name for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


INLINE_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=|\son[a-z]+\s*=", re.IGNORECASE)


def assert_no_inline_code(page: str) -> None:
    """The CSP forbids inline scripts, styles and event handlers, so no page may have any."""
    assert not [s for s in INLINE_SCRIPT.findall(page) if s.strip()], "inline <script> found"
    found = INLINE_STYLE.search(page)
    assert found is None, f"inline style or handler found: {found and found.group(0)!r}"


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
            assert_no_inline_code(response.get_data(as_text=True))
        return response

    def csrf_token(self) -> str:
        response = super().open("/api/v1/csrf", method="GET")
        if response.status_code == 200:
            return response.get_json()["csrf_token"]
        page = super().open("/login", method="GET").get_data(as_text=True)
        return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


@pytest.fixture
def app(database_url, tmp_path, monkeypatch):
    """A careobs app on the test database, with CSRF on and a cheap password hash.

    Its instance folder (generated keys) is a fresh temporary one, never the developer's.
    """
    monkeypatch.setenv("CAREOBS_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "SERVER_NAME": "careobs.test",
            "PUSH_DELIVERY_THREAD": False,  # tests deliver pushes explicitly
        }
    )
    app.test_client_class = CsrfClient
    yield app
    engine = app.extensions["careobs.engine"]
    empty_all_tables(engine)
    engine.dispose()


@pytest.fixture
def client(app) -> CsrfClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """A database session for arranging data and checking outcomes.

    No app context stays pushed during the test, so every request the client makes gets a
    fresh context (Flask-WTF keeps the CSRF token on ``g``). Call ``db.expire_all()`` before
    checking rows a request changed; wrap direct calls to app code in ``app.app_context()``.
    """
    session = app.extensions["careobs.sessionmaker"]()
    yield session
    session.close()


@pytest.fixture
def data(app, db) -> DataBuilder:
    """Builds realistic organisations in one line: ``org = data.organisation("Acme")``."""
    return DataBuilder(app, db, PASSWORD)


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


@pytest.fixture
def login_as(app):
    """``login_as(user)`` → a fresh test client logged in as that user (None: anonymous)."""

    def make(user):
        client = app.test_client()
        if user is not None:
            Auth(client).login(user, PASSWORD)
        return client

    return make


@pytest.fixture
def auth(client) -> Auth:
    return Auth(client)
