"""Benchmark: the sync API under gunicorn with one worker and with several, and the speed-up.

Run from the repository root (gunicorn comes with the ``bench`` extra)::

    .venv/bin/python bench/scaleout.py --database-url postgresql+psycopg://postgres@127.0.0.1/postgres
        [--workers 1,4] [--documents 1000] [--interactions 50] [--clients 8] [--batch 20]

For each number of workers, on a fresh database (migrated, with the demo organisation):

1. Starts ``gunicorn --workers N 'careobs:create_app()'`` on a free port (bench/chaos.py's
   Server), and logs ``--clients`` devices in as the supervisor, each with a session of its
   own (POST /login with the page's CSRF token, then /api/v1/bootstrap and /api/v1/csrf).
2. Builds ``--documents`` QUIS sessions of ``--interactions`` interactions for Rosewood House
   (bench/sync_ingest.py's documents, the same for a given ``--seed``), each in two revisions: a
   draft holding the first half of its interactions, then the submitted whole. The documents
   are shared out between the devices; each device posts its drafts, then its submissions, in
   batches of ``--batch``, over one keep-alive connection, all devices at once.
3. Times from the moment every device starts to the last answer, and counts the revisions
   posted per second. Every answer must be HTTP 200 with each document ``created`` (its draft)
   or ``updated`` (its submission).
4. Takes a census of the database: every document stored, at revision 2, submitted, with all
   its interactions (no more, no fewer), and nothing quarantined.

Prints one line per number of workers and, last, ``speedup <rate with the most workers / rate
with the fewest>``. The devices, the workers and the database share the machine's cores: the
speed-up says how much of a request's time was spent waiting (on the database's commits, on
locks) rather than computing.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

# Run as a script, this folder is on sys.path: the other benchmarks' pieces are shared.
from chaos import Server, create_database, drop_database, free_port
from sync_ingest import Client, batches, log_in, make_documents, prepare_database, public_roster

ROOT = Path(__file__).resolve().parent.parent


def revisions(documents: list[dict]) -> tuple[list[dict], list[dict]]:
    """Each document as a draft with the first half of its interactions (revision 1), and as
    submitted whole (revision 2)."""
    drafts, finals = [], []
    for document in documents:
        draft = copy.deepcopy(document)
        interactions = draft["data"]["interactions"]
        draft["data"]["interactions"] = interactions[: len(interactions) // 2]
        draft["data"]["status"] = "draft"
        drafts.append(draft)
        final = copy.deepcopy(document)
        final["revision"] = 2
        finals.append(final)
    return drafts, finals


@dataclass
class Outcome:
    workers: int
    posted: int  # revisions posted
    seconds: float

    @property
    def rate(self) -> float:
        return self.posted / self.seconds


class Device(threading.Thread):
    """One logged-in device posting its bodies in order, checking every answer."""

    def __init__(self, port: int, bodies: list[tuple[bytes, dict]], go: threading.Event):
        super().__init__(daemon=True)
        self.client = Client("127.0.0.1", port)
        log_in(self.client)
        self.client.json("GET", "/api/v1/bootstrap")
        token = self.client.json("GET", "/api/v1/csrf")["csrf_token"]
        self.headers = {"Content-Type": "application/json", "X-CSRFToken": token}
        self.bodies, self.go = bodies, go
        self.errors: list[str] = []
        self.finished = 0.0

    def run(self) -> None:
        self.go.wait()
        try:
            for body, expected in self.bodies:
                status, data = self.client.request(
                    "POST", "/api/v1/sync", body=body, headers=self.headers
                )
                if status != 200:
                    self.errors.append(f"HTTP {status}: {data[:200]!r}")
                    continue
                for result in json.loads(data)["results"]:
                    if result["status"] != expected[result["id"]]:
                        self.errors.append(f"{result['id']}: {result}")
        except Exception as exc:  # reported by the run, which then fails
            self.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            self.finished = time.perf_counter()
            self.client.close()


def census(url: str, documents: list[dict]) -> list[str]:
    """What is wrong with the stored sessions: each there, at revision 2, submitted, whole."""
    from careobs.db import make_engine

    wanted = {uuid.UUID(d["id"]): len(d["data"]["interactions"]) for d in documents}
    sessions = sa.table(
        "quis_sessions",
        sa.column("id"),
        sa.column("uuid", sa.Uuid),
        sa.column("revision"),
        sa.column("status"),
    )
    interactions = sa.table("quis_interactions", sa.column("session_id"))
    counted = (
        sa.select(sa.func.count())
        .select_from(interactions)
        .where(interactions.c.session_id == sessions.c.id)
        .scalar_subquery()
    )
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(sessions.c.uuid, sessions.c.revision, sessions.c.status, counted).where(
                sessions.c.uuid.in_(list(wanted))
            )
        ).all()
        quarantined = connection.scalar(sa.text("SELECT count(*) FROM quarantined_documents"))
    engine.dispose()
    problems = [
        f"{key}: revision {revision}, {status}, {n} interactions"
        for key, revision, status, n in rows
        if (revision, status, n) != (2, "submitted", wanted[key])
    ]
    stored = {row[0] for row in rows}
    problems += [f"{key}: missing" for key in wanted if key not in stored]
    if quarantined:
        problems.append(f"{quarantined} copies quarantined")
    return problems


def measure(args, workers: int, workdir: Path, secret_key: str) -> Outcome:
    """One run with ``workers`` gunicorn workers on a fresh database."""
    database = create_database(args.database_url, workdir)
    server = None
    try:
        prepare_database(database.url, secret_key)
        roster, _ = public_roster(database.url)
        documents = make_documents(args.documents, args.interactions, roster, args.seed)
        drafts, finals = revisions(documents)
        env = {
            **os.environ,
            "DATABASE_URL": database.url,
            "SECRET_KEY": secret_key,
            "CAREOBS_INSTANCE_PATH": str(workdir / "instance"),
            "PYTHONPATH": str(ROOT),
        }
        server = Server("gunicorn", workers, free_port(), env, workdir / "server.log")
        server.start()
        go = threading.Event()
        devices = []
        for n in range(args.clients):
            bodies = [
                (json.dumps({"documents": chunk}).encode(), {d["id"]: status for d in chunk})
                for revision, status in ((drafts, "created"), (finals, "updated"))
                for chunk in batches(revision[n :: args.clients], args.batch)
            ]
            devices.append(Device(server.port, bodies, go))
        for device in devices:
            device.start()
        started = time.perf_counter()
        go.set()
        for device in devices:
            device.join()
        seconds = max(d.finished for d in devices) - started
        errors = [e for d in devices for e in d.errors]
        if errors:
            raise SystemExit(f"{len(errors)} unexpected answers, first: {errors[:3]}")
        server.stop()
        problems = census(database.url, documents)
        if problems:
            raise SystemExit(f"census: {len(problems)} problems, first: {problems[:5]}")
        return Outcome(workers, len(drafts) + len(finals), seconds)
    finally:
        if server is not None:
            server.stop()
        if not args.keep:
            with contextlib.suppress(Exception):
                drop_database(database)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a temporary SQLite file per run")
    parser.add_argument("--workers", default="1,4", help="comma-separated gunicorn worker counts")
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--interactions", type=int, default=50, help="per session, submitted")
    parser.add_argument("--clients", type=int, default=8, help="devices posting at once")
    parser.add_argument("--batch", type=int, default=20, help="documents per request (≤ 100)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the databases and server logs")
    args = parser.parse_args(argv)
    counts = sorted({int(n) for n in args.workers.split(",")})
    if counts[0] < 1 or not 1 <= args.batch <= 100 or args.clients < 1 or args.documents < 1:
        parser.error("workers, clients and documents at least 1; --batch 1..100")
    if not Path(sys.executable).with_name("gunicorn").exists():
        raise SystemExit("gunicorn is missing: .venv/bin/pip install -e '.[postgres,test,bench]'")

    workdir = Path(tempfile.mkdtemp(prefix="careobs-scaleout-"))
    os.environ["CAREOBS_INSTANCE_PATH"] = str(workdir / "instance")
    secret_key = uuid.uuid4().hex + uuid.uuid4().hex
    try:
        outcomes = []
        for workers in counts:
            own = workdir / f"w{workers}"
            own.mkdir()
            outcome = measure(args, workers, own, secret_key)
            outcomes.append(outcome)
            load = " ".join(f"{x:.1f}" for x in os.getloadavg())
            print(
                f"gunicorn -w {workers}: {outcome.posted} revisions in {outcome.seconds:.2f} s, "
                f"{outcome.rate:.0f}/s (load average {load}); census: {args.documents} sessions, "
                "each at revision 2, submitted, whole; none quarantined",
                flush=True,
            )
        print(
            f"{os.cpu_count()} CPUs, {args.clients} devices, {args.documents} sessions × "
            f"{args.interactions} interactions in 2 revisions, {args.batch} per batch"
        )
        print(f"speedup {outcomes[-1].rate / outcomes[0].rate:.2f}")
    finally:
        if args.keep:
            print(f"kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
