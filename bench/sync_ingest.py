"""Benchmark: ingesting QUIS sessions through POST /api/v1/sync against a raw SQL baseline.

Run from the repository root::

    .venv/bin/python bench/sync_ingest.py [--sessions 1000] [--interactions 50] [--batch 20]
                                          [--database-url URL] [--seed 2026] [--profile FILE]

Two fresh, migrated databases of the same kind get the demo organisation. Into the first, N
submitted ``quis_session`` documents of M interactions each are sent in batches through the real
app (werkzeug server on 127.0.0.1, one keep-alive connection, logged in as the demo supervisor).
Into the second, the same rows are written with hand-written SQL through the DB-API driver: rows
built straight from the (already parsed) documents, one transaction per batch, ``executemany``
for the interactions. Timed, wall clock: the sync POSTs (request bodies are encoded beforehand)
and the raw path's row building plus inserts (the inserts alone are shown too). Afterwards both
databases must have gained exactly N sessions and N×M interactions, with identical content.
The last line printed is ``ratio <sync interactions/s ÷ raw interactions/s>``.

Default database: temporary SQLite files, removed at the end. With ``--database-url`` pointing at
a SQLite file that does not exist yet, that file and a ``-raw`` sibling are used (and removed
unless ``--keep``). With a PostgreSQL URL, two new databases are created on that server and dropped
afterwards (the role needs CREATEDB).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import hashlib
import http.client
import json
import logging
import os
import pstats
import random
import re
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SUPERVISOR = "supervisor@demo.test"
SERVICE = "Rosewood House"
BASE_TIME = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
BST = timezone(timedelta(hours=1))
CATEGORY_WEIGHTS = {"PS": 32, "PC": 38, "N": 16, "NP": 8, "NR": 6}
NOTES = (
    "",
    "",
    "",
    "",
    "Offered a choice of drinks and waited for an answer.",
    "Sat at eye level and chatted about the garden.",
    "Moved the chair without saying why.",
    "Explained the medicine before giving it.",
)
SESSION_NOTES = (
    "Lunch in the dining room, two staff serving.",
    "Afternoon activity in the lounge.",
    "",
)

SESSION_COLUMNS = (
    "uuid",
    "organisation_id",
    "service_id",
    "area_id",
    "observer_id",
    "context",
    "started_at",
    "ended_at",
    "planned_minutes",
    "frame_minutes",
    "people",
    "staff_on_duty",
    "status",
    "revision",
    "content_hash",
    "notes",
    "went_well",
    "to_develop",
    "privacy_flags",
    "created_at",
    "updated_at",
    "submitted_at",
    "n_ps",
    "n_pc",
    "n_n",
    "n_np",
    "n_nr",
    "people_count",
    "people_with_negative",
    "observed_minutes",
    "person_minutes",
)
INTERACTION_COLUMNS = (
    "session_id",
    "uuid",
    "position",
    "at",
    "people",
    "staff_id",
    "category",
    "initiated_by",
    "communication",
    "negative_reason",
    "note",
)
SESSION_CLOCK = SESSION_COLUMNS.index("created_at")  # then updated_at, submitted_at
JSON_SESSION_COLUMNS = {"people", "privacy_flags"}
JSON_INTERACTION_COLUMNS = {"people"}
# Compared between the two databases: everything but surrogate keys and the write clock.
COMPARED_SESSION_COLUMNS = [
    c for c in SESSION_COLUMNS if c not in ("created_at", "updated_at", "submitted_at")
]
COMPARED_INTERACTION_COLUMNS = [c for c in INTERACTION_COLUMNS if c != "session_id"]


# --------------------------------------------------------------------------------------------
# Databases


@dataclass
class Databases:
    """The two fresh databases of one run (sync path, raw path) and how to get rid of them."""

    sync_url: str
    raw_url: str
    dialect: str
    cleanup: list


def _sqlite_path(url: str) -> Path:
    return Path(sa.engine.make_url(url).database or "")


def create_databases(url: str | None, workdir: Path) -> Databases:
    if url is None:
        return Databases(
            f"sqlite:///{workdir / 'sync.db'}", f"sqlite:///{workdir / 'raw.db'}", "sqlite", []
        )
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = _sqlite_path(url)
        if not parsed.database or parsed.database == ":memory:":
            raise SystemExit("Give a SQLite file path, e.g. sqlite:////tmp/bench.db")
        raw_path = path.with_name(f"{path.stem}-raw{path.suffix or '.db'}")
        for candidate in (path, raw_path):
            if candidate.exists():
                raise SystemExit(f"{candidate} exists; the benchmark needs a fresh database.")
        files = [Path(f"{p}{s}") for p in (path, raw_path) for s in ("", "-wal", "-shm")]
        return Databases(f"sqlite:///{path}", f"sqlite:///{raw_path}", "sqlite", files)
    if parsed.get_backend_name() != "postgresql":
        raise SystemExit("Only SQLite and PostgreSQL URLs are supported.")
    stem = f"careobs_bench_{os.getpid()}_{int(time.time())}"
    admin = sa.create_engine(parsed, isolation_level="AUTOCOMMIT")
    names = [f"{stem}_sync", f"{stem}_raw"]
    with admin.connect() as conn:
        for name in names:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    urls = [parsed.set(database=name).render_as_string(hide_password=False) for name in names]
    return Databases(urls[0], urls[1], "postgresql", [(parsed, names)])


def drop_databases(dbs: Databases) -> None:
    for item in dbs.cleanup:
        if isinstance(item, Path):
            item.unlink(missing_ok=True)
            continue
        parsed, names = item
        admin = sa.create_engine(parsed, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in names:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def prepare_database(url: str, secret_key: str) -> None:
    """Migrate a fresh database and load the demo organisation (cheap password hash)."""
    from careobs import create_app, migrate
    from careobs.db import get_session, make_engine
    from careobs.demo import load_demo

    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": secret_key, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"}
    )
    with app.app_context():
        load_demo(get_session())
    app.extensions["careobs.engine"].dispose()


def demo_ids(url: str) -> dict:
    """Integer ids of the demo rows the documents refer to, looked up by name."""
    from careobs.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        service_id, org_id = conn.execute(
            sa.text("SELECT id, organisation_id FROM services WHERE name = :n"), {"n": SERVICE}
        ).one()
        observer_id = conn.execute(
            sa.text("SELECT id FROM users WHERE email = :e"), {"e": SUPERVISOR}
        ).scalar_one()
        areas = dict(
            conn.execute(
                sa.text("SELECT name, id FROM areas WHERE service_id = :s"), {"s": service_id}
            ).all()
        )
        staff = dict(
            conn.execute(
                sa.text("SELECT name, id FROM staff_members WHERE service_id = :s"),
                {"s": service_id},
            ).all()
        )
        counts = conn.exec_driver_sql(
            "SELECT (SELECT count(*) FROM quis_sessions), (SELECT count(*) FROM quis_interactions)"
        ).one()
    engine.dispose()
    return {
        "sessions": counts[0],
        "interactions": counts[1],
        "organisation_id": org_id,
        "service_id": service_id,
        "observer_id": observer_id,
        "areas": areas,
        "staff": staff,
    }


# --------------------------------------------------------------------------------------------
# Documents


def new_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def iso(moment: datetime, rng: random.Random) -> str:
    """An aware ISO 8601 time, sometimes written in UTC and sometimes in BST."""
    zone = BST if rng.random() < 0.5 else UTC
    return moment.astimezone(zone).isoformat(timespec="seconds")


def make_documents(n_sessions: int, n_interactions: int, roster: dict, seed: int) -> list[dict]:
    """N submitted quis_session documents of M interactions each, the same for a given seed."""
    from careobs.quis.models import CONTEXTS
    from careobs.quis.scoring import NEGATIVE, NEGATIVE_REASONS

    rng = random.Random(seed)
    categories = list(CATEGORY_WEIGHTS)
    weights = list(CATEGORY_WEIGHTS.values())
    reasons = list(NEGATIVE_REASONS)
    contexts = list(CONTEXTS)
    people_codes = roster["people"]
    staff_ids = roster["staff"]
    area_ids = roster["areas"]
    documents = []
    for _ in range(n_sessions):
        started = BASE_TIME + timedelta(minutes=rng.randrange(0, 300 * 24 * 60, 5))
        planned = rng.choice((30, 45, 60, 90))
        ended = started + timedelta(
            minutes=planned + rng.randint(-5, 10), seconds=rng.randint(0, 59)
        )
        people = sorted(rng.sample(people_codes, rng.randint(2, 8)))
        span = (ended - started).total_seconds()
        moments = sorted(rng.uniform(0, span) for _ in range(n_interactions))
        interactions = []
        for offset in moments:
            category = rng.choices(categories, weights)[0]
            negative = category in NEGATIVE
            interactions.append(
                {
                    "id": new_id(rng),
                    "at": iso(started + timedelta(seconds=int(offset)), rng),
                    "people": sorted(rng.sample(people, rng.choice((1, 1, 1, 2)))),
                    "staff_id": rng.choice(staff_ids) if rng.random() < 0.9 else None,
                    "category": category,
                    "initiated_by": rng.choice(("staff", "person", None)),
                    "communication": rng.choice(("two_way", "one_way", None)),
                    "negative_reason": rng.choice(reasons) if negative else None,
                    "note": rng.choice(NOTES),
                }
            )
        data = {
            "service_id": roster["service_id"],
            "area_id": rng.choice(area_ids) if rng.random() < 0.8 else None,
            "context": rng.choice(contexts),
            "started_at": iso(started, rng),
            "ended_at": iso(ended, rng),
            "planned_minutes": planned,
            "frame_minutes": 5,
            "people": people,
            "staff_on_duty": rng.randint(2, 8),
            "status": "submitted",
            "notes": rng.choice(SESSION_NOTES),
            "went_well": "Staff knelt to talk at eye level.",
            "to_develop": "",
            "interactions": interactions,
        }
        documents.append({"kind": "quis_session", "id": new_id(rng), "revision": 1, "data": data})
    return documents


def batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --------------------------------------------------------------------------------------------
# Sync path: the real app over HTTP


class Client:
    """A tiny keep-alive HTTP client with a cookie jar (standard library only)."""

    def __init__(self, host: str, port: int):
        self.conn = http.client.HTTPConnection(host, port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body=None, headers=None):
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
        return response.status, data

    def json(self, method: str, path: str, **kwargs):
        status, data = self.request(method, path, **kwargs)
        if status != 200:
            raise RuntimeError(f"{method} {path} → {status}: {data[:500]!r}")
        return json.loads(data)

    def close(self) -> None:
        self.conn.close()


def log_in(client: Client) -> None:
    from careobs.demo import DEMO_PASSWORD

    status, page = client.request("GET", "/login")
    match = re.search(rb'<meta name="csrf-token" content="([^"]+)"', page)
    if status != 200 or not match:
        raise RuntimeError(f"GET /login → {status}, no csrf-token meta tag")
    form = urlencode(
        {"csrf_token": match.group(1).decode(), "email": SUPERVISOR, "password": DEMO_PASSWORD}
    )
    status, body = client.request(
        "POST", "/login", body=form, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    if status != 302:
        raise RuntimeError(f"POST /login → {status} (expected a redirect): {body[:300]!r}")


class RequestProfiler:
    """Profiles the app only while it answers POST /api/v1/sync (in the handler thread)."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.profile = cProfile.Profile()

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != "/api/v1/sync":
            return self.wsgi_app(environ, start_response)
        self.profile.enable()
        try:
            return list(self.wsgi_app(environ, start_response))
        finally:
            self.profile.disable()


@dataclass
class Timing:
    sessions: int
    interactions: int
    seconds: float  # wall clock
    cpu: float  # CPU time of the whole process (all threads) over the same span

    @property
    def rate(self) -> float:
        return self.interactions / self.seconds


def run_sync(url: str, secret_key: str, documents: list[dict], batch: int, profile_to):
    """Post the documents through the real app; returns the timing (and the profiler)."""
    from werkzeug.serving import make_server

    from careobs import create_app

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secret_key})
    profiler = None
    if profile_to:
        profiler = RequestProfiler(app.wsgi_app)
        app.wsgi_app = profiler
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    client = Client("127.0.0.1", server.server_port)
    try:
        log_in(client)
        services = client.json("GET", "/api/v1/bootstrap")["services"]
        if not any(s["name"] == SERVICE for s in services):
            raise RuntimeError("the supervisor cannot see Rosewood House")
        token = client.json("GET", "/api/v1/csrf")["csrf_token"]
        headers = {"Content-Type": "application/json", "X-CSRFToken": token}
        bodies = [json.dumps({"documents": chunk}).encode() for chunk in batches(documents, batch)]
        socket_before = client.conn.sock
        answers = []
        cpu = time.process_time()
        started = time.perf_counter()
        for body in bodies:
            answers.append(client.request("POST", "/api/v1/sync", body=body, headers=headers))
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        if client.conn.sock is not socket_before:
            raise RuntimeError("the connection was not kept alive")
    finally:
        client.close()
        server.shutdown()
        thread.join(timeout=30)
        server.server_close()
        app.extensions["careobs.engine"].dispose()

    created = 0
    for status, data in answers:
        if status != 200:
            raise RuntimeError(f"POST /api/v1/sync → {status}: {data[:500]!r}")
        for result in json.loads(data)["results"]:
            if result["status"] != "created":
                raise RuntimeError(f"not created: {result}")
            created += 1
    if created != len(documents):
        raise RuntimeError(f"{created} results for {len(documents)} documents")
    interactions = sum(len(d["data"]["interactions"]) for d in documents)
    return Timing(len(documents), interactions, seconds, cpu), profiler


# --------------------------------------------------------------------------------------------
# Raw SQL baseline


def stored_time(moment: datetime, dialect: str):
    """A time as the app stores it: naive UTC text on SQLite, aware UTC on PostgreSQL."""
    moment = moment.astimezone(UTC)
    if dialect == "sqlite":
        return moment.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    return moment


def stored_uuid(value: str, dialect: str):
    parsed = uuid.UUID(value)
    return parsed.hex if dialect == "sqlite" else parsed


def raw_rows(documents: list[dict], ids: dict, uuid_names: dict, dialect: str) -> list[tuple]:
    """Per document: its quis_sessions row values in column order (the write clock left empty)
    and its interaction rows (all but session_id).

    The derived columns (counts, minutes, privacy flags, content hash) are computed exactly as the
    app computes them, so both databases end up with the same rows.
    """
    from careobs.privacy import identifier_warnings
    from careobs.quis import scoring
    from careobs.sync.service import content_hash

    rows = []
    for doc in documents:
        data = doc["data"]
        started = datetime.fromisoformat(data["started_at"])
        ended = datetime.fromisoformat(data["ended_at"])
        items = data["interactions"]
        counts = scoring.CategoryCounts.from_categories(i["category"] for i in items)
        minutes = scoring.observed_minutes(started, ended)
        texts = (data["notes"], data["went_well"], data["to_develop"], *(i["note"] for i in items))
        flags = sorted({w for text in texts for w in identifier_warnings(text)})
        area = data["area_id"]
        session = {
            "uuid": stored_uuid(doc["id"], dialect),
            "organisation_id": ids["organisation_id"],
            "service_id": ids["service_id"],
            "area_id": ids["areas"][uuid_names[area]] if area else None,
            "observer_id": ids["observer_id"],
            "context": data["context"],
            "started_at": stored_time(started, dialect),
            "ended_at": stored_time(ended, dialect),
            "planned_minutes": data["planned_minutes"],
            "frame_minutes": data["frame_minutes"],
            "people": json.dumps(data["people"]),
            "staff_on_duty": data["staff_on_duty"],
            "status": data["status"],
            "revision": doc["revision"],
            "content_hash": content_hash(data),
            "notes": data["notes"],
            "went_well": data["went_well"],
            "to_develop": data["to_develop"],
            "privacy_flags": json.dumps(flags),
            "n_ps": counts.PS,
            "n_pc": counts.PC,
            "n_n": counts.N,
            "n_np": counts.NP,
            "n_nr": counts.NR,
            "people_count": len(data["people"]),
            "people_with_negative": len(scoring.people_with_negative(items, data["people"])),
            "observed_minutes": minutes,
            "person_minutes": scoring.person_minutes(len(data["people"]), minutes),
        }
        interactions = [
            (
                stored_uuid(i["id"], dialect),
                position,
                stored_time(datetime.fromisoformat(i["at"]), dialect),
                json.dumps(i["people"]),
                ids["staff"][uuid_names[i["staff_id"]]] if i["staff_id"] else None,
                i["category"],
                i["initiated_by"],
                i["communication"],
                i["negative_reason"],
                i["note"],
            )
            for position, i in enumerate(items)
        ]
        rows.append(([session.get(c) for c in SESSION_COLUMNS], interactions))
    return rows


def insert_sql(table: str, columns, json_columns, dialect: str, returning: bool = False) -> str:
    if dialect == "sqlite":
        marks = ["?"] * len(columns)
    else:
        marks = ["%s::json" if c in json_columns else "%s" for c in columns]
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(marks)})"
    return sql + (" RETURNING id" if returning and dialect != "sqlite" else "")


class RawWriter:
    """Hand-written inserts through the DB-API driver (sqlite3, or psycopg via SQLAlchemy)."""

    def __init__(self, url: str, dialect: str):
        self.dialect = dialect
        self.session_sql = insert_sql(
            "quis_sessions", SESSION_COLUMNS, JSON_SESSION_COLUMNS, dialect, returning=True
        )
        self.interaction_sql = insert_sql(
            "quis_interactions", INTERACTION_COLUMNS, JSON_INTERACTION_COLUMNS, dialect
        )
        if dialect == "sqlite":
            self.conn = sqlite3.connect(_sqlite_path(url), isolation_level=None)
            # The same connection settings as careobs.db.make_engine.
            for pragma in ("foreign_keys=ON", "busy_timeout=5000", "journal_mode=WAL"):
                self.conn.execute(f"PRAGMA {pragma}")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.cursor = self.conn.cursor()
        else:
            self.engine = sa.create_engine(url)
            self.conn = self.engine.connect()

    def write_batch(self, rows: list) -> None:
        """One transaction: each session row, then all the batch's interactions at once."""
        now = stored_time(datetime.now(UTC), self.dialect)
        clock = SESSION_CLOCK
        pending = []
        if self.dialect == "sqlite":
            cur = self.cursor
            cur.execute("BEGIN")
            for values, items in rows:
                values[clock : clock + 3] = (now, now, now)
                cur.execute(self.session_sql, values)
                session_id = cur.lastrowid
                pending.extend((session_id, *item) for item in items)
            cur.executemany(self.interaction_sql, pending)
            cur.execute("COMMIT")
        else:
            conn = self.conn
            for values, items in rows:
                values[clock : clock + 3] = (now, now, now)
                session_id = conn.exec_driver_sql(self.session_sql, tuple(values)).scalar_one()
                pending.extend((session_id, *item) for item in items)
            conn.exec_driver_sql(self.interaction_sql, pending)
            conn.commit()

    def close(self) -> None:
        self.conn.close()
        if self.dialect != "sqlite":
            self.engine.dispose()


def run_raw(url: str, dialect: str, documents: list, ids: dict, uuid_names: dict, batch: int):
    """The same documents by hand: rows built from the parsed documents, then inserted with one
    transaction per batch. Returns the timing and the part of it spent in the inserts alone."""
    writer = RawWriter(url, dialect)
    chunks = list(batches(documents, batch))
    inserting = 0.0
    try:
        cpu = time.process_time()
        started = time.perf_counter()
        for chunk in chunks:
            rows = raw_rows(chunk, ids, uuid_names, dialect)
            insert_started = time.perf_counter()
            writer.write_batch(rows)
            inserting += time.perf_counter() - insert_started
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
    finally:
        writer.close()
    interactions = sum(len(d["data"]["interactions"]) for d in documents)
    return Timing(len(documents), interactions, seconds, cpu), inserting


# --------------------------------------------------------------------------------------------
# Checks


def stored_rows(url: str, dialect: str, documents: list[dict]) -> tuple[list, list, int, int]:
    """The benchmark's QUIS rows in a comparable form (by uuid, without surrogate keys), and the
    total numbers of sessions and interactions in the database (the demo brings some of its own).
    """
    from careobs.db import make_engine

    ours = {stored_uuid(d["id"], dialect) for d in documents}
    engine = make_engine(url)
    session_cols = ", ".join(COMPARED_SESSION_COLUMNS)
    interaction_cols = ", ".join(f"i.{c}" for c in COMPARED_INTERACTION_COLUMNS)
    with engine.connect() as conn:
        sessions = conn.exec_driver_sql(
            f"SELECT {session_cols} FROM quis_sessions ORDER BY uuid"
        ).all()
        interactions = conn.exec_driver_sql(
            f"SELECT s.uuid, {interaction_cols} FROM quis_interactions i "
            "JOIN quis_sessions s ON s.id = i.session_id ORDER BY s.uuid, i.position"
        ).all()
    engine.dispose()
    return (
        [tuple(r) for r in sessions if r[0] in ours],
        [tuple(r) for r in interactions if r[0] in ours],
        len(sessions),
        len(interactions),
    )


def check_same(dbs: Databases, documents: list[dict], before: dict) -> None:
    """Both databases gained exactly the benchmark's rows, and the same rows."""
    n_sessions = len(documents)
    n_interactions = sum(len(d["data"]["interactions"]) for d in documents)
    found = {}
    for name, url in (("sync", dbs.sync_url), ("raw", dbs.raw_url)):
        sessions, interactions, all_sessions, all_interactions = stored_rows(
            url, dbs.dialect, documents
        )
        added = (
            all_sessions - before[name]["sessions"],
            all_interactions - before[name]["interactions"],
        )
        if added != (n_sessions, n_interactions) or (len(sessions), len(interactions)) != added:
            raise RuntimeError(
                f"{name} database gained {added[0]} sessions and {added[1]} interactions, "
                f"expected {n_sessions} and {n_interactions}"
            )
        found[name] = (sessions, interactions)
    if found["sync"] != found["raw"]:
        sync_rows = [*found["sync"][0], *found["sync"][1]]
        raw_rows_ = [*found["raw"][0], *found["raw"][1]]
        for a, b in zip(sync_rows, raw_rows_, strict=True):
            if a != b:
                raise RuntimeError(f"the two paths stored different rows:\n{a}\n{b}")


def careobs_hot_spots(profiler: RequestProfiler, path: str, limit: int = 15) -> None:
    profiler.profile.dump_stats(path)
    stats = pstats.Stats(path)
    total = max(stats.total_tt, 1e-9)  # type: ignore[attr-defined]
    rows = []
    for (filename, line, name), (_cc, _nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if f"{os.sep}careobs{os.sep}" in filename:
            rel = os.path.relpath(filename, ROOT)
            rows.append((ct, tt, f"{rel}:{line}({name})"))
    rows.sort(reverse=True)
    print(f"profile of the sync requests written to {path} ({total:.2f} s profiled)")
    print(f"{'cumulative':>10} {'share':>6} {'own':>7}  function (inside careobs/)")
    for ct, tt, where in rows[:limit]:
        print(f"{ct:>9.2f}s {100 * ct / total:>5.1f}% {tt:>6.2f}s  {where}")
    print()


# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--interactions", type=int, default=50, help="per session")
    parser.add_argument("--batch", type=int, default=20, help="documents per request (≤ 100)")
    parser.add_argument("--database-url", help="default: temporary SQLite files")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", metavar="FILE", help="cProfile the sync requests into FILE")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args(argv)
    if not 1 <= args.batch <= 100:
        parser.error("--batch must be between 1 and 100")
    if args.sessions < 1 or args.interactions < 0:
        parser.error("--sessions must be ≥ 1 and --interactions ≥ 0")

    workdir = Path(tempfile.mkdtemp(prefix="careobs-bench-"))
    # The app would otherwise keep a generated secret key in the repository's instance folder.
    os.environ["CAREOBS_INSTANCE_PATH"] = str(workdir / "instance")
    secret_key = hashlib.sha256(os.urandom(32)).hexdigest()
    dbs = None
    try:
        dbs = create_databases(args.database_url, workdir)
        for url in (dbs.sync_url, dbs.raw_url):
            prepare_database(url, secret_key)

        sync_ids, raw_ids = demo_ids(dbs.sync_url), demo_ids(dbs.raw_url)
        roster, uuid_names = public_roster(dbs.sync_url)
        documents = make_documents(args.sessions, args.interactions, roster, args.seed)
        if sync_ids["service_id"] != raw_ids["service_id"]:
            raise RuntimeError("the two demo loads differ")

        sync, profiler = run_sync(dbs.sync_url, secret_key, documents, args.batch, args.profile)
        raw, inserting = run_raw(
            dbs.raw_url, dbs.dialect, documents, raw_ids, uuid_names, args.batch
        )
        check_same(dbs, documents, {"sync": sync_ids, "raw": raw_ids})

        if profiler is not None:
            careobs_hot_spots(profiler, args.profile)
        print(
            f"{dbs.dialect}, {args.sessions} sessions × {args.interactions} interactions, "
            f"{args.batch} documents per batch{' (profiled)' if profiler else ''}"
        )
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"{os.cpu_count()} CPUs, load average {load} (wall clock is what is compared)")
        print(
            f"{'path':<12} {'sessions':>8} {'interactions':>12} {'seconds':>8} "
            f"{'inter./s':>9} {'CPU s':>7}"
        )
        for name, timing in (("sync (HTTP)", sync), ("raw SQL", raw)):
            print(
                f"{name:<12} {timing.sessions:>8} {timing.interactions:>12} "
                f"{timing.seconds:>8.2f} {timing.rate:>9.0f} {timing.cpu:>7.2f}"
            )
        print(
            f"(raw SQL: {inserting:.2f} s of the {raw.seconds:.2f} s in the inserts, the rest "
            "building rows from the documents)"
        )
        print(f"ratio {sync.rate / raw.rate:.2f}")
    finally:
        if dbs is not None and not args.keep:
            with contextlib.suppress(Exception):
                drop_databases(dbs)
        if args.keep and dbs is not None:
            print(f"kept: {dbs.sync_url} {dbs.raw_url}", file=sys.stderr)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def public_roster(url: str) -> tuple[dict, dict]:
    """Rosewood House's public ids as a device sees them, and public id → name."""
    from careobs.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        service_uuid, service_id = conn.execute(
            sa.select(sa.column("uuid", sa.Uuid), sa.column("id"))
            .select_from(sa.table("services"))
            .where(sa.column("name") == SERVICE)
        ).one()

        def named(table: str) -> list:
            stmt = (
                sa.select(sa.column("uuid", sa.Uuid), sa.column("name"))
                .select_from(sa.table(table))
                .where(sa.column("service_id") == service_id)
                .order_by(sa.column("name"))
            )
            return [(str(u), n) for u, n in conn.execute(stmt)]

        areas, staff = named("areas"), named("staff_members")
        people = conn.execute(
            sa.text("SELECT code FROM people WHERE service_id = :s ORDER BY code"),
            {"s": service_id},
        ).scalars()
        people = list(people)
    engine.dispose()
    roster = {
        "service_id": str(service_uuid),
        "areas": [u for u, _ in areas],
        "staff": [u for u, _ in staff],
        "people": people,
    }
    return roster, dict(areas + staff)


if __name__ == "__main__":
    sys.exit(main())
