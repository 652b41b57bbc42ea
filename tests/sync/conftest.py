"""A real threaded careobs server hammered by several logged-in clients at once, and a census of
what the database holds afterwards.

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

import http.client
import json
import re
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from careobs import create_app
from careobs.checklists import service as checklists
from careobs.checklists.models import ChecklistItem
from careobs.db import make_engine
from careobs.quis.models import QuisInteraction, QuisSession
from careobs.quis.scoring import people_with_negative
from careobs.spotchecks.models import (
    MonitoringVisit,
    VisitAction,
    VisitAnswer,
    VisitDomainScore,
)
from careobs.sync.models import QuarantinedDocument
from tests.conftest import PASSWORD, empty_all_tables
from tests.factories import DataBuilder
from tests.spotchecks.conftest import checklist_info
from tests.sync.documents import Place, batch_body

TIMEOUT = 45  # seconds: a request, a barrier or a thread that takes longer fails the test
ACKNOWLEDGED = frozenset({"created", "updated", "unchanged"})
SYNC_URL = "/api/v1/sync"


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


@dataclass
class Reply:
    """One HTTP answer of the server."""

    status: int
    body: bytes

    @property
    def results(self) -> list[dict]:
        return json.loads(self.body)["results"]

    @property
    def statuses(self) -> list[str]:
        return [r["status"] for r in self.results]

    def __str__(self) -> str:
        return f"HTTP {self.status}: {self.body[:400]!r}"


class SyncClient:
    """One device: its own keep-alive connection, cookie jar and CSRF token (standard library)."""

    def __init__(self, port: int, ledger: Ledger):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        self.cookies: dict[str, str] = {}
        self.token: str | None = None
        self.ledger = ledger

    def request(self, method: str, path: str, body: bytes | None = None, headers=None) -> Reply:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Reply(response.status, data)

    def log_in(self, email: str, password: str = PASSWORD) -> None:
        """Log in through the form, as a browser does, then fetch a token for the API."""
        page = self.request("GET", "/login")
        match = re.search(rb'<meta name="csrf-token" content="([^"]+)"', page.body)
        assert page.status == 200 and match, f"GET /login: {page}"
        form = {"csrf_token": match.group(1).decode(), "email": email, "password": password}
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        reply = self.request("POST", "/login", urlencode(form).encode(), headers)
        assert reply.status == 302, f"POST /login: {reply}"
        reply = self.request("GET", "/api/v1/csrf")
        assert reply.status == 200, f"GET /api/v1/csrf: {reply}"
        self.token = json.loads(reply.body)["csrf_token"]

    def send(self, documents: list[dict], body: bytes | None = None) -> Reply:
        """POST a batch (``body`` if given: a raw body for these documents) and note the
        answers in the ledger."""
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.token}
        reply = self.request("POST", SYNC_URL, body or batch_body(documents), headers)
        self.ledger.note(documents, reply)
        return reply

    def close(self) -> None:
        self.conn.close()


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


@dataclass
class Send:
    """One request of a concurrent round: ``client`` posts ``documents`` ``delay`` seconds after
    the others are released (the body is encoded beforehand, so it costs nothing then)."""

    client: SyncClient
    documents: list[dict]
    delay: float = 0.0
    body: bytes | None = None

    def __post_init__(self):
        if self.body is None:
            self.body = batch_body(self.documents)


def at_once(*sends: Send) -> list[Reply]:
    """Send every request from its own thread, released together by a barrier; the replies in
    the order given."""
    barrier = threading.Barrier(len(sends))
    replies: list[Reply | None] = [None] * len(sends)
    failures: list[BaseException] = []

    def run(index: int, send: Send) -> None:
        try:
            barrier.wait(TIMEOUT)
            if send.delay:
                time.sleep(send.delay)
            replies[index] = send.client.send(send.documents, send.body)
        except BaseException as exc:  # handed to the test's thread below
            failures.append(exc)

    threads = [
        threading.Thread(target=run, args=(n, send), name=f"sync-client-{n}")
        for n, send in enumerate(sends)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a client thread is still waiting"
    if failures:
        raise failures[0]
    return replies


def assert_ok(*replies: Reply) -> None:
    """Every reply is a 200 (never a 5xx, never a 409 asking to send the batch again)."""
    bad = [str(r) for r in replies if r.status != 200]
    assert not bad, "not every request was answered 200:\n" + "\n".join(bad)


# --- the ledger and the census -----------------------------------------------------------------


@dataclass
class Sent:
    document: dict
    status: str | None  # None: the request failed as a whole, so this document got no answer
    http_status: int


@dataclass
class Ledger:
    """Every document sent in a test, with the answer it got, by document id."""

    sent: dict[str, list[Sent]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, documents: list[dict], reply: Reply) -> None:
        results = reply.results if reply.status == 200 else []
        answered = [r["id"] for r in results]
        assert reply.status != 200 or answered == [d["id"] for d in documents], answered
        with self.lock:
            for n, document in enumerate(documents):
                status = results[n]["status"] if n < len(results) else None
                self.sent.setdefault(document["id"], []).append(
                    Sent(document, status, reply.status)
                )

    def acknowledged(self, document_id: str) -> list[dict]:
        return [s.document for s in self.sent.get(document_id, []) if s.status in ACKNOWLEDGED]

    def highest(self, document_id: str) -> dict | None:
        """The acknowledged copy with the highest revision (None if none was acknowledged)."""
        copies = self.acknowledged(document_id)
        return max(copies, key=lambda d: d["revision"]) if copies else None


@pytest.fixture
def ledger() -> Ledger:
    return Ledger()


def canonical(data) -> str:
    return json.dumps(data, sort_keys=True)


def assert_census(engine: sa.Engine, ledger: Ledger, only: list[str] | None = None) -> None:
    """The database against the sync contract, for every document in the ledger (or ``only``
    those ids) (see the module docstring); every problem found is listed."""
    problems: list[str] = []
    with engine.connect() as conn:
        for document_id, sends in ledger.sent.items():
            if only is not None and document_id not in only:
                continue
            kind = sends[0].document["kind"]
            problems += _check_document(conn, ledger, document_id, kind)
        for column in (QuisInteraction.uuid, VisitAction.uuid):
            repeated = conn.execute(
                sa.select(column, sa.func.count())
                .group_by(column)
                .having(sa.func.count() > 1)
                .limit(5)
            ).all()
            problems += [f"{column} {value} stored {n} times" for value, n in repeated]
    assert not problems, "census found:\n" + "\n".join(problems)


def _check_document(conn, ledger: Ledger, document_id: str, kind: str) -> list[str]:
    table = QuisSession.__table__ if kind == "quis_session" else MonitoringVisit.__table__
    rows = conn.execute(sa.select(table).where(table.c.uuid == uuid.UUID(document_id))).all()
    label = f"{kind} {document_id[:8]}"
    highest = ledger.highest(document_id)
    if highest is None:
        return [f"{label}: never acknowledged, yet {len(rows)} row(s) stored"] if rows else []
    if len(rows) != 1:
        return [f"{label}: {len(rows)} rows stored"]
    row = rows[0]
    top = highest["revision"]
    contents = {
        canonical(d["data"]) for d in ledger.acknowledged(document_id) if d["revision"] == top
    }
    problems = []
    if len(contents) > 1:
        problems.append(f"{label}: {len(contents)} different contents acknowledged at r{top}")
    if row.revision != top:
        problems.append(f"{label}: stored revision {row.revision}, highest acknowledged {top}")
    if row.status != highest["data"]["status"]:
        problems.append(f"{label}: stored {row.status}, r{top} is {highest['data']['status']}")
    check = _check_session if kind == "quis_session" else _check_visit
    return problems + [f"{label}: {p}" for p in check(conn, row, highest["data"])]


def _check_session(conn, row, data: dict) -> list[str]:
    """The interactions are exactly those of the document, and the counts are theirs."""
    table = QuisInteraction.__table__
    children = conn.execute(
        sa.select(table.c.uuid, table.c.category, table.c.people)
        .where(table.c.session_id == row.id)
        .order_by(table.c.position)
    ).all()
    problems = []
    stored = [(str(c.uuid), c.category) for c in children]
    sent = [(i["id"], i["category"]) for i in data["interactions"]]
    if stored != sent:
        kept = len(set(stored) & set(sent))
        problems.append(
            f"{len(stored)} interaction rows, the stored revision has {len(sent)} "
            f"({kept} in common)"
        )
    counts = Counter(c.category for c in children)
    for category in ("PS", "PC", "N", "NP", "NR"):
        value = getattr(row, f"n_{category.lower()}")
        if value != counts[category]:
            problems.append(f"n_{category.lower()} = {value}, {counts[category]} rows")
    negative = people_with_negative(
        ({"category": c.category, "people": c.people} for c in children), row.people
    )
    if row.people_with_negative != len(negative):
        problems.append(f"people_with_negative = {row.people_with_negative}, rows: {negative}")
    return problems


def _check_visit(conn, row, data: dict) -> list[str]:
    """The answers and actions are exactly those of the document, and the counts are theirs."""
    answers = conn.execute(
        sa.select(ChecklistItem.uuid, VisitAnswer.rating)
        .join(ChecklistItem, ChecklistItem.id == VisitAnswer.item_id)
        .where(VisitAnswer.visit_id == row.id)
    ).all()
    actions = conn.execute(
        sa.select(VisitAction.uuid)
        .where(VisitAction.visit_id == row.id)
        .order_by(VisitAction.position)
    ).scalars()
    problems = []
    stored = sorted((str(item), rating) for item, rating in answers)
    sent = sorted((a["item_id"], a["rating"]) for a in data["answers"])
    if stored != sent:
        problems.append(f"{len(stored)} answer rows, the stored revision has {len(sent)}")
    stored_actions = [str(a) for a in actions]
    if stored_actions != [a["id"] for a in data["actions"]]:
        problems.append(f"actions {stored_actions}, the stored revision has {data['actions']}")
    ratings = Counter(rating for _item, rating in answers)
    domain_totals = conn.execute(
        sa.select(
            *(sa.func.coalesce(sa.func.sum(getattr(VisitDomainScore, f"n_{r}")), 0) for r in RATES)
        ).where(VisitDomainScore.visit_id == row.id)
    ).one()
    for rating, in_domains in zip(RATES, domain_totals, strict=True):
        value = getattr(row, f"n_{rating}")
        if value != ratings[rating]:
            problems.append(f"n_{rating} = {value}, {ratings[rating]} answer rows")
        expected = ratings[rating] if row.status == "submitted" else 0
        if in_domains != expected:
            problems.append(f"domain scores count {in_domains} {rating}, expected {expected}")
    return problems


RATES = ("met", "partly", "not_met", "na")


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


def quarantined(engine: sa.Engine, document_id: str) -> list[tuple[int, str]]:
    """The quarantined copies of a document: (revision, canonical data) per row."""
    table = QuarantinedDocument.__table__
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(table.c.revision, table.c.data).where(
                table.c.document_id == uuid.UUID(document_id)
            )
        ).all()
    return [(r.revision, canonical(r.data)) for r in rows]
