"""Benchmark: Lighthouse scores, layout shift, blocking time and bytes of careobs pages on a phone.

Run from the repository root::

    .venv/bin/python bench/lighthouse.py [--pages login,home,quis-record,...] [--json FILE]
                                         [--keep]

The real app (werkzeug, threaded, 127.0.0.1, a fresh SQLite database with the demo organisation)
and the system Chromium (headless, its own throwaway profile, a DevTools port) are started. For
each page, Lighthouse 12 (pinned in ``bench/lighthouse/package.json``, installed there with npm
when missing) connects to that Chromium and runs the performance, accessibility and
best-practices categories with its default mobile settings (emulated phone screen, simulated slow
4G and 4x CPU slowdown). Lighthouse's own storage reset clears the service worker, Cache Storage
and the HTTP cache but not cookies, so every page but the login page is audited logged in (as the
demo manager, through the login form) and cold. Then, in the same browser, the page is loaded
until its service worker controls it, and loaded once more: the bytes the server sent for that
last load (every response, including the service worker's own fetches) are the repeat figure.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from sync_ingest import prepare_database

ROOT = Path(__file__).resolve().parent.parent
NPM_DIR = ROOT / "bench" / "lighthouse"
LIGHTHOUSE_BIN = NPM_DIR / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
MANAGER = "manager@demo.test"  # manages both demo services: dashboards, evidence pack, recording

# name → path; "evidence-pack" is found by submitting the evidence form with its defaults.
PAGES = {
    "login": "/login",
    "home": "/",
    "quis-record": "/quis/record",
    "visits-record": "/visits/record",
    "dashboard-quis": "/dashboards/quis",
    "dashboard-visits": "/dashboards/visits",
    "dashboard-coverage": "/dashboards/coverage",
    "dashboard-audits": "/dashboards/audits",
    "evidence-pack": None,
}
CATEGORIES = ("performance", "accessibility", "best-practices")
GOALS = {"performance": 95, "accessibility": 100, "best-practices": 100, "cls": 0.05}
REPEAT_GOAL = ("quis-record", 20 * 1024)  # the recorder, opened again on a phone: ≤ 20 KB


# --------------------------------------------------------------------------------------------
# The app, with a count of the bytes it sends


class ByteCounter:
    """WSGI middleware counting what the server sends: status line, headers and body of each
    response (werkzeug's own Date and Server headers aside; the app does not compress)."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.lock = threading.Lock()
        self.responses: list[tuple[str, int, int]] = []  # (path, status, bytes)

    def take(self) -> list[tuple[str, int, int]]:
        with self.lock:
            taken, self.responses = self.responses, []
        return taken

    def __call__(self, environ, start_response):
        seen = {}

        def counting_start_response(status, headers, exc_info=None):
            seen["status"] = int(status.split()[0])
            seen["bytes"] = len(f"HTTP/1.1 {status}\r\n\r\n") + sum(
                len(f"{k}: {v}\r\n") for k, v in headers
            )
            return start_response(status, headers, exc_info)

        body = 0
        inner = self.wsgi_app(environ, counting_start_response)
        try:
            for chunk in inner:
                body += len(chunk)
                yield chunk
        finally:
            if hasattr(inner, "close"):
                inner.close()
            with self.lock:
                self.responses.append(
                    (
                        environ.get("PATH_INFO", ""),
                        seen.get("status", 0),
                        seen.get("bytes", 0) + body,
                    )
                )


def start_app(workdir: Path):
    """A fresh demo database and the app serving it on a free port; returns (server, counter)."""
    from werkzeug.serving import make_server

    from careobs import create_app

    secret_key = hashlib.sha256(os.urandom(32)).hexdigest()
    url = f"sqlite:///{workdir / 'lighthouse.db'}"
    prepare_database(url, secret_key)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secret_key})
    counter = ByteCounter(app.wsgi_app)
    app.wsgi_app = counter
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, counter


# --------------------------------------------------------------------------------------------
# Chromium and Lighthouse


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_chromium(workdir: Path) -> tuple[subprocess.Popen, int]:
    """Headless Chromium with a throwaway profile and a DevTools port Lighthouse can join."""
    port = free_port()
    args = [
        CHROMIUM,
        "--headless=new",
        f"--remote-debugging-port={port}",
        f"--user-data-dir={workdir / 'profile'}",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "about:blank",
    ]
    if os.geteuid() == 0:
        args.insert(1, "--no-sandbox")
    # The browser writes to its own copy of the descriptor: ours can close at once.
    with open(workdir / "chromium.log", "wb") as log:
        browser = subprocess.Popen(args, stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version", timeout=2).read()
            return browser, port
        if browser.poll() is not None:
            break
        time.sleep(0.2)
    stop_process(browser)
    raise RuntimeError(f"Chromium did not open its DevTools port; see {workdir / 'chromium.log'}")


def stop_process(process: subprocess.Popen) -> None:
    """Stop a process we started (and its children: Chromium's renderers) by its group id."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, 15)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 9)
        process.wait(timeout=10)


def ensure_lighthouse() -> None:
    """Install the pinned Lighthouse next to its package.json the first time."""
    if LIGHTHOUSE_BIN.exists():
        return
    print("installing Lighthouse (npm, once) …", file=sys.stderr)
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is needed to install Lighthouse (Node 18.16 or newer).")
    subprocess.run(
        [npm, "install", "--prefix", str(NPM_DIR), "--no-audit", "--no-fund"], check=True
    )


def run_lighthouse(url: str, port: int, out: Path) -> dict:
    """One Lighthouse navigation of ``url`` in the running Chromium; the parsed JSON report."""
    subprocess.run(
        [
            str(LIGHTHOUSE_BIN),
            url,
            f"--port={port}",
            "--output=json",
            f"--output-path={out}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--form-factor=mobile",
            "--quiet",
        ],
        check=True,
        timeout=300,
    )
    return json.loads(out.read_text())


def lighthouse_figures(report: dict, url: str) -> dict:
    """The figures the table shows, plus the audits that lost points (for the notes)."""
    final = report.get("finalDisplayedUrl", "")
    if report.get("runtimeError") or final.split("?")[0] != url.split("?")[0]:
        raise RuntimeError(f"Lighthouse on {url} ended at {final}: {report.get('runtimeError')}")
    audits = report["audits"]
    scores = {c: report["categories"][c]["score"] for c in CATEGORIES}
    lost = []
    for category in CATEGORIES[1:]:
        for ref in report["categories"][category]["auditRefs"]:
            audit = audits[ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                lost.append(f"{category}: {audit['id']} ({audit['title']})")
    console = [
        item.get("description", "")
        for item in (audits.get("errors-in-console", {}).get("details") or {}).get("items", [])
    ]
    return {
        "scores": {c: None if s is None else round(100 * s) for c, s in scores.items()},
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
        "cold_bytes": audits["total-byte-weight"]["numericValue"],
        "lost": lost,
        "console_errors": console,
        "warnings": report.get("runWarnings", []),
    }


# --------------------------------------------------------------------------------------------
# Playwright over CDP: logging in, the repeat visit


def log_in(page, base: str) -> None:
    """Log in through the app's own login form, so the session cookie lives in the profile."""
    from careobs.demo import DEMO_PASSWORD

    page.goto(base + "/login")
    page.fill("input[name=email]", MANAGER)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    if page.url.rstrip("/") != base:
        raise RuntimeError(f"logging in as {MANAGER} ended at {page.url}")


def evidence_pack_path(page, base: str) -> str:
    """The evidence pack of the first service on the form, for the form's default period."""
    page.goto(base + "/evidence/")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    if "/evidence/pack?" not in page.url:
        raise RuntimeError(f"the evidence form led to {page.url}")
    return page.url.removeprefix(base)


def wait_quiet(counter: ByteCounter, seconds: float = 1.5, limit: float = 20.0) -> None:
    """Wait until the server has answered nothing for ``seconds`` (the service worker's own
    fetches, which Playwright's "networkidle" does not see, included)."""
    deadline = time.monotonic() + limit
    last = len(counter.responses)
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = len(counter.responses)
        if now != last:
            last, quiet_since = now, time.monotonic()
        elif time.monotonic() - quiet_since >= seconds:
            return


def repeat_visit(page, url: str, counter: ByteCounter) -> dict:
    """Load ``url`` until its service worker controls it, then once more, counting what the
    server sent for that last load and everything it set off (the page's own requests and the
    service worker's fetches)."""
    page.goto(url, wait_until="load")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30_000)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    wait_quiet(counter)
    counter.take()
    page.goto(url, wait_until="load")
    wait_quiet(counter)
    responses = counter.take()
    return {
        "repeat_bytes": sum(size for _path, _status, size in responses),
        "repeat_responses": [list(r) for r in responses],
    }


# --------------------------------------------------------------------------------------------
# Output


@dataclass
class Row:
    name: str
    path: str
    figures: dict = field(default_factory=dict)
    error: str = ""


def kb(value) -> str:
    return "-" if value is None else f"{value / 1024:.1f}"


def mark(ok: bool) -> str:
    return " " if ok else "*"


def print_table(rows: list[Row]) -> None:
    print(
        f"{'page':<19} {'perf':>5} {'a11y':>5} {'b-p':>5} {'CLS':>7} {'TBT ms':>7} "
        f"{'cold KB':>8} {'repeat KB':>10}"
    )
    for row in rows:
        if row.error:
            print(f"{row.name:<19} failed: {row.error}")
            continue
        f = row.figures
        cells = []
        for category in CATEGORIES:
            score = f["scores"][category]
            ok = score is not None and score >= GOALS[category]
            cells.append(f"{'-' if score is None else score:>4}{mark(ok)}")
        cls_ok = f["cls"] < GOALS["cls"]
        repeat_ok = not (row.name == REPEAT_GOAL[0] and f.get("repeat_bytes", 0) > REPEAT_GOAL[1])
        print(
            f"{row.name:<19} {' '.join(cells)} {f['cls']:>6.3f}{mark(cls_ok)} "
            f"{f['tbt_ms']:>7.0f} {kb(f['cold_bytes']):>8} "
            f"{kb(f.get('repeat_bytes')):>9}{mark(repeat_ok)}"
        )
    print(
        f"goals: performance ≥ {GOALS['performance']}, accessibility and best-practices "
        f"{GOALS['accessibility']}, CLS < {GOALS['cls']}, repeat {PAGES[REPEAT_GOAL[0]]} ≤ "
        f"{REPEAT_GOAL[1] // 1024} KB (* = goal missed)"
    )
    for row in rows:
        if row.name == REPEAT_GOAL[0] and row.figures.get("repeat_responses"):
            parts = ", ".join(
                f"{path} {status} {size / 1024:.1f}"
                for path, status, size in row.figures["repeat_responses"]
            )
            print(f"  {row.name}: repeat load, KB per response: {parts}")
        for note in row.figures.get("lost", []):
            print(f"  {row.name}: {note}")
        for message in row.figures.get("console_errors", []):
            print(f"  {row.name}: console error: {message[:160]}")


# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pages", help=f"comma-separated subset of: {', '.join(PAGES)} (default: all)"
    )
    parser.add_argument("--json", metavar="FILE", help="write the raw figures to FILE")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    names = args.pages.split(",") if args.pages else list(PAGES)
    unknown = [n for n in names if n not in PAGES]
    if unknown:
        parser.error(f"unknown pages: {', '.join(unknown)}")
    names = [n for n in PAGES if n in names]  # login first: it is audited before logging in

    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    ensure_lighthouse()
    workdir = Path(tempfile.mkdtemp(prefix="careobs-lighthouse-"))
    os.environ["CAREOBS_INSTANCE_PATH"] = str(workdir / "instance")
    server = browser = None
    rows: list[Row] = []
    try:
        server, counter = start_app(workdir)
        base = f"http://127.0.0.1:{server.server_port}"
        browser, port = start_chromium(workdir)
        with sync_playwright() as playwright:
            cdp_browser = playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
            context = cdp_browser.contexts[0]
            page = context.pages[0] if context.pages else context.new_page()
            logged_in = False
            for name in names:
                if name != "login" and not logged_in:
                    log_in(page, base)
                    logged_in = True
                path = PAGES[name] or evidence_pack_path(page, base)
                row = Row(name, path)
                rows.append(row)
                print(f"{name}: {path} …", file=sys.stderr, flush=True)
                page.goto("about:blank")  # nothing of ours open while Lighthouse clears storage
                try:
                    counter.take()
                    report = run_lighthouse(base + path, port, workdir / f"{name}.json")
                    row.figures = lighthouse_figures(report, base + path)
                    row.figures["cold_server_bytes"] = sum(s for _p, _st, s in counter.take())
                    row.figures.update(repeat_visit(page, base + path, counter))
                except (RuntimeError, subprocess.SubprocessError, PlaywrightError) as error:
                    row.error = str(error)[:300]
            cdp_browser.close()
    finally:
        if browser is not None:
            stop_process(browser)
        if server is not None:
            server.shutdown()
            server.server_close()
        if args.keep:
            print(f"kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"Lighthouse 12, mobile; {os.cpu_count()} CPUs, load average {load}")
    print_table(rows)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"load_average": os.getloadavg(), "pages": [r.__dict__ for r in rows]}, indent=2
            )
        )
    return 1 if any(r.error for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
