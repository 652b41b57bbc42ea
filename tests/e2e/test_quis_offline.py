"""The QUIS recorder offline, as a supervisor uses it: with the real service worker, the IndexedDB
outbox and the sync API (design §3.1; tech-notes §3.5).

Each test drives the recorder in the browser and checks three places: what the page shows, what
the device holds (``self.careobsOutbox`` in IndexedDB) and what the server stored (rows in the
test database for the document's id). Waits are on conditions, never on fixed delays.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from playwright.sync_api import BrowserContext, Page, Route, expect
from sqlalchemy.orm import Session

from careobs.quis.models import QuisInteraction, QuisSession
from careobs.quis.scoring import CATEGORY_LABELS
from careobs.sync.models import QuarantinedDocument
from tests.e2e.test_layout import layout_problems
from tests.e2e.waits import wait_until

SYNC_API = "**/api/v1/sync"
WAITING_TEXT = "Submitted. It is saved on this device and will be sent when there is a connection."
SENT_TEXT = "Submitted and sent."
WAIT_S = 12.0

# --- in the page: the outbox of the logged-in user ---------------------------------------------

_USER = "document.querySelector('meta[name=\"careobs-user\"]').content"
GET_DOC = f"async (id) => self.careobsOutbox.getDocument({_USER}, id) ?? null"
GET_HISTORY = f"async () => self.careobsOutbox.history({_USER})"
GET_META = f"async (key) => self.careobsOutbox.getMeta({_USER}, key) ?? null"
DB_NAMES = "async () => (await indexedDB.databases()).map((d) => d.name)"


def device_doc(page: Page, doc_id: str) -> dict | None:
    return page.evaluate(GET_DOC, doc_id)


def device_history(page: Page) -> list[dict]:
    return page.evaluate(GET_HISTORY)


def poll(page: Page, check: Callable[[], object], what: str, timeout: float = WAIT_S):
    """Wait until ``check()`` is truthy, letting Playwright run (route handlers, events)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout}s waiting for {what}", pytrace=False)
        page.wait_for_timeout(100)


# --- on the server -----------------------------------------------------------------------------


def stored(live_server, doc_id: str) -> dict:
    """What the server holds for this document id: sessions, interactions, quarantined copies."""
    uid = uuid.UUID(doc_id)
    with Session(live_server.app.extensions["careobs.engine"]) as db:
        sessions = db.scalars(sa.select(QuisSession).where(QuisSession.uuid == uid)).all()
        interactions = db.scalar(
            sa.select(sa.func.count())
            .select_from(QuisInteraction)
            .join(QuisSession)
            .where(QuisSession.uuid == uid)
        )
        quarantined = db.scalar(
            sa.select(sa.func.count())
            .select_from(QuarantinedDocument)
            .where(QuarantinedDocument.document_id == uid)
        )
        first = sessions[0] if sessions else None
        return {
            "sessions": len(sessions),
            "interactions": interactions,
            "quarantined": quarantined,
            "status": first.status if first else None,
            "notes": first.notes if first else None,
            "went_well": first.went_well if first else None,
            "counts": (first.n_ps, first.n_pc, first.n_n, first.n_np, first.n_nr)
            if first
            else None,
        }


def wait_stored(page: Page, live_server, doc_id: str, timeout: float = WAIT_S) -> dict:
    return poll(
        page,
        lambda: (s := stored(live_server, doc_id))["sessions"] and s,
        f"the server to store {doc_id}",
        timeout,
    )


def supervisor_uuid(live_server) -> str:
    from careobs.accounts.models import User

    with Session(live_server.app.extensions["careobs.engine"]) as db:
        user = db.scalar(sa.select(User).where(User.email == "supervisor@demo.test"))
        return str(user.uuid)


# --- driving the recorder ----------------------------------------------------------------------


def tally(page: Page):
    return page.locator("[data-tally]")


def sync_text(page: Page):
    return page.locator("#sync-status [data-sync-text]")


def submitted_note(page: Page):
    return page.locator("[data-submitted]")


def open_recorder(page: Page) -> None:
    page.goto("/quis/record")
    expect(page.locator("#setup")).to_be_visible()
    expect(page.locator("#setup-service option").first).to_be_attached()


def controlled_recorder(context: BrowserContext) -> Page:
    """Open /quis/ and /quis/record online, then reload: the page is controlled by the worker and
    both capture pages are in its cache (tech-notes §3.5: the first load is not controlled)."""
    page = context.new_page()
    page.goto("/quis/")
    open_recorder(page)
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.reload()
    expect(page.locator("#setup")).to_be_visible()
    assert page.evaluate("() => navigator.serviceWorker.controller !== null")
    wait_until(
        page,
        """async () => Boolean(await caches.match('/quis/record'))
                       && Boolean(await caches.match('/quis/'))""",
    )
    return page


def start_session(page: Page, people: tuple[str, ...]) -> str:
    """Fill the set-up form (the defaults plus ``people``); returns the new document's id."""
    expect(page.locator("#setup")).to_be_visible()
    for code in people:
        page.locator("#setup-people").get_by_text(code, exact=True).click()
        expect(page.locator(f"#person-{code}")).to_be_checked()
    page.get_by_role("button", name="Start observing").click()
    expect(page.locator("#recording")).to_be_visible()
    doc_id = page.evaluate("() => location.hash.slice(1)")
    assert re.fullmatch(r"[0-9a-f-]{36}", doc_id), doc_id
    return doc_id


def chip(page: Page, code: str):
    # By text, not accessible name: a pressed chip's name gains the CSS "✓ " before the code.
    return page.locator("[data-picker] button").filter(has_text=re.compile(f"^{code}$"))


def pick(page: Page, code: str, pressed: bool) -> None:
    """Tap a person chip in the recording screen (it stays selected until tapped again)."""
    button = chip(page, code)
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true" if pressed else "false")


def tap(page: Page, category: str, expected_total: int) -> None:
    """Tap a category button; the tally changes only once the tap is saved on the device."""
    page.locator(f"[data-category={category}]").click()
    expect(tally(page)).to_contain_text(
        f"{expected_total} interaction{'' if expected_total == 1 else 's'} ·"
    )


def short_session(page: Page) -> str:
    """A small session on the recorder already open at set-up: one person, three interactions,
    ended, with "what went well" filled in; left on the summary screen, not yet submitted."""
    doc_id = start_session(page, ("R03",))
    tap(page, "PS", 1)
    tap(page, "N", 2)
    tap(page, "PC", 3)
    page.get_by_role("button", name="End session").click()
    expect(page.locator("#summary")).to_be_visible()
    page.get_by_label("What went well").fill("Staff knelt to talk at eye level.")
    return doc_id


def retry_text(page: Page, doc: dict, because: str) -> str:
    """The note under a submitted record the device is online for but the server did not take:
    why, and the time of the next try (as the browser writes it) from the stored document."""
    at = page.evaluate(
        "(ms) => new Date(ms).toLocaleTimeString('en-GB', {hour: '2-digit', minute: '2-digit'})",
        doc["nextAttemptAt"],
    )
    return (
        f"Submitted. Saved on this device, but {because}. "
        f"This device will try again at {at}, or press Sync now."
    )


def submit(page: Page) -> None:
    page.get_by_role("button", name="Submit session").click()
    expect(submitted_note(page)).to_be_visible()


def wait_device(page: Page, doc_id: str, check: Callable[[dict | None], bool], what: str):
    """Wait until the device's copy of the document (None once gone) passes ``check``."""
    seen: dict = {}

    def passes() -> bool:
        seen["doc"] = device_doc(page, doc_id)
        return check(seen["doc"])

    poll(page, passes, what)
    return seen["doc"]


def wait_attempts(page: Page, doc_id: str, attempts: int) -> dict:
    """The document is back to waiting after its ``attempts``-th failed send."""
    return wait_device(
        page,
        doc_id,
        lambda d: d is not None and d["state"] == "waiting" and d["attempts"] >= attempts,
        f"attempt {attempts} to fail and leave the document waiting",
    )


def wait_synced(page: Page, doc_id: str) -> dict:
    """The document has left the outbox and is in the device's history; returns that entry."""
    wait_device(page, doc_id, lambda d: d is None, "the document to leave the outbox")
    entries = [h for h in device_history(page) if h["id"] == doc_id]
    assert len(entries) == 1, entries
    return entries[0]


def submit_offline(context: BrowserContext, page: Page) -> str:
    """Record a short session and submit it with no network: it waits in the outbox."""
    context.set_offline(True)
    doc_id = short_session(page)
    submit(page)
    expect(submitted_note(page)).to_have_text(WAITING_TEXT)
    doc = wait_attempts(page, doc_id, 1)
    assert doc["data"]["status"] == "submitted"
    assert doc["revision"] == 2
    expect(sync_text(page)).to_have_text("1 record waiting to send")
    return doc_id


# --- 1. a whole session offline ----------------------------------------------------------------


def test_a_whole_session_recorded_offline_is_kept_and_sent_once(open_app, live_server):
    context = open_app(as_user="supervisor")
    page = controlled_recorder(context)

    context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker, "not served by the worker"
    assert page.evaluate("() => navigator.onLine") is False
    doc_id = start_session(page, ("R01", "R02"))
    expect(page.locator("#sync-status")).to_contain_text("1 draft on this device")

    pick(page, "R01", True)
    tap(page, "PS", 1)  # R01
    pick(page, "R02", True)
    tap(page, "PC", 2)  # R01, R02
    pick(page, "R01", False)
    tap(page, "N", 3)  # R02
    pick(page, "R01", True)
    tap(page, "PS", 4)  # R01, R02
    pick(page, "R02", False)
    tap(page, "PC", 5)  # R01
    tap(page, "NP", 6)  # R01: a negative one opens the details for its reason
    expect(page.locator("[data-details]")).to_have_attribute("open", "")
    page.get_by_label("Why was it negative? (optional)").select_option("talked_over")
    tap(page, "NR", 7)
    page.get_by_role("button", name="Undo").click()
    expected_tally = "6 interactions · PS 2 · PC 2 · N 1 · NP 1 · NR 0"
    expect(tally(page)).to_have_text(expected_tally)
    expect(page.get_by_label("Why was it negative? (optional)")).to_have_value("talked_over")
    page.get_by_label("Narrative notes").fill("Lunch was served late; the room stayed calm.")
    page.get_by_label("Narrative notes").blur()

    def complete(doc):
        interactions = doc["data"]["interactions"]
        return (
            len(interactions) == 6
            and doc["data"]["notes"] == "Lunch was served late; the room stayed calm."
            and interactions[-1]["negative_reason"] == "talked_over"
        )

    doc = wait_device(page, doc_id, lambda d: d is not None and complete(d), "every tap saved")
    people = [i["people"] for i in doc["data"]["interactions"]]
    categories = [i["category"] for i in doc["data"]["interactions"]]
    assert people == [["R01"], ["R01", "R02"], ["R02"], ["R01", "R02"], ["R01"], ["R01"]]
    assert categories == ["PS", "PC", "N", "PS", "PC", "NP"]
    assert doc["state"] == "draft"

    # A reload in the middle (still offline) loses nothing.
    response = page.reload()
    assert response is not None and response.from_service_worker
    expect(tally(page)).to_have_text(expected_tally)
    expect(page.get_by_label("Narrative notes")).to_have_value(
        "Lunch was served late; the room stayed calm."
    )
    expect(chip(page, "R01")).to_have_attribute("aria-pressed", "true")
    expect(chip(page, "R02")).to_have_attribute("aria-pressed", "false")
    assert complete(device_doc(page, doc_id))

    # Closing the tab and opening the document again (still offline) loses nothing either.
    page.close()
    page = context.new_page()
    response = page.goto(f"/quis/record#{doc_id}")
    assert response is not None and response.from_service_worker
    expect(tally(page)).to_have_text(expected_tally)
    assert complete(device_doc(page, doc_id))

    page.get_by_role("button", name="End session").click()
    expect(page.locator("#summary")).to_be_visible()
    expect(page.locator("[data-summary-body]")).to_contain_text("All interactions (n = 6)")
    page.get_by_label("What went well").fill("Staff sat with people and chatted.")
    submit(page)
    expect(submitted_note(page)).to_have_text(WAITING_TEXT)
    doc = wait_attempts(page, doc_id, 1)
    assert doc["data"]["status"] == "submitted"
    assert doc["data"]["went_well"] == "Staff sat with people and chatted."
    expect(sync_text(page)).to_have_text("1 record waiting to send")
    assert stored(live_server, doc_id)["sessions"] == 0

    # Back online: the page's `online` event sends it.
    context.set_offline(False)
    found = wait_stored(page, live_server, doc_id)
    assert found["interactions"] == 6
    assert found["counts"] == (2, 2, 1, 1, 0)
    assert found["status"] == "submitted"
    assert found["notes"] == "Lunch was served late; the room stayed calm."
    assert found["went_well"] == "Staff sat with people and chatted."
    entry = wait_synced(page, doc_id)
    assert entry["status"] == "created"
    expect(submitted_note(page)).to_have_text(SENT_TEXT)
    expect(sync_text(page)).to_have_text("All records sent")

    page.goto("/quis/")
    history = page.locator("#device-records [data-history]")
    expect(history).to_contain_text("QUIS · Rosewood House")
    expect(history.locator("li")).to_have_count(1)
    expect(page.locator("#device-records [data-current-empty]")).to_be_visible()
    found = stored(live_server, doc_id)
    assert (found["sessions"], found["interactions"], found["quarantined"]) == (1, 6, 0)


# --- 2. the server fails -----------------------------------------------------------------------


def test_a_failing_server_keeps_the_document_until_it_is_stored_once(open_app, live_server):
    context = open_app(as_user="supervisor")
    page = context.new_page()
    open_recorder(page)
    doc_id = submit_offline(context, page)

    # The network is back but the sync request never reaches the server.
    aborted: list[str] = []

    def abort(route: Route) -> None:
        aborted.append(route.request.url)
        route.abort()

    context.route(SYNC_API, abort)
    context.set_offline(False)  # the `online` event tries at once
    doc = wait_attempts(page, doc_id, 2)
    assert aborted, "the online event did not try to send"
    assert doc["data"]["went_well"] == "Staff knelt to talk at eye level."
    assert len(doc["data"]["interactions"]) == 3
    assert stored(live_server, doc_id)["sessions"] == 0
    assert doc["waitReason"] == "unreachable"
    expect(submitted_note(page)).to_have_text(retry_text(page, doc, "the server cannot be reached"))
    expect(sync_text(page)).to_have_text("1 record waiting to send")

    # The server answers 500.
    context.unroute(SYNC_API, abort)
    failed: list[int] = []

    def server_error(route: Route) -> None:
        failed.append(1)
        route.fulfill(
            status=500,
            content_type="application/json",
            body=json.dumps({"error": {"code": "server_error", "message": "Boom"}}),
        )

    context.route(SYNC_API, server_error)
    page.locator("[data-sync-now]").click()
    doc = wait_attempts(page, doc_id, 3)
    assert failed
    assert stored(live_server, doc_id)["sessions"] == 0
    assert len(doc["data"]["interactions"]) == 3
    assert doc["waitReason"] == "failing"
    expect(submitted_note(page)).to_have_text(
        retry_text(page, doc, "the server had a problem receiving it")
    )
    expect(sync_text(page)).to_have_text("1 record waiting to send")

    # The server is fine again: "Sync now" stores exactly one copy.
    context.unroute(SYNC_API, server_error)
    page.locator("[data-sync-now]").click()
    found = wait_stored(page, live_server, doc_id)
    entry = wait_synced(page, doc_id)
    assert entry["status"] == "created"
    assert (found["sessions"], found["interactions"], found["quarantined"]) == (1, 3, 0)
    expect(submitted_note(page)).to_have_text(SENT_TEXT)
    expect(sync_text(page)).to_have_text("All records sent")


def test_a_lost_response_is_retried_and_answered_unchanged(open_app, live_server):
    context = open_app(as_user="supervisor")
    page = context.new_page()
    open_recorder(page)
    doc_id = short_session(page)

    # The server stores the batch, but its answer never reaches the device.
    lost: list[int] = []

    def lose_response(route: Route) -> None:
        response = route.fetch()
        lost.append(response.status)
        route.abort()

    context.route(SYNC_API, lose_response)
    submit(page)
    doc = wait_attempts(page, doc_id, 1)
    assert lost == [200]
    found = stored(live_server, doc_id)
    assert (found["sessions"], found["interactions"]) == (1, 3)
    assert doc["data"]["status"] == "submitted"
    expect(submitted_note(page)).to_have_text(retry_text(page, doc, "the server cannot be reached"))

    context.unroute(SYNC_API, lose_response)
    page.locator("[data-sync-now]").click()
    entry = wait_synced(page, doc_id)
    assert entry["status"] == "unchanged"
    found = stored(live_server, doc_id)
    assert (found["sessions"], found["interactions"], found["quarantined"]) == (1, 3, 0)
    expect(submitted_note(page)).to_have_text(SENT_TEXT)


def test_a_server_answering_503_while_online_says_so_and_when_the_device_tries_again(
    open_app, live_server
):
    """Not "when there is a connection": the phone has one. The note says the server is not
    answering and when this device will try again, which is when its Retry-After ends."""
    context = open_app(as_user="supervisor")
    page = context.new_page()
    open_recorder(page)
    doc_id = short_session(page)
    answered: list[int] = []

    def unavailable(route: Route) -> None:
        answered.append(503)
        route.fulfill(
            status=503,
            headers={"Retry-After": "120"},
            content_type="application/json",
            body=json.dumps({"error": {"code": "unavailable", "message": "Down for upkeep."}}),
        )

    context.route(SYNC_API, unavailable)
    submit(page)
    doc = wait_attempts(page, doc_id, 1)
    assert answered == [503]
    assert doc["waitReason"] == "busy"
    now = page.evaluate("() => Date.now()")
    assert doc["nextAttemptAt"] >= now + 100_000, doc["nextAttemptAt"] - now
    note = retry_text(page, doc, "the server is not answering just now")
    expect(submitted_note(page)).to_have_text(note)
    assert "when there is a connection" not in note
    expect(sync_text(page)).to_have_text("1 record waiting to send")

    # The server is back: "Sync now" does not wait out the two minutes, and stores it once.
    context.unroute(SYNC_API, unavailable)
    page.locator("[data-sync-now]").click()
    found = wait_stored(page, live_server, doc_id)
    assert (found["sessions"], found["interactions"], found["quarantined"]) == (1, 3, 0)
    assert wait_synced(page, doc_id)["status"] == "created"
    expect(submitted_note(page)).to_have_text(SENT_TEXT)


# --- 3. the login expires ----------------------------------------------------------------------


def test_an_expired_login_keeps_the_outbox_and_resumes_after_logging_in(open_app, live_server):
    context = open_app(as_user="supervisor")
    page = context.new_page()
    open_recorder(page)
    doc_id = submit_offline(context, page)

    context.clear_cookies()  # the login expires while the device is offline
    context.set_offline(False)
    login_link = page.locator("#sync-status [data-sync-login]")
    expect(login_link).to_be_visible()
    expect(sync_text(page)).to_have_text("1 record waiting: log in again to send")
    expect(submitted_note(page)).to_have_text(
        "Submitted. Saved on this device; log in again to send it."
    )
    assert page.evaluate(GET_META, "loginNeeded") is True
    doc = device_doc(page, doc_id)
    assert doc is not None and doc["state"] == "waiting"
    assert len(doc["data"]["interactions"]) == 3
    assert stored(live_server, doc_id)["sessions"] == 0

    # Log in again through the form (the header's link), as the same user.
    login_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    page.get_by_label("Email").fill("supervisor@demo.test")
    page.get_by_label("Password").fill("demo-password-2026")
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    assert page.url.endswith("/quis/record"), page.url
    found = wait_stored(page, live_server, doc_id)
    entry = wait_synced(page, doc_id)
    assert entry["status"] == "created"
    assert (found["sessions"], found["interactions"], found["quarantined"]) == (1, 3, 0)
    expect(sync_text(page)).to_have_text("All records sent")
    expect(login_link).to_be_hidden()
    assert page.evaluate(GET_META, "loginNeeded") is False


# --- 4. the logout guard -----------------------------------------------------------------------


def test_logging_out_warns_about_unsent_records_and_forgets_the_device_once_sent(
    open_app, live_server
):
    context = open_app()
    page = context.new_page()
    live_server.login(page, "supervisor")  # its own login: logging out ends only this one
    open_recorder(page)
    user_db = f"careobs-user-{supervisor_uuid(live_server)}"
    doc_id = start_session(page, ("R04",))
    tap(page, "PS", 1)

    dialog = page.locator("#logout-dialog")
    page.get_by_role("button", name="Log out").click()
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-unsynced]")).to_have_text("1 record")
    dialog.get_by_role("button", name="Stay logged in").click()
    expect(dialog).to_be_hidden()
    assert page.url.endswith(f"/quis/record#{doc_id}")
    expect(tally(page)).to_contain_text("1 interaction ·")
    assert page.request.get("/api/v1/csrf").status == 200  # still logged in
    assert device_doc(page, doc_id)["state"] == "draft"
    assert user_db in page.evaluate(DB_NAMES)

    page.get_by_role("button", name="End session").click()
    submit(page)
    wait_stored(page, live_server, doc_id)
    wait_synced(page, doc_id)
    expect(submitted_note(page)).to_have_text(SENT_TEXT)

    with page.expect_navigation(url=re.compile(r"/login$")):
        page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You have logged out.")).to_be_visible()
    expect(dialog).to_have_count(0)
    # Deleted before the logout request, and not created again (empty) by the page's own
    # listeners in the moment before it was replaced.
    assert user_db not in page.evaluate(DB_NAMES)
    assert stored(live_server, doc_id)["sessions"] == 1


# --- 5. Background Sync ------------------------------------------------------------------------


def test_background_sync_sends_the_outbox_with_no_page_open(open_app, live_server):
    """The worker's ``sync`` event (dispatched through CDP) sends what waits, with every careobs
    page closed: only an about:blank tab remains, to host the DevTools session."""
    context = open_app(as_user="supervisor")
    page = controlled_recorder(context)
    # Count the worker's "flush" requests to the page: one per `sync` event while it is open.
    page.evaluate(
        """() => {
          window.syncEvents = 0;
          navigator.serviceWorker.addEventListener("message", (event) => {
            if (event.data?.type === "flush") window.syncEvents += 1;
          });
        }"""
    )
    sent: list[str] = []

    def abort(route: Route) -> None:
        sent.append(route.request.url)
        route.abort()

    # Submit while the server cannot be reached: the document waits, in back-off.
    context.route(SYNC_API, abort)
    doc_id = short_session(page)
    submit(page)
    wait_attempts(page, doc_id, 1)
    # The failure asked for a Background Sync; Chromium, being online, fires it at once and the
    # page, with nothing due yet, sends nothing. Wait until no sync is pending, so that only the
    # event dispatched below can send the document. That one event must be the only one: asking
    # again after each flush made Chromium fire `sync` in a busy loop.
    page.wait_for_function("() => window.syncEvents >= 1")
    wait_until(
        page,
        "async () => (await (await navigator.serviceWorker.ready).sync.getTags()).length === 0",
    )
    assert page.evaluate("() => window.syncEvents") == 1
    attempts = len(sent)
    context.unroute(SYNC_API, abort)

    blank = context.new_page()
    page.close()
    cdp = context.new_cdp_session(blank)
    registrations: list[dict] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    origin = live_server.base_url
    registration = poll(
        blank,
        lambda: next(
            (r for r in registrations if r["scopeURL"] == f"{origin}/" and not r.get("isDeleted")),
            None,
        ),
        "the worker's registration",
    )
    assert stored(live_server, doc_id)["sessions"] == 0
    assert len(sent) == attempts
    cdp.send(
        "ServiceWorker.dispatchSyncEvent",
        {
            "origin": origin,
            "registrationId": registration["registrationId"],
            "tag": "careobs-outbox",
            "lastChance": False,
        },
    )
    found = wait_stored(blank, live_server, doc_id)
    assert (found["sessions"], found["interactions"], found["quarantined"]) == (1, 3, 0)

    # The worker also cleared the device copy: a new page finds it in the history as created.
    page = context.new_page()
    page.goto("/quis/")
    history = page.locator("#device-records [data-history]")
    expect(history.locator("li")).to_have_count(1)
    assert device_doc(page, doc_id) is None
    assert [h["status"] for h in device_history(page) if h["id"] == doc_id] == ["created"]


# --- 6. accessibility and small screens ---------------------------------------------------------


def check_screen(page: Page, axe, width: int) -> None:
    axe(page)
    if width == 320:
        problems = layout_problems(page)
        assert not problems, f"At 320px, {page.url}:\n" + "\n".join(problems)


@pytest.mark.parametrize("width", [390, 320])
def test_the_recorder_screens_are_accessible_on_phones(width, open_page, axe):
    page = open_page(width, 700, as_user="supervisor")
    open_recorder(page)
    check_screen(page, axe, width)

    start_session(page, ("R05", "R06"))
    pick(page, "R05", True)
    tap(page, "NP", 1)
    expect(page.locator("[data-details]")).to_have_attribute("open", "")
    expect(page.get_by_label("Why was it negative? (optional)")).to_be_visible()
    expect(page.locator("[data-last]")).to_be_visible()
    buttons = page.locator("[data-category]")
    expect(buttons).to_have_count(len(CATEGORY_LABELS))
    for code, label in CATEGORY_LABELS.items():
        button = page.locator(f"[data-category={code}]")
        expect(button.locator(".cat-label")).to_be_visible()
        expect(button.locator(".cat-label")).to_have_text(label)
        expect(page.get_by_role("button", name=label, exact=True)).to_be_visible()
        box = button.bounding_box()
        assert box is not None and box["height"] >= 44, (code, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (code, box)
    check_screen(page, axe, width)

    page.get_by_role("button", name="End session").click()
    expect(page.locator("#summary")).to_be_visible()
    check_screen(page, axe, width)

    page.goto("/quis/")
    current = page.locator("#device-records [data-current]")
    expect(current).to_contain_text("QUIS · Rosewood House")
    expect(current).to_contain_text("Draft, not submitted yet")
    check_screen(page, axe, width)


# --- 7. the manifest and the worker -------------------------------------------------------------


def test_the_manifest_describes_an_installable_app(page):
    response = page.request.get("/manifest.webmanifest")
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["name"] and manifest["short_name"]
    assert manifest["start_url"].startswith("/")
    assert manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", manifest["theme_color"])
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any("maskable" in icon.get("purpose", "").split() for icon in manifest["icons"])
    for icon in manifest["icons"]:
        image = page.request.get(icon["src"])
        assert image.status == 200, icon
        assert image.headers["content-type"] == "image/png", icon
        assert image.body()[:8] == b"\x89PNG\r\n\x1a\n", icon
        width, height = icon["sizes"].split("x")
        body = image.body()
        assert int.from_bytes(body[16:20]) == int(width), icon
        assert int.from_bytes(body[20:24]) == int(height), icon


def test_the_worker_is_served_fresh_claims_the_root_and_drops_old_shell_caches(
    open_app, live_server
):
    context = open_app()
    page = context.new_page()
    response = page.request.get("/sw.js")
    assert response.status == 200
    assert response.headers["cache-control"] == "no-cache"
    assert "javascript" in response.headers["content-type"]
    version = re.search(r'const CACHE_VERSION = "([0-9a-f]+)";', response.text()).group(1)

    # Before any worker exists, leave caches behind as an older version of the app would
    # (the manifest page runs no script, so nothing registers the worker yet).
    page.goto("/manifest.webmanifest")
    assert page.evaluate("() => navigator.serviceWorker.controller") is None
    page.evaluate(
        """async () => {
          for (const name of ["careobs-shell-old", "careobs-shell-0123456789ab", "other-app"]) {
            await (await caches.open(name)).put("/stale", new Response("stale"));
          }
        }"""
    )
    assert (
        page.evaluate("async () => (await navigator.serviceWorker.getRegistrations()).length") == 0
    )

    page.goto("/login")
    scope = page.evaluate("async () => (await navigator.serviceWorker.ready).scope")
    assert scope == f"{live_server.base_url}/"
    # The new worker claims the open page and deletes every other careobs-shell-* cache.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    names = page.evaluate("async () => (await caches.keys()).sort()")
    assert [n for n in names if n.startswith("careobs-shell-")] == [f"careobs-shell-{version}"]
    assert "other-app" in names  # not ours: left alone
    shell = page.evaluate(
        f"""async () => (await (await caches.open("careobs-shell-{version}")).keys())
              .map((r) => new URL(r.url).pathname)"""
    )
    app_js, outbox = live_server.static("js/app.js"), live_server.static("js/outbox-core.js")
    assert {app_js, outbox, "/offline"} <= set(shell)
