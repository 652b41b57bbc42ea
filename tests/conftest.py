"""Shared fixtures: an app on the test database, a CSRF-aware client, and realistic data.

The suite runs on SQLite by default and on PostgreSQL when CAREOBS_TEST_DATABASE_URL is set.
The schema is built once per run through the real migrations; every test then starts from empty
tables, so tests never depend on each other.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import jinja2
import pytest
import sqlalchemy as sa
from werkzeug.routing.rules import Rule

from careobs import migrate
from careobs.db import make_engine
from careobs.models import Base
from tests.factories import DataBuilder
from tests.support.database import empty_all_tables, test_database_url
from tests.support.sync import SyncApi
from tests.support.web import PASSWORD, Auth, CsrfClient, make_test_app

# A random (version 4) UUID in a test's id: such ids differ between processes, and pytest-xdist
# refuses to run when its workers collect different tests (`make test` runs two or more).
RANDOM_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def pytest_collection_modifyitems(items) -> None:
    """Refuse a parametrized id made from a random UUID (use a fixed one: uuid5)."""
    random_ids = [item.nodeid for item in items if RANDOM_UUID.search(item.nodeid)]
    if random_ids:
        raise pytest.UsageError(
            "test ids must be the same in every worker; these hold a random UUID (use a fixed"
            " one, e.g. uuid.uuid5(uuid.NAMESPACE_URL, 'unknown')):\n" + "\n".join(random_ids)
        )


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


@pytest.fixture(scope="session", autouse=True)
def asset_dir(tmp_path_factory):
    """Static files are built once for the run (careobs/assets.py), not once for each test's new
    instance folder; servers the suite starts in other processes inherit the setting."""
    path = tmp_path_factory.mktemp("assets")
    previous = os.environ.get("CAREOBS_ASSET_DIR")
    os.environ["CAREOBS_ASSET_DIR"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("CAREOBS_ASSET_DIR", None)
    else:
        os.environ["CAREOBS_ASSET_DIR"] = previous


class SharedTemplateCode(jinja2.BytecodeCache):
    """Compiled templates shared by every test's app, in memory.

    Each test builds its own app, and each app its own Jinja environment, which would compile
    again every template the test renders (about 60 ms for the first page). Jinja checks each
    stored template against its source's checksum, so an edited template is compiled anew."""

    def __init__(self):
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CODE = SharedTemplateCode()


def _share_url_builders() -> None:
    """Each URL rule's builder compiled once for the run, not once for each test's new app.

    Werkzeug compiles a Python function per rule to build its URLs (two per rule: with and
    without unknown arguments as a query string), which was more than half the 50 ms of
    making an app. The function depends only on the rule's text, its parsed parts, its
    defaults and which of the two it is, and it reaches the rule's converters through the
    rule it is bound to, so one compiled for an equal rule of an earlier app is the same."""
    compile_builder = Rule._compile_builder
    compiled: dict[tuple, object] = {}

    def shared(rule: Rule, append_unknown: bool = True):
        defaults = tuple(sorted((k, repr(v)) for k, v in (rule.defaults or {}).items()))
        key = (rule.rule, tuple(rule._trace), defaults, append_unknown)
        if key not in compiled:
            compiled[key] = compile_builder(rule, append_unknown)
        return compiled[key]

    Rule._compile_builder = shared


_share_url_builders()


@pytest.fixture(scope="session")
def test_engine(database_url) -> Iterator[sa.Engine]:
    """One engine for every test's app (as one server process keeps its pool): each test's
    new engine opened new connections, and on PostgreSQL each new connection is a new server
    process that reads the catalog afresh for every table it touches (about 40 ms a test)."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def app(database_url, test_engine, tmp_path, monkeypatch):
    """A careobs app on the test database, with CSRF on and a cheap password hash.

    Its instance folder (generated keys) is a fresh temporary one, never the developer's.
    """
    monkeypatch.setenv("CAREOBS_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_test_app(database_url, test_engine)
    app.jinja_env.bytecode_cache = TEMPLATE_CODE
    yield app
    empty_all_tables(test_engine)


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


@pytest.fixture
def org(data):
    """Acme Care: care home (Lounge, Dining room; R01, R02; Carla Carer) and homecare."""
    return data.organisation()


@pytest.fixture
def other(data, org):
    """A second organisation, Other Org, whose codes R01.. are the same as Acme's."""
    return data.organisation("Other Org", prefix="other")


@pytest.fixture
def sync(client) -> SyncApi:
    """The sync API through ``client`` (log it in first)."""
    return SyncApi(client)


@pytest.fixture
def client_as(login_as):
    """A fresh, separately logged-in client per user: ``client_as(user)`` → SyncApi."""
    return lambda user: SyncApi(login_as(user))
