"""Chaos run of POST /api/v1/sync: dropped answers, duplicate batches, old revisions, server kills.

Run from the repository root::

    .venv/bin/python bench/chaos.py [--documents 300] [--seconds 120] [--devices 4]
                                    [--server werkzeug | gunicorn] [--workers 4]
                                    [--database-url URL] [--kill-every 4] [--seed 2026]

A fresh database gets the demo organisation; a real careobs server runs as a subprocess on one
port (werkzeug threaded, or gunicorn with ``--workers``). Several simulated devices (threads), each
with two login sessions of the demo supervisor (a phone and a tablet), write ``quis_session`` and
``spot_check`` documents as drafts at revisions 1..k-1 and submit them at revision k, and send them
in batches: read the answer, drop the connection before reading it, read and ignore it, send the
same batch from both sessions at once, or slip in older revisions. Meanwhile the server's process
group is killed with SIGKILL every few seconds while a request is in flight, and started again on
the same port and database. A connection error means "not acknowledged": the device sends again
later. At the end, everything not acknowledged is sent once more on a quiet server, the server is
stopped and the database is read directly:

    delivered N   lost 0   duplicated 0   overwritten 0   5xx 0

delivered: documents whose highest acknowledged revision is stored, children and aggregates
matching; lost: acknowledged (created/updated/unchanged) at a revision but not stored at ≥ that
revision; duplicated: more than one row per document id, or an interaction/answer/action id
stored more than once; overwritten: stored revision lower than the highest acknowledged one, or
stored children/aggregates that are not those of the stored revision's content; 5xx: responses with
a status ≥ 500 (connection errors from kills are counted apart). The exit status is 1 when any
figure but delivered is non-zero, or when one of the checks printed under "anomalies" fails.

The database is a temporary SQLite file by default; with a PostgreSQL ``--database-url`` a fresh
database ``careobs_chaos_<pid>_<time>`` is created on that server and dropped afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import logging
import math
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

# Run as a script, this folder is on sys.path: the ingest benchmark's client and setup are shared.
from sync_ingest import Client, log_in, prepare_database

ROOT = Path(__file__).resolve().parent.parent

QUIS_SERVICE = "Rosewood House"
VISIT_SERVICE = "Riverside Homecare"
SYNC = "/api/v1/sync"
ACKNOWLEDGED = ("created", "updated", "unchanged")
BST = timezone(timedelta(hours=1))
CATEGORY_WEIGHTS = {"PS": 34, "PC": 36, "N": 16, "NP": 9, "NR": 5}
COUNT_NAMES = ("n_met", "n_partly", "n_not_met", "n_na")
RATING_WEIGHTS = {"met": 75, "partly": 10, "not_met": 5, "na": 10}
REQUEST_TIMEOUT = 60.0


# --------------------------------------------------------------------------------------------
# The server under test, in its own process group so a kill takes every worker with it


def serve_werkzeug(port: int) -> None:
    """Entry point of the server subprocess (``chaos.py --serve-werkzeug PORT``)."""
    from werkzeug.serving import run_simple

    from careobs import create_app

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    run_simple("127.0.0.1", port, create_app(), threaded=True, use_reloader=False)


class Server:
    """Starts, SIGKILLs and restarts the app on one port; its output goes to ``log``."""

    def __init__(self, kind: str, workers: int, port: int, env: dict, log: Path):
        self.kind, self.workers, self.port, self.env, self.log = kind, workers, port, env, log
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def command(self) -> list[str]:
        if self.kind == "werkzeug":
            return [
                sys.executable,
                str(Path(__file__).resolve()),
                "--serve-werkzeug",
                str(self.port),
            ]
        gunicorn = Path(sys.executable).with_name("gunicorn")
        return [
            str(gunicorn),
            "--workers",
            str(self.workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--timeout",
            "60",
            "careobs:create_app()",
        ]

    def start(self) -> None:
        with self.log.open("ab") as out:
            out.write(f"\n=== start {self.starts + 1} at {time.time():.3f}\n".encode())
            out.flush()
            self.proc = subprocess.Popen(
                self.command(),
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1
        self.wait_ready()

    def wait_ready(self, seconds: float = 90.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}; see {self.log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/login")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server did not answer within {seconds:.0f} s; see {self.log}")

    def kill(self) -> None:
        """SIGKILL the whole process group (gunicorn's master and workers alike)."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        """A clean stop (SIGTERM, then SIGKILL if it lingers)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------------------------
# Database


@dataclass
class Database:
    url: str
    dialect: str
    drop: tuple | None = None  # (admin URL, database name) for PostgreSQL
    files: list[Path] = field(default_factory=list)


def create_database(url: str | None, workdir: Path) -> Database:
    if url is None:
        return Database(f"sqlite:///{workdir / 'chaos.db'}", "sqlite")
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        if not parsed.database or parsed.database == ":memory:" or path.exists():
            raise SystemExit("Give a SQLite file that does not exist yet, e.g. sqlite:////tmp/c.db")
        return Database(
            f"sqlite:///{path}", "sqlite", files=[Path(f"{path}{s}") for s in ("", "-wal", "-shm")]
        )
    if parsed.get_backend_name() != "postgresql":
        raise SystemExit("Only SQLite and PostgreSQL URLs are supported.")
    name = f"careobs_chaos_{os.getpid()}_{int(time.time())}"
    admin = sa.create_engine(parsed, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return Database(
        parsed.set(database=name).render_as_string(hide_password=False),
        "postgresql",
        drop=(parsed, name),
    )


def drop_database(db: Database) -> None:
    for path in db.files:
        path.unlink(missing_ok=True)
    if db.drop:
        parsed, name = db.drop
        admin = sa.create_engine(parsed, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


# --------------------------------------------------------------------------------------------
# Documents: every revision of every document, built up front from the bootstrap (as a device)


@dataclass
class Doc:
    kind: str
    id: str
    revisions: list[dict]  # data at revision 1..k (index r - 1); the last one is submitted
    produced: int = 0  # the highest revision the owning device has written so far

    @property
    def final(self) -> int:
        return len(self.revisions)

    def body(self, revision: int) -> dict:
        return {
            "kind": self.kind,
            "id": self.id,
            "revision": revision,
            "data": self.revisions[revision - 1],
        }


def new_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def iso(moment: datetime, rng: random.Random) -> str:
    zone = BST if rng.random() < 0.5 else UTC
    return moment.astimezone(zone).isoformat(timespec="seconds")


def quis_revisions(rng: random.Random, service: dict, k: int, now: datetime) -> list[dict]:
    """Drafts 1..k-1 and the submitted revision k of one QUIS session: each revision adds
    interactions, recodes or removes an earlier one and rewrites the notes."""
    from careobs.quis.models import CONTEXTS
    from careobs.quis.scoring import NEGATIVE, NEGATIVE_REASONS

    started = (now - timedelta(days=rng.randint(1, 60))).replace(
        hour=rng.randint(8, 19), minute=rng.randrange(0, 60, 5), second=0, microsecond=0
    )
    planned = rng.choice((20, 30, 45))
    codes = [p["code"] for p in service["people"]]
    people = sorted(rng.sample(codes, min(len(codes), rng.randint(2, 5))))
    staff = [s["id"] for s in service["staff"]]
    areas = [a["id"] for a in service["areas"]]
    base = {
        "service_id": service["id"],
        "area_id": rng.choice(areas) if areas and rng.random() < 0.8 else None,
        "context": rng.choice(list(CONTEXTS)),
        "started_at": iso(started, rng),
        "ended_at": None,
        "planned_minutes": planned,
        "frame_minutes": 5,
        "people": people,
        "staff_on_duty": rng.randint(2, 6),
        "went_well": "",
        "to_develop": "",
    }
    interactions: list[dict] = []
    revisions = []
    for revision in range(1, k + 1):
        for _ in range(rng.randint(2, 7)):
            category = rng.choices(list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values()))[0]
            minute = rng.uniform(0, planned)
            interactions.append(
                {
                    "id": new_id(rng),
                    "at": iso(started + timedelta(minutes=minute), rng),
                    "people": sorted(rng.sample(people, 1)),
                    "staff_id": rng.choice(staff) if staff and rng.random() < 0.9 else None,
                    "category": category,
                    "initiated_by": rng.choice(("staff", "person", None)),
                    "communication": rng.choice(("two_way", "one_way", None)),
                    "negative_reason": rng.choice(list(NEGATIVE_REASONS))
                    if category in NEGATIVE and rng.random() < 0.7
                    else None,
                    "note": f"r{revision} " + rng.choice(("", "Offered a choice.", "Sat nearby.")),
                }
            )
        if revision > 1 and rng.random() < 0.5:  # the observer recodes one
            item = rng.choice(interactions)
            item["category"] = rng.choice(("PS", "PC", "N"))
            item["negative_reason"] = None
            item["note"] = f"recoded at r{revision}"
        if revision > 1 and len(interactions) > 3 and rng.random() < 0.3:  # and undoes one
            interactions.pop(rng.randrange(len(interactions)))
        submitted = revision == k
        data = {
            **base,
            "status": "submitted" if submitted else "draft",
            "ended_at": iso(started + timedelta(minutes=planned), rng) if submitted else None,
            "notes": f"Observation notes, revision {revision}.",
            "interactions": [dict(i, people=list(i["people"])) for i in interactions],
        }
        if submitted:
            data["went_well"] = "Staff knelt to talk at eye level."
        revisions.append(data)
    return revisions


def visit_revisions(
    rng: random.Random, service: dict, checklist: dict, k: int, now: datetime
) -> list[dict]:
    """Drafts 1..k-1 and the submitted revision k of one spot check: items answered bit by bit
    (some re-rated), actions agreed on the way, the arrival and departure recorded."""
    items = [i for d in checklist["domains"] for i in d["items"]]
    people = [p for p in service["people"] if p["consent"] in ("yes", "not_recorded")]
    person = rng.choice(people)
    planned = (now - timedelta(days=rng.randint(1, 60))).replace(
        hour=rng.randint(7, 20), minute=rng.randrange(0, 60, 15), second=0, microsecond=0
    )
    staff = [s["id"] for s in service["staff"]]
    worker = rng.choice(staff)
    visit_type = rng.choice(("announced", "unannounced", "responsive"))
    ratings: dict[str, str] = {}
    actions: list[dict] = []
    revisions = []
    for revision in range(1, k + 1):
        submitted = revision == k
        answered = len(items) if submitted else math.ceil(len(items) * revision / (k + 1))
        for item in items[:answered]:
            if item["id"] not in ratings or rng.random() < 0.1:
                weights = dict(RATING_WEIGHTS)
                if item["critical"]:
                    weights["not_met"] = 1
                ratings[item["id"]] = rng.choices(list(weights), list(weights.values()))[0]
        if rng.random() < 0.4 and len(actions) < 4:
            actions.append(
                {
                    "id": new_id(rng),
                    "description": f"Agreed at revision {revision}: a refresher.",
                    "owner_id": rng.choice(staff),
                    "due_on": (planned.date() + timedelta(days=rng.randint(7, 60))).isoformat(),
                }
            )
        if actions and rng.random() < 0.2:
            actions[0] = dict(actions[0], description=f"Reworded at revision {revision}.")
        arrived = planned + timedelta(minutes=rng.randint(-5, 20))
        revisions.append(
            {
                "service_id": service["id"],
                "staff_id": worker,
                "person_code": person["code"],
                "visit_type": visit_type,
                "consent": "on_record" if person["consent"] == "yes" else "obtained_today",
                "checklist_id": checklist["id"],
                "checklist_version": checklist["version"],
                "planned_at": iso(planned, rng),
                "planned_minutes": 30,
                "arrived_at": iso(arrived, rng) if submitted or revision > 1 else None,
                "left_at": iso(arrived + timedelta(minutes=32), rng) if submitted else None,
                "answers": [
                    {"item_id": i["id"], "rating": ratings[i["id"]], "comment": f"r{revision}"}
                    for i in items[:answered]
                ],
                "person_view": {"satisfaction": rng.randint(3, 5), "comment": ""},
                "went_well": f"Warm greeting (revision {revision}).",
                "to_develop": "",
                "actions": [dict(a) for a in actions],
                "status": "submitted" if submitted else "draft",
            }
        )
    return revisions


def make_documents(n: int, bootstrap: dict, seed: int, spot_share: float, max_k: int) -> list[Doc]:
    rng = random.Random(seed)
    services = {s["name"]: s for s in bootstrap["services"]}
    quis_service, visit_service = services[QUIS_SERVICE], services[VISIT_SERVICE]
    checklist = bootstrap["checklists"][0]
    now = datetime.now(UTC)
    docs = []
    for _ in range(n):
        k = rng.randint(1, max_k)
        if rng.random() < spot_share:
            revisions = visit_revisions(rng, visit_service, checklist, k, now)
            docs.append(Doc("spot_check", new_id(rng), revisions))
        else:
            docs.append(Doc("quis_session", new_id(rng), quis_revisions(rng, quis_service, k, now)))
    return docs


# --------------------------------------------------------------------------------------------
# Poison documents (``--poison``): each must be answered ``invalid``, the batch still processed

DEEP = 100_000


def poison_document(rng: random.Random, docs: list[Doc]) -> tuple[str, dict]:
    """A (name, document) that breaks one rule of the contract; ``notes`` of "deep" is a
    placeholder replaced by 100,000 nested lists when the body is encoded."""
    quis = next(d for d in docs if d.kind == "quis_session")
    visit = next((d for d in docs if d.kind == "spot_check"), None)
    data = json.loads(json.dumps(quis.revisions[-1]))
    for item in data["interactions"]:
        item["id"] = new_id(rng)
    name = rng.choice(
        ["nul", "surrogate", "year1", "year9999", "dup_interaction", "deep"]
        + (["dup_action"] if visit else [])
    )
    if name == "nul":
        data["notes"] = "a\u0000b"
    elif name == "surrogate":
        data["notes"] = "\ud800"
    elif name == "year1":
        data["started_at"] = "0001-01-01T00:00:00+14:00"
    elif name == "year9999":
        data["ended_at"] = "9999-12-31T23:59:59-14:00"
    elif name == "dup_interaction":
        data["interactions"] = [*data["interactions"], dict(data["interactions"][0])]
    elif name == "deep":
        data["notes"] = "__DEEP__"
    elif name == "dup_action" and visit is not None:
        data = json.loads(json.dumps(visit.revisions[-1]))
        action = {
            "id": new_id(rng),
            "description": "Twice the same id.",
            "owner_id": None,
            "due_on": None,
        }
        data["actions"] = [action, dict(action)]
        return name, {"kind": "spot_check", "id": new_id(rng), "revision": 1, "data": data}
    return name, {"kind": "quis_session", "id": new_id(rng), "revision": 1, "data": data}


def encode(documents: list[dict]) -> bytes:
    text = json.dumps({"documents": documents})
    if '"__DEEP__"' in text:
        text = text.replace('"__DEEP__"', "[" * DEEP + "]" * DEEP)
    return text.encode()


# --------------------------------------------------------------------------------------------
# What the devices were told, and everything else worth counting


class Ledger:
    """Acknowledgements and counters shared by every device thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acked: dict[str, int] = {}  # document id → highest acknowledged revision
        self.counts: Counter = Counter()
        self.statuses: Counter = Counter()
        self.http: Counter = Counter()
        self.anomalies: list[str] = []
        self.in_flight = 0

    def count(self, name: str, n: int = 1) -> None:
        with self.lock:
            self.counts[name] += n

    def anomaly(self, text: str) -> None:
        with self.lock:
            self.anomalies.append(text)

    def acked_revision(self, doc_id: str) -> int:
        with self.lock:
            return self.acked.get(doc_id, 0)

    def record(self, sent: list[dict], status: int, payload: bytes, poison: dict) -> bool:
        """Note the answer to one batch; True when it was a 200 with one result per document."""
        with self.lock:
            self.http[status] += 1
        if status != 200:
            return False
        try:
            results = json.loads(payload)["results"]
        except (ValueError, KeyError, TypeError):
            self.anomaly(f"200 without results: {payload[:200]!r}")
            return False
        if len(results) != len(sent):
            self.anomaly(f"{len(results)} results for {len(sent)} documents")
            return False
        with self.lock:
            for document, answer in zip(sent, results, strict=True):
                state = answer.get("status")
                if document["id"] in poison:
                    self.statuses[f"poison {state}"] += 1
                    if state != "invalid":
                        self.anomalies.append(
                            f"poison document {poison[document['id']]} answered {state}"
                        )
                    continue
                self.statuses[state] += 1
                if answer.get("id") != document["id"]:
                    self.anomalies.append(
                        f"result for {answer.get('id')} in {document['id']}'s place"
                    )
                elif state in ACKNOWLEDGED:
                    if answer.get("revision") != document["revision"]:
                        self.anomalies.append(
                            f"{document['id']} r{document['revision']} answered {state} "
                            f"at revision {answer.get('revision')}"
                        )
                    previous = self.acked.get(document["id"], 0)
                    self.acked[document["id"]] = max(previous, document["revision"])
                elif state in ("invalid", "forbidden"):
                    self.anomalies.append(
                        f"{document['id']} r{document['revision']} answered {state}: "
                        f"{json.dumps(answer.get('errors'))[:300]}"
                    )
        return True


class ConnectionFailed(Exception):
    """The server could not be reached or went away before answering."""


class LoginRefused(Exception):
    """POST /login answered 429 (too many attempts): not part of the sync contract, counted
    apart and tried again later."""


class DeviceSession(Client):
    """One login session: a keep-alive connection, its cookies and CSRF token."""

    def __init__(self, port: int):
        super().__init__("127.0.0.1", port)
        self.conn.timeout = REQUEST_TIMEOUT
        self.token: str | None = None

    def call(self, method: str, path: str, body=None, headers=None):
        try:
            return self.request(method, path, body=body, headers=headers)
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            raise ConnectionFailed(type(exc).__name__) from exc

    def login(self) -> None:
        self.cookies.clear()
        try:
            log_in(self)
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            raise ConnectionFailed(type(exc).__name__) from exc
        except RuntimeError as exc:
            if "→ 429" in str(exc):
                raise LoginRefused from exc
            raise
        self.refresh_token()

    def refresh_token(self) -> None:
        status, data = self.call("GET", "/api/v1/csrf")
        if status != 200:
            raise ConnectionFailed(f"GET /api/v1/csrf → {status}")
        self.token = json.loads(data)["csrf_token"]

    def headers(self) -> dict:
        return {"Content-Type": "application/json", "X-CSRFToken": self.token or ""}

    def post(self, body: bytes):
        return self.call("POST", SYNC, body=body, headers=self.headers())

    def post_and_drop(self, body: bytes) -> None:
        """Send the whole request, then close the connection without reading the answer."""
        headers = self.headers()
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.conn.request("POST", SYNC, body=body, headers=headers)
        except (OSError, http.client.HTTPException) as exc:
            raise ConnectionFailed(type(exc).__name__) from exc
        finally:
            self.conn.close()


# --------------------------------------------------------------------------------------------
# Devices


MODES = {"read": 50, "drop": 15, "ignore": 10, "duplicate": 25}


class Device(threading.Thread):
    """A phone working through its own documents, with a twin session (the user's tablet)."""

    def __init__(self, name: str, run: Run, docs: list[Doc], seed: int):
        super().__init__(name=name, daemon=True)
        self.run_, self.docs = run, docs
        self.rng = random.Random(seed)
        self.phone = DeviceSession(run.port)
        self.tablet = DeviceSession(run.port)
        self.started = 0  # documents begun so far (in order)
        self.failures = 0

    # -- choosing what to send

    def begin_documents(self) -> None:
        elapsed = time.monotonic() - self.run_.t0
        share = min(1.0, elapsed / max(1.0, self.run_.seconds * self.run_.start_share))
        target = max(1, math.ceil(len(self.docs) * share))
        while self.started < min(target, len(self.docs)):
            self.docs[self.started].produced = 1
            self.started += 1

    def edit(self) -> None:
        """The user goes on writing: some documents get a newer revision, sent or not."""
        for doc in self.docs[: self.started]:
            if doc.produced < doc.final and self.rng.random() < 0.25:
                doc.produced = min(doc.final, doc.produced + self.rng.choice((1, 1, 1, 2)))

    def next_batch(self) -> list[dict]:
        ledger, rng = self.run_.ledger, self.rng
        begun = self.docs[: self.started]
        pending = [d for d in begun if ledger.acked_revision(d.id) < d.produced]
        size = rng.randint(1, self.run_.batch)
        chosen = {d.id: d.produced for d in pending[:size]}
        if rng.random() < 0.2 or not chosen:  # older revisions from a stale copy, or resends
            for doc in rng.sample(begun, min(len(begun), rng.randint(1, 3))):
                if doc.id not in chosen and doc.produced >= 1:
                    chosen[doc.id] = rng.randint(1, doc.produced)
        by_id = {d.id: d for d in begun}
        documents = [by_id[i].body(r) for i, r in chosen.items()]
        rng.shuffle(documents)
        return documents

    # -- sending

    def ensure_login(self, session: DeviceSession) -> None:
        if session.token is None:
            session.login()

    def send(self, session: DeviceSession, documents: list[dict], body: bytes, mode: str, poison):
        ledger = self.run_.ledger
        with ledger.lock:
            ledger.in_flight += 1
        try:
            if mode == "drop":
                session.post_and_drop(body)
                ledger.count("dropped answers")
                return
            status, payload = session.post(body)
        finally:
            with ledger.lock:
                ledger.in_flight -= 1
        if status >= 500:
            ledger.count("5xx")
            ledger.anomaly(f"{status} for a batch of {len(documents)}: {payload[:200]!r}")
        if status == 401 or (status == 400 and b"csrf" in payload.lower()):
            session.token = None  # log in again, or fetch a new token, before the next batch
        if mode == "ignore":
            with ledger.lock:
                ledger.http[status] += 1
            ledger.count("ignored answers")
            return
        ledger.record(documents, status, payload, poison)

    def step(self) -> None:
        run, rng = self.run_, self.rng
        self.begin_documents()
        self.edit()
        documents = self.next_batch()
        if not documents:
            return
        poison = {}
        if run.poison and rng.random() < run.poison:
            name, bad = poison_document(rng, run.docs)
            poison[bad["id"]] = name
            documents.insert(rng.randrange(len(documents) + 1), bad)
        body = encode(documents)
        mode = rng.choices(list(MODES), list(MODES.values()))[0]
        run.ledger.count(f"batches {mode}")
        self.ensure_login(self.phone)
        if mode != "duplicate":
            self.send(self.phone, documents, body, mode, poison)
            return
        self.ensure_login(self.tablet)
        errors: list[Exception] = []
        barrier = threading.Barrier(2)

        def twin() -> None:
            try:
                barrier.wait(timeout=10)
                self.send(self.tablet, documents, body, "read", poison)
            except Exception as exc:
                errors.append(exc)

        other = threading.Thread(target=twin, daemon=True)
        other.start()
        try:
            barrier.wait(timeout=10)
            self.send(self.phone, documents, body, "read", poison)
        finally:
            other.join()
        if errors:
            raise errors[0]

    def run(self) -> None:
        run = self.run_
        while not run.stopping.is_set():
            try:
                self.step()
                self.failures = 0
            except ConnectionFailed as exc:
                run.ledger.count("connection errors")
                run.ledger.count(f"connection errors ({exc})")
                self.failures += 1
                time.sleep(min(2.0, 0.1 * 2**self.failures) * self.rng.uniform(0.5, 1.0))
            except LoginRefused:
                run.ledger.count("logins refused (429)")
                time.sleep(self.rng.uniform(0.5, 1.5))
            except threading.BrokenBarrierError:
                run.ledger.count("connection errors")
            except Exception as exc:  # a bug in the harness: say so, keep going
                run.ledger.anomaly(f"{self.name}: {type(exc).__name__}: {exc}")
                time.sleep(0.5)
            time.sleep(self.rng.uniform(0.02, 0.2))
        self.phone.close()
        self.tablet.close()


# --------------------------------------------------------------------------------------------
# One run


@dataclass
class Run:
    port: int
    docs: list[Doc]
    seconds: float
    batch: int
    poison: float
    start_share: float = 0.6
    t0: float = 0.0
    ledger: Ledger = field(default_factory=Ledger)
    stopping: threading.Event = field(default_factory=threading.Event)


def killer(run: Run, server: Server, every: float, rng: random.Random, done: threading.Event):
    """SIGKILL the server every few seconds, while a request is in flight, and start it again."""
    while not done.wait(rng.uniform(0.5 * every, 1.5 * every)):
        deadline = time.monotonic() + 2.0
        while run.ledger.in_flight == 0 and time.monotonic() < deadline and not done.is_set():
            time.sleep(0.005)
        if done.is_set():
            return
        time.sleep(rng.uniform(0, 0.05))  # somewhere inside the batch
        in_flight = run.ledger.in_flight
        server.kill()
        run.ledger.count("kills")
        if in_flight:
            run.ledger.count("kills with a request in flight")
        server.start()


def final_resend(run: Run) -> None:
    """Send every document's latest revision that has no acknowledgement yet, on a quiet server."""
    session = DeviceSession(run.port)
    ledger = run.ledger
    todo = [d for d in run.docs if d.produced and ledger.acked_revision(d.id) < d.produced]
    ledger.count("final resend documents", len(todo))
    for attempt in range(10):
        if not todo:
            break
        for start in range(0, len(todo), 20):
            chunk = [d.body(d.produced) for d in todo[start : start + 20]]
            try:
                if session.token is None:
                    session.login()
                status, payload = session.post(encode(chunk))
            except (ConnectionFailed, LoginRefused):
                ledger.count("connection errors (final resend)")
                time.sleep(0.5)
                continue
            if status >= 500:
                ledger.count("5xx")
                ledger.anomaly(f"final resend: {status}: {payload[:200]!r}")
            if status in (400, 401):
                session.token = None
            ledger.record(chunk, status, payload, {})
        todo = [d for d in todo if ledger.acked_revision(d.id) < d.produced]
        if todo:
            time.sleep(0.5 * (attempt + 1))
    session.close()


# --------------------------------------------------------------------------------------------
# Checking the database


@dataclass
class Verdict:
    delivered: int = 0
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    overwritten: list[str] = field(default_factory=list)
    quarantined: int = 0
    quarantine_duplicates: int = 0
    rollup_drift: int = 0  # keys of the per-period sums that moved against the visits' rows
    rollup_mismatches: list[str] = field(default_factory=list)  # moved unexplained


def expected_quis(data: dict) -> dict:
    from careobs.quis import scoring

    counts = scoring.CategoryCounts.from_categories(i["category"] for i in data["interactions"])
    negatives = scoring.people_with_negative(data["interactions"], data["people"])
    return {
        "status": data["status"],
        "notes": data["notes"],
        "n_ps": counts.PS,
        "n_pc": counts.PC,
        "n_n": counts.N,
        "n_np": counts.NP,
        "n_nr": counts.NR,
        "people_count": len(data["people"]),
        "people_with_negative": len(negatives),
        "interactions": [(i["id"], i["category"], i["note"]) for i in data["interactions"]],
    }


def expected_visit(data: dict, domain_of: dict) -> dict:
    ratings = [a["rating"] for a in data["answers"]]
    per_domain: dict[str, Counter] = {}
    if data["status"] == "submitted":
        for answer in data["answers"]:
            per_domain.setdefault(domain_of[answer["item_id"]], Counter())[answer["rating"]] += 1
    return {
        "status": data["status"],
        "went_well": data["went_well"],
        "n_met": ratings.count("met"),
        "n_partly": ratings.count("partly"),
        "n_not_met": ratings.count("not_met"),
        "n_na": ratings.count("na"),
        "answers": sorted((a["item_id"], a["rating"], a["comment"]) for a in data["answers"]),
        "actions": [(a["id"], a["description"]) for a in data["actions"]],
        "domains": {
            key: tuple(c[r] for r in ("met", "partly", "not_met", "na"))
            for key, c in per_domain.items()
        },
        "missed": sum(1 for r in ratings if r in ("partly", "not_met"))
        if data["status"] == "submitted"
        else 0,
    }


def stored_quis(conn, ids: list[uuid.UUID]) -> tuple[dict, Counter, dict]:
    from careobs.quis.models import QuisInteraction, QuisSession

    s, i = QuisSession.__table__, QuisInteraction.__table__
    names = ("status", "notes", "n_ps", "n_pc", "n_n", "n_np", "n_nr", "people_count")
    rows: dict[str, list] = {}
    for row in conn.execute(
        sa.select(
            s.c.id, s.c.uuid, s.c.revision, s.c.people_with_negative, *[s.c[n] for n in names]
        ).where(s.c.uuid.in_(ids))
    ):
        rows.setdefault(str(row.uuid), []).append(row)
    children: dict[int, list] = {}
    for row in conn.execute(
        sa.select(i.c.session_id, i.c.uuid, i.c.category, i.c.note, i.c.position)
        .join(s, s.c.id == i.c.session_id)
        .where(s.c.uuid.in_(ids))
        .order_by(i.c.session_id, i.c.position)
    ):
        children.setdefault(row.session_id, []).append((str(row.uuid), row.category, row.note))
    child_ids = Counter(c[0] for items in children.values() for c in items)
    return rows, child_ids, children


def verify(url: str, docs: list[Doc], ledger: Ledger, rollups_before: dict) -> Verdict:
    from careobs.actions.models import Action
    from careobs.audit.models import AuditEvent
    from careobs.checklists.models import ChecklistDomain, ChecklistItem
    from careobs.db import make_engine
    from careobs.sync.models import QuarantinedDocument
    from careobs.sync.service import content_hash
    from careobs.visits.models import (
        MonitoringVisit,
        VisitAction,
        VisitAnswer,
        VisitDomainScore,
        VisitMissedItem,
    )

    verdict = Verdict()
    in_play = [d for d in docs if d.produced]
    quis_ids = [uuid.UUID(d.id) for d in in_play if d.kind == "quis_session"]
    visit_ids = [uuid.UUID(d.id) for d in in_play if d.kind == "spot_check"]
    engine = make_engine(url)
    v, ans, act = MonitoringVisit.__table__, VisitAnswer.__table__, VisitAction.__table__
    dom, miss = VisitDomainScore.__table__, VisitMissedItem.__table__
    items, domains = ChecklistItem.__table__, ChecklistDomain.__table__
    with engine.connect() as conn:
        sessions, interaction_ids, interactions = stored_quis(conn, quis_ids)
        domain_of = {
            str(r.uuid): str(r.key)
            for r in conn.execute(
                sa.select(items.c.uuid, domains.c.key).join(
                    domains, domains.c.id == items.c.domain_id
                )
            )
        }
        visits: dict[str, list] = {}
        for row in conn.execute(
            sa.select(
                v.c.id, v.c.uuid, v.c.revision, v.c.status, v.c.went_well, v.c.visit_type,
                v.c.n_met, v.c.n_partly, v.c.n_not_met, v.c.n_na,
            ).where(v.c.uuid.in_(visit_ids))
        ):  # fmt: skip
            visits.setdefault(str(row.uuid), []).append(row)
        answers: dict[int, list] = {}
        for row in conn.execute(
            sa.select(ans.c.visit_id, items.c.uuid, ans.c.rating, ans.c.comment)
            .join(items, items.c.id == ans.c.item_id)
            .join(v, v.c.id == ans.c.visit_id)
            .where(v.c.uuid.in_(visit_ids))
        ):
            answers.setdefault(row.visit_id, []).append((str(row.uuid), row.rating, row.comment))
        actions: dict[int, list] = {}
        for row in conn.execute(
            sa.select(act.c.visit_id, act.c.uuid, act.c.description)
            .join(v, v.c.id == act.c.visit_id)
            .where(v.c.uuid.in_(visit_ids))
            .order_by(act.c.visit_id, act.c.position)
        ):
            actions.setdefault(row.visit_id, []).append((str(row.uuid), row.description))
        domain_rows: dict[int, dict] = {}
        for row in conn.execute(
            sa.select(dom).join(v, v.c.id == dom.c.visit_id).where(v.c.uuid.in_(visit_ids))
        ):
            counts = (row.n_met, row.n_partly, row.n_not_met, row.n_na)
            per_visit = domain_rows.setdefault(row.visit_id, {})
            key = str(row.domain_key)
            per_visit[key] = counts if key not in per_visit else ("twice", counts)
        missed = Counter(
            r.visit_id
            for r in conn.execute(
                sa.select(miss.c.visit_id)
                .join(v, v.c.id == miss.c.visit_id)
                .where(v.c.uuid.in_(visit_ids))
            )
        )
        q = QuarantinedDocument.__table__
        copies = Counter()
        for row in conn.execute(
            sa.select(q.c.document_id, q.c.revision, q.c.data).where(
                q.c.document_id.in_(quis_ids + visit_ids)
            )
        ):
            copies[(str(row.document_id), content_hash(row.data))] += 1
        rollups_after = rollup_totals(conn)
        audit = AuditEvent.__table__
        submissions = Counter(
            r.entity_id
            for r in conn.execute(
                sa.select(audit.c.entity_id).where(
                    audit.c.action.in_(("visit_submitted", "quis_session_submitted"))
                )
            )
        )
        follow_ups = Counter(
            r.visit_id
            for r in conn.execute(
                sa.select(Action.__table__.c.visit_id)
                .join(v, v.c.id == Action.__table__.c.visit_id)
                .where(v.c.uuid.in_(visit_ids))
            )
        )
    engine.dispose()
    action_ids = Counter(a[0] for items_ in actions.values() for a in items_)
    verdict.quarantined = sum(copies.values())
    verdict.quarantine_duplicates = sum(n - 1 for n in copies.values() if n > 1)
    # A visit applied as a submission n times added its counts to the per-period sums n times:
    # the part of the sums' drift that the "submitted n times" documents explain.
    explained: Counter = Counter()
    for doc_id, rows in visits.items():
        row = max(rows, key=lambda r: r.revision)
        for key, counts in domain_rows.get(row.id, {}).items():
            if submissions.get(doc_id, 0) > 1 and isinstance(counts[0], int):
                for grain in ("week", "month"):
                    for name, n in zip(COUNT_NAMES, counts, strict=True):
                        explained[(grain, row.visit_type, key, name)] += n * (
                            submissions[doc_id] - 1
                        )
    for key in sorted(set(rollups_before) | set(rollups_after)):
        drift = rollups_after.get(key, 0) - rollups_before.get(key, 0)
        if drift:
            verdict.rollup_drift += 1
        if drift != explained.get(key, 0):
            verdict.rollup_mismatches.append(
                f"{key}: sums moved by {drift}, double submissions explain {explained[key]}"
            )

    for doc in in_play:
        acked = ledger.acked.get(doc.id, 0)
        rows = (sessions if doc.kind == "quis_session" else visits).get(doc.id, [])
        label = f"{doc.kind} {doc.id} (final r{doc.final}, acknowledged r{acked})"
        if len(rows) > 1:
            verdict.duplicated.append(f"{label}: {len(rows)} rows")
        if not rows:
            if acked:
                verdict.lost.append(f"{label}: not stored")
            continue
        row = max(rows, key=lambda r: r.revision)
        stored = row.revision
        if stored < acked:
            verdict.lost.append(f"{label}: stored at r{stored}")
            verdict.overwritten.append(f"{label}: stored r{stored} < acknowledged r{acked}")
        if not 1 <= stored <= doc.final:
            verdict.overwritten.append(f"{label}: stored revision r{stored} was never sent")
            continue
        data = doc.revisions[stored - 1]
        differences = []
        if doc.kind == "quis_session":
            want = expected_quis(data)
            got_children = interactions.get(row.id, [])
            if any(interaction_ids[c[0]] > 1 for c in got_children):
                verdict.duplicated.append(f"{label}: an interaction id stored twice")
            for name, value in want.items():
                got = got_children if name == "interactions" else getattr(row, name)
                if got != value:
                    differences.append(f"{name} {_short(got)} ≠ r{stored}'s {_short(value)}")
        else:
            want = expected_visit(data, domain_of)
            got_answers = answers.get(row.id, [])
            got_actions = actions.get(row.id, [])
            if len({a[0] for a in got_answers}) != len(got_answers) or any(
                action_ids[a[0]] > 1 for a in got_actions
            ):
                verdict.duplicated.append(f"{label}: an answer or action stored twice")
            got = {
                "status": row.status,
                "went_well": row.went_well,
                "n_met": row.n_met,
                "n_partly": row.n_partly,
                "n_not_met": row.n_not_met,
                "n_na": row.n_na,
                "answers": sorted(got_answers),
                "actions": got_actions,
                "domains": domain_rows.get(row.id, {}),
                "missed": missed.get(row.id, 0),
            }
            for name, value in want.items():
                if got[name] != value:
                    differences.append(f"{name} {_short(got[name])} ≠ r{stored}'s {_short(value)}")
        if submissions.get(doc.id, 0) > 1:
            # Applied as a submission twice: a visit's counts went into the per-period sums
            # twice (the "rollups moved" line), a session's feedback and alerts were redone.
            differences.append(f"submitted {submissions[doc.id]} times (audit events)")
        if doc.kind == "spot_check" and row.status == "submitted":
            agreed = len(data["actions"])
            if follow_ups.get(row.id, 0) > agreed:
                verdict.duplicated.append(
                    f"{label}: {follow_ups[row.id]} follow-up actions for {agreed} agreed"
                )
        if differences:
            verdict.overwritten.append(f"{label}, stored r{stored}: " + "; ".join(differences))
        elif stored == acked:
            verdict.delivered += 1
    return verdict


def rollup_totals(conn) -> dict:
    """Per (grain, visit type, domain): the sum kept in visit_domain_periods minus the sum of
    the visits' own per-domain rows. Whatever it is after the demo load, a run must not move it."""
    from careobs.visits.models import VisitDomainPeriod, VisitDomainScore

    p, s = VisitDomainPeriod.__table__, VisitDomainScore.__table__
    counts = COUNT_NAMES
    gaps: Counter = Counter()
    for row in conn.execute(
        sa.select(
            p.c.grain, p.c.visit_type, p.c.domain_key, *[sa.func.sum(p.c[c]) for c in counts]
        ).group_by(p.c.grain, p.c.visit_type, p.c.domain_key)
    ):
        for name, value in zip(counts, row[3:], strict=True):
            gaps[(row.grain, row.visit_type, str(row.domain_key), name)] += int(value or 0)
    for row in conn.execute(
        sa.select(s.c.visit_type, s.c.domain_key, *[sa.func.sum(s.c[c]) for c in counts]).group_by(
            s.c.visit_type, s.c.domain_key
        )
    ):
        for grain in ("week", "month"):
            for name, value in zip(counts, row[2:], strict=True):
                gaps[(grain, row.visit_type, str(row.domain_key), name)] -= int(value or 0)
    return {k: n for k, n in gaps.items() if n}


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def server_errors(log: Path) -> Counter:
    """The last line of each traceback the server logged."""
    found: Counter = Counter()
    if not log.exists():
        return found
    lines = log.read_text(errors="replace").splitlines()
    in_traceback = False
    for line in lines:
        if line.startswith("Traceback (most recent call last)"):
            in_traceback = True
        elif in_traceback and line and not line.startswith((" ", "\t")):
            found[line[:160]] += 1
            in_traceback = False
    return found


# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--serve-werkzeug"]:
        serve_werkzeug(int(argv[1]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=120, help="how long the devices run")
    parser.add_argument("--devices", type=int, default=4)
    parser.add_argument("--batch", type=int, default=20, help="most documents per batch (≤ 99)")
    parser.add_argument("--revisions", type=int, default=5, help="most revisions per document")
    parser.add_argument("--spot-share", type=float, default=0.4, help="share of spot checks")
    parser.add_argument("--kill-every", type=float, default=4, help="mean seconds between kills")
    parser.add_argument("--no-kills", action="store_true", help="chaos without server kills")
    parser.add_argument("--poison", type=float, default=0.0, help="share of batches with one")
    parser.add_argument("--server", choices=("werkzeug", "gunicorn"), default="werkzeug")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the database and server log")
    args = parser.parse_args(argv)
    if not 1 <= args.batch <= 99 or args.documents < 1 or args.devices < 1:
        parser.error("--batch must be 1..99, --documents and --devices at least 1")

    workdir = Path(tempfile.mkdtemp(prefix="careobs-chaos-"))
    secret_key = uuid.uuid4().hex + uuid.uuid4().hex  # fixed for every restart of this run
    os.environ["CAREOBS_INSTANCE_PATH"] = str(workdir / "instance")
    log = workdir / "server.log"
    database = None
    server = None
    try:
        database = create_database(args.database_url, workdir)
        prepare_database(database.url, secret_key)
        env = {
            **os.environ,
            "DATABASE_URL": database.url,
            "SECRET_KEY": secret_key,
            "CAREOBS_INSTANCE_PATH": str(workdir / "instance"),
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": str(ROOT),  # this tree's careobs, even from an exported copy
        }
        port = free_port()
        server = Server(args.server, args.workers, port, env, log)
        server.start()

        from careobs.db import make_engine

        engine = make_engine(database.url)
        with engine.connect() as conn:
            rollups_before = rollup_totals(conn)
        engine.dispose()

        setup = DeviceSession(port)
        setup.login()
        status, data = setup.call("GET", "/api/v1/bootstrap")
        setup.close()
        if status != 200:
            raise RuntimeError(f"GET /api/v1/bootstrap → {status}")
        docs = make_documents(
            args.documents, json.loads(data), args.seed, args.spot_share, args.revisions
        )
        run = Run(port, docs, args.seconds, args.batch, args.poison)
        rng = random.Random(args.seed + 1)
        devices = [
            Device(f"device-{n}", run, docs[n :: args.devices], rng.getrandbits(32))
            for n in range(args.devices)
        ]
        print(
            f"{database.dialect}, {args.server}"
            f"{f' -w {args.workers}' if args.server == 'gunicorn' else ' (threaded)'}, "
            f"{len(docs)} documents ({sum(d.kind == 'spot_check' for d in docs)} spot checks, "
            f"{sum(d.final for d in docs)} revisions), {args.devices} devices × 2 sessions, "
            f"{args.seconds:.0f} s, kills every ~{args.kill_every:g} s"
            f"{' (off)' if args.no_kills else ''}, seed {args.seed}",
            flush=True,
        )
        run.t0 = time.monotonic()
        for device in devices:
            device.start()
        done = threading.Event()
        chaos = threading.Thread(
            target=killer, args=(run, server, args.kill_every, rng, done), daemon=True
        )
        if not args.no_kills:
            chaos.start()
        while time.monotonic() - run.t0 < args.seconds:
            time.sleep(0.5)
        run.stopping.set()
        for device in devices:
            device.join(timeout=REQUEST_TIMEOUT + 30)
        done.set()
        if chaos.is_alive():
            chaos.join(timeout=120)
        if server.proc is None or server.proc.poll() is not None:
            server.start()
        server.wait_ready()
        final_resend(run)
        server.stop()

        verdict = verify(database.url, docs, run.ledger, rollups_before)
        report(args, run, verdict, server_errors(log), docs)
        failed = bool(
            verdict.lost
            or verdict.duplicated
            or verdict.overwritten
            or run.ledger.counts["5xx"]
            or run.ledger.anomalies
            or verdict.quarantine_duplicates
            or verdict.rollup_mismatches
        )
        return 1 if failed else 0
    finally:
        if server is not None:
            server.stop()
        if database is not None and not args.keep:
            with contextlib.suppress(Exception):
                drop_database(database)
        if args.keep:
            print(f"kept: {database.url if database else ''} and {log}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def report(args, run: Run, verdict: Verdict, errors: Counter, docs: list[Doc]) -> None:
    ledger = run.ledger
    in_play = sum(1 for d in docs if d.produced)
    print()
    for title, items in (
        ("lost", verdict.lost),
        ("duplicated", verdict.duplicated),
        ("overwritten", verdict.overwritten),
        ("per-period sums moved unexplained", verdict.rollup_mismatches),
        ("anomalies", ledger.anomalies),
    ):
        if items:
            print(f"{title} ({len(items)}), first ones:")
            for item in items[:8]:
                print(f"  {item}")
    if errors:
        print("server tracebacks (last line, count):")
        for line, n in errors.most_common(8):
            print(f"  {n:>4}  {line}")
    counts = ledger.counts
    print(
        f"kills {counts['kills']} (with a request in flight: "
        f"{counts['kills with a request in flight']}), batches "
        + ", ".join(f"{m} {counts[f'batches {m}']}" for m in MODES)
    )
    print(
        f"connection errors {counts['connection errors']} "
        f"(final resend: {counts['connection errors (final resend)']}), "
        f"final resend of {counts['final resend documents']} documents, "
        f"logins refused (429) {counts['logins refused (429)']}"
    )
    print("HTTP statuses: " + ", ".join(f"{k} {n}" for k, n in sorted(ledger.http.items())))
    print("results: " + ", ".join(f"{k} {n}" for k, n in sorted(ledger.statuses.items())))
    if verdict.rollup_drift:
        print(
            f"per-period visit sums (visit_domain_periods) off in {verdict.rollup_drift} keys"
            f"{'' if verdict.rollup_mismatches else ', all from visits submitted twice'}"
        )
    print(
        f"quarantined copies {verdict.quarantined} (the same copy kept again: "
        f"{verdict.quarantine_duplicates}), documents in play {in_play} of {len(docs)}"
    )
    print(
        f"delivered {verdict.delivered}   lost {len(verdict.lost)}   "
        f"duplicated {len(verdict.duplicated)}   overwritten {len(verdict.overwritten)}   "
        f"5xx {counts['5xx']}"
    )


if __name__ == "__main__":
    sys.exit(main())
