"""A real threaded careobs server hammered by several logged-in clients at once, and a census of
what the database holds afterwards (the clients are in tests/sync/devices.py, the ledger and the
census in tests/sync/census.py, the documents in tests/sync/documents.py).

The package shares one server (werkzeug, threaded, on 127.0.0.1) on the test database (SQLite,
or PostgreSQL when CAREOBS_TEST_DATABASE_URL is set) and the factory organisation Acme Care with
its default checklist; each test gets ``connect()``: a client with its own login session
(cookie jar and CSRF token) on its own keep-alive connection. ``at_once(Send(...), ...)``
releases requests from several threads at the same instant through a barrier (each may wait
``delay`` seconds more).

Every batch a client sends is written in the test's ``ledger`` with the status each document
got. ``census()`` then checks the database against the sync contract (design §3.1) for every
document sent: exactly one row per document id holding the highest revision ever acknowledged
(created, updated or unchanged), the children of exactly that revision, aggregates equal to the
child rows, every child id once; and no row at all for a document never acknowledged.
"""

from __future__ import annotations

import threading

import pytest

from careobs import create_app
from careobs.checklists import service as checklists
from careobs.db import make_engine
from tests.factories import DataBuilder
from tests.support.database import empty_all_tables
from tests.support.visits import checklist_info
from tests.support.web import PASSWORD
from tests.sync.census import Ledger, assert_census
from tests.sync.devices import SyncClient
from tests.sync.documents import Place

# --- the organisation and the server -----------------------------------------------------------


@pytest.fixture(scope="package")
def sync_app(database_url, tmp_path_factory):
    """careobs on the test database for this package, as tests/conftest.py builds it (CSRF on,
    a cheap password hash, a temporary instance folder); the tables are emptied before and
    after. One app and one server for the package: emptying every table after each test costs
    PostgreSQL seconds, and every test here works on documents of its own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CAREOBS_INSTANCE_PATH", str(tmp_path_factory.mktemp("sync-instance")))
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": database_url,
                "SECRET_KEY": "sync-tests-secret-key-that-is-long-enough-0123456789",
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                "PUSH_DELIVERY_THREAD": False,
            }
        )
        engine = app.extensions["careobs.engine"]
        empty_all_tables(engine)
        yield app
        empty_all_tables(engine)
        engine.dispose()


@pytest.fixture(scope="package")
def place(sync_app) -> Place:
    """Acme Care (see tests/factories.py) with its default monitoring visit checklist."""
    db = sync_app.extensions["careobs.sessionmaker"]()
    try:
        org = DataBuilder(sync_app, db, PASSWORD).organisation()
        with sync_app.app_context():
            checklist_uuid = checklists.create_default(db, org.org.id).uuid
            db.commit()
        return Place(
            care_home=str(org.care_home.uuid),
            homecare=str(org.homecare.uuid),
            carla=str(org.staff_members["Carla Carer"].uuid),
            hal=str(org.staff_members["Hal Homecare"].uuid),
            checklist=checklist_info(db, checklist_uuid),
            supervisor=org.supervisor.email,
        )
    finally:
        db.close()


@pytest.fixture(scope="package")
def server(sync_app, place):
    """The app served by werkzeug's threaded server on a free port, one thread per connection."""
    from werkzeug.serving import make_server

    httpd = make_server("127.0.0.1", 0, sync_app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name="careobs-sync-tests", daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    thread.join(timeout=10)
    httpd.server_close()


# --- clients -----------------------------------------------------------------------------------


@pytest.fixture
def connect(server, place, ledger):
    """``connect()``: a new client logged in as Acme's supervisor (or ``connect(email)``)."""
    clients: list[SyncClient] = []

    def make(email: str | None = None) -> SyncClient:
        client = SyncClient(server.server_port, ledger)
        clients.append(client)
        client.log_in(email or place.supervisor)
        return client

    yield make
    for client in clients:
        client.close()


# --- the ledger and the census -----------------------------------------------------------------


@pytest.fixture
def ledger() -> Ledger:
    return Ledger()


@pytest.fixture(scope="package")
def census_engine(sync_app, database_url):
    """An engine of its own on the test database, to read what the server really stored."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def census(census_engine, ledger):
    """``census()``: assert the database holds what the contract says for everything sent
    (``census(only=[id, ...])``: for those documents)."""
    return lambda only=None: assert_census(census_engine, ledger, only)
