"""Browser tests: the real app on a live server, driven by Debian's Chromium through Playwright.

Every test here is marked ``e2e``. Without ``/usr/bin/chromium`` they are skipped, except in CI
(``CI`` set), where a missing browser fails the run: browser tests are never silently skipped there.

The live server runs on the same test database as the rest of the suite, loaded with the real demo
organisation, for the duration of this package only; the tables are emptied afterwards. Every page
a test opens is watched: a CSP violation ("Refused to ..." in the console), an uncaught JavaScript
error or an HTML page served without a Content-Security-Policy header fails the test. (Chromium
words CSP violations either "Refused to ..." or "... violates the following Content Security Policy
directive ..."; both are caught, and tests/e2e/test_csp.py proves the watch still sees them.)
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Response,
    sync_playwright,
)

from careobs import create_app
from careobs.demo import DEMO_PASSWORD, LOGINS, load_demo
from tests.e2e.waits import TIMEOUT_MS
from tests.support.browser import PHONE
from tests.support.database import empty_all_tables

E2E_DIR = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
AXE_DIR = E2E_DIR / "vendor" / "axe-core"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
CSP_VIOLATION_SIGNS = ("Refused to", "Content Security Policy directive")

# The demo logins by role: "admin", "manager", "supervisor", "staff".
DEMO_EMAILS = {email.split("@")[0]: email for email, _name, _role in LOGINS}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def pytest_collection_modifyitems(items):
    """Mark every test under tests/e2e as ``e2e`` (this hook sees the whole session's items)."""
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)


# --- the browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium for the whole run (never a downloaded browser build)."""
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing (apt-get install chromium, or `make chromium`)"
        if in_ci():
            pytest.fail(f"Browser tests cannot run in CI: {problem}", pytrace=False)
        pytest.skip(f"Browser tests skipped: {problem}")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()
    playwright.stop()


@dataclass
class PageWatch:
    """What went wrong on the pages of one test: CSP violations, JS errors, missing CSP headers."""

    base_url: str
    problems: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        # Older Chromium words a violation "Refused to ...", newer "... violates the following
        # Content Security Policy directive ... The action has been blocked."
        if any(sign in message.text for sign in CSP_VIOLATION_SIGNS):
            self.problems.append(f"CSP violation: {message.text}")

    def on_page_error(self, error) -> None:
        self.problems.append(f"JavaScript error: {error}")

    def on_response(self, response: Response) -> None:
        if response.request.resource_type != "document":
            return
        if not response.url.startswith(self.base_url):
            return
        self.documents.append(response.url)
        if "content-security-policy" not in response.headers:
            self.problems.append(f"No Content-Security-Policy header on {response.url}")

    def take(self) -> list[str]:
        """The problems seen so far, forgetting them (for tests that provoke one on purpose)."""
        found, self.problems = self.problems, []
        return found


WATCHES = pytest.StashKey[list[PageWatch]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail a test that passed its own assertions if its pages broke the CSP or threw."""
    result = yield
    problems = [p for watch in item.stash.get(WATCHES, []) for p in watch.problems]
    if problems:
        raise AssertionError("Problems in the browser:\n" + "\n".join(problems))
    return result


@pytest.fixture(scope="package")
def signed_in(browser, live_server) -> Callable[[str], dict]:
    """``signed_in("admin")``: cookies of a demo user who logged in through the form.

    Each demo user logs in once for the package; pages that only need to *be* logged in start
    from a copy of those cookies, which keeps the suite fast. The login tests use the form itself.
    """
    states: dict[str, dict] = {}

    def _state(who: str) -> dict:
        if who not in states:
            context = browser.new_context(base_url=live_server.base_url)
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            chain = []
            page.on("response", lambda r: chain.append(f"{r.request.method} {r.url} {r.status}"))
            live_server.login(page, who)
            assert page.url == f"{live_server.base_url}/", f"{who} could not log in: {chain}"
            states[who] = context.storage_state()
            context.close()
        return states[who]

    return _state


@pytest.fixture
def open_page(request, browser, live_server, signed_in) -> Iterator[Callable[..., Page]]:
    """``open_page(width, height, as_user=None)``: a page in a fresh browser context.

    With ``as_user`` (a demo role) the context starts logged in as that user. Every page is
    watched for CSP violations, JavaScript errors and HTML responses without a CSP header.
    """
    contexts = []
    watches = request.node.stash.setdefault(WATCHES, [])

    def _open(
        width: int = PHONE["width"], height: int = PHONE["height"], as_user: str | None = None
    ) -> Page:
        context = browser.new_context(
            viewport={"width": width, "height": height},
            base_url=live_server.base_url,
            locale="en-GB",
            service_workers="block",
            storage_state=signed_in(as_user) if as_user else None,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        watch = PageWatch(live_server.base_url)
        page.on("console", watch.on_console)
        page.on("pageerror", watch.on_page_error)
        page.on("response", watch.on_response)
        page.watch = watch
        watches.append(watch)
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def module_page(open_page) -> Page:
    """A page on the app's origin (its login page), for tests that import the app's ES modules
    into it and run them."""
    page = open_page()
    response = page.goto("/login")
    assert response is not None and response.status == 200
    return page


@pytest.fixture
def open_app(request, browser, live_server, signed_in) -> Iterator[Callable[..., BrowserContext]]:
    """``open_app(as_user="supervisor")``: a browser context with the service worker *allowed*.

    ``open_page`` blocks service workers; the offline tests need the real one. Every page the
    context opens (``context.new_page()``) is watched like those of ``open_page``.
    """
    contexts = []
    watches = request.node.stash.setdefault(WATCHES, [])

    def _watch(page: Page) -> None:
        watch = PageWatch(live_server.base_url)
        page.on("console", watch.on_console)
        page.on("pageerror", watch.on_page_error)
        page.on("response", watch.on_response)
        page.watch = watch
        watches.append(watch)

    def _open(
        width: int = PHONE["width"], height: int = PHONE["height"], as_user: str | None = None
    ) -> BrowserContext:
        context = browser.new_context(
            viewport={"width": width, "height": height},
            base_url=live_server.base_url,
            locale="en-GB",
            service_workers="allow",
            storage_state=signed_in(as_user) if as_user else None,
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.on("page", _watch)
        contexts.append(context)
        return context

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page) -> Page:
    """A phone-sized page (390 x 844), not logged in, in its own context."""
    return open_page()


# --- the live server ---------------------------------------------------------------------------


@dataclass
class LiveServer:
    base_url: str
    app: object
    urls: dict[str, str]

    def static(self, name: str) -> str:
        """The address a page uses for the static file ``name`` (its content-hashed name)."""
        return "/static/" + self.app.extensions["careobs.assets"]["build"].hashed[name]

    def login(self, page: Page, who: str, password: str = DEMO_PASSWORD) -> None:
        """Log in through the real login form; ``who`` is a demo role name or an email."""
        email = DEMO_EMAILS.get(who, who)
        page.goto("/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()


def _demo_urls(app) -> dict[str, str]:
    """Pages of real demo records, by uuid from the database.

    The demo has no sync conflict, so one is added: a second copy of a demo QUIS session held
    for review, as the sync API would keep it.
    """
    from careobs.accounts.models import User
    from careobs.db import get_session
    from careobs.org.models import Person, Service, StaffMember
    from careobs.quis.models import QuisSession
    from careobs.sync.models import QuarantinedDocument

    with app.app_context():
        db = get_session()
        rosewood = db.scalar(sa.select(Service).where(Service.name == "Rosewood House"))
        person = db.scalar(
            sa.select(Person).where(Person.service_id == rosewood.id, Person.code == "R01")
        )
        member = db.scalar(
            sa.select(StaffMember).where(
                StaffMember.service_id == rosewood.id, StaffMember.name == "Aisha Khan"
            )
        )
        user = db.scalar(sa.select(User).where(User.email == "supervisor@demo.test"))
        session = db.scalar(
            sa.select(QuisSession)
            .where(QuisSession.service_id == rosewood.id, QuisSession.status == "submitted")
            .order_by(QuisSession.started_at.desc())
        )
        conflict = QuarantinedDocument(
            organisation_id=rosewood.organisation_id,
            service_id=rosewood.id,
            kind="quis_session",
            document_id=session.uuid,
            author_id=session.observer_id,
            revision=session.revision,
            reason="Revision already stored with different content",
            data={"id": str(session.uuid), "revision": session.revision, "notes": "Edited twice"},
            content_hash="0" * 64,
        )
        db.add(conflict)
        db.commit()
        return {
            "service_edit": f"/admin/services/{rosewood.uuid}",
            "person_edit": f"/admin/people/{person.uuid}",
            "staff_edit": f"/admin/staff/{member.uuid}",
            "user_edit": f"/admin/users/{user.uuid}",
            "quis_session": f"/quis/sessions/{session.uuid}",
            "redact_quis_session": f"/redact/quis/{session.uuid}",
            "sync_conflict": f"/sync/quarantine/{conflict.id}",
        }


def closing_responses(app):
    """The app, with every response closed even when the browser drops the connection.

    werkzeug's development server abandons the response when a browser aborts a download (a
    service worker install cut short by going offline, say) without closing it; the open static
    file then raises a ResourceWarning wherever it is garbage-collected, failing an unrelated
    test. Iterating through a generator whose ``finally`` closes the response fixes that.
    """

    def wsgi(environ, start_response):
        response = app(environ, start_response)
        try:
            yield from response
        finally:
            close = getattr(response, "close", None)
            if close is not None:
                close()

    return wsgi


@pytest.fixture(scope="package")
def live_server(database_url) -> Iterator[LiveServer]:
    """careobs with the demo organisation, served on 127.0.0.1 on a free port for this package."""
    from werkzeug.serving import make_server

    from careobs.db import get_session, refresh_statistics

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "e2e-secret-key-that-is-long-enough-0123456789",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            # The stubbed browsers' made-up push service (test_push_and_feedback.py), which no
            # DNS knows: allowed as CAREOBS_PUSH_ALLOWED_ORIGINS would allow it.
            "PUSH_ALLOWED_ORIGINS": ("https://push.example.test",),
        }
    )
    engine = app.extensions["careobs.engine"]
    empty_all_tables(engine)
    with app.app_context():
        load_demo(get_session())
        refresh_statistics(get_session())
    server = make_server("127.0.0.1", 0, closing_responses(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="careobs-e2e", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app, _demo_urls(app))
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        empty_all_tables(engine)
        engine.dispose()


@pytest.fixture
def login(live_server) -> Callable[..., None]:
    """``login(page, "admin")``: log in through the form as a demo user (or by email)."""
    return live_server.login


# --- accessibility -----------------------------------------------------------------------------


def axe_source() -> str:
    return (AXE_DIR / "axe.min.js").read_text(encoding="utf-8")


_AXE_RUN = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map(n => n.target.join(" ")),
  }));
}"""


# Moderate rules the pages are held to as well: landmarks a screen reader lists must be told
# apart by their names (two "region" landmarks called "Visits by week" are not).
HELD_TO = frozenset({"landmark-unique"})


def assert_accessible(page: Page, source: str) -> None:
    """Run axe-core on the page; fail listing every serious or critical violation, and any of
    the moderate ones in ``HELD_TO``."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, so the page's CSP (which forbids inline
        # script tags) neither blocks it nor reports it.
        page.evaluate(source)
    violations = page.evaluate(_AXE_RUN)
    bad = [v for v in violations if v["impact"] in ("serious", "critical") or v["id"] in HELD_TO]
    if bad:
        lines = [f"axe found {len(bad)} violation(s) we do not accept on {page.url}:"]
        for v in bad:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
            lines.extend(f"    at {target}" for target in v["targets"][:10])
        pytest.fail("\n".join(lines), pytrace=False)


@pytest.fixture(scope="session")
def axe() -> Callable[[Page], None]:
    """``axe(page)``: fail on any serious or critical axe-core violation on the current page."""
    source = axe_source()
    return lambda page: assert_accessible(page, source)
