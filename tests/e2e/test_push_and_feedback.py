"""Push notifications and the feedback loop in the browser.

- A push message (delivered through the DevTools protocol, as a push service would) is shown as
  a generic "New feedback" notification, and clicking it opens (in a new window) its notice,
  which is marked read and leads to the feedback.
- Turning notifications on stores this device's subscription on the server, bound to careobs's
  VAPID key; app starts send it again only when it changed or once a day; turning them off
  removes it. (A replaced key, logging out and the rest: test_push_devices.py.) A real push service
  cannot be reached here, so ``PushManager`` is stubbed with keys made in Python.
- The whole loop: a supervisor submits a monitoring visit for Sam Okafor, Sam reads, acknowledges
  and reflects on the feedback, and the supervisor sees it replied to and is notified.
- The feedback and notification pages pass axe-core at 390 and 320 px and fit a 320 px screen.

The notification click: Chromium offers no way to click a notification from a test, so the
worker's own ``notificationclick`` listener is called through ``self.dispatchEvent`` with the
notification the browser shows (see ``_CLICK``).
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import BrowserContext, CDPSession, Page, expect

from careobs.accounts.models import User
from careobs.db import get_session
from careobs.feedback.models import Feedback
from careobs.notifications.models import KINDS, Notification
from careobs.org.models import StaffMember
from careobs.push import keys as vapid
from careobs.push.models import PushSubscription
from careobs.visits.models import MonitoringVisit
from tests.clock import ORGANISATION_ZONE
from tests.e2e.pages import FEEDBACK_PAGES
from tests.e2e.test_layout import layout_problems
from tests.e2e.test_visit_form import (
    CONFIRM,
    SENT,
    answer_items,
    answered_text,
    checklist_items,
    mixed_plan,
    press_arrived,
    press_left,
    wait_for_doc,
)
from tests.e2e.waits import wait_until

ROSEWOOD = "Rosewood House"
SAM = "Sam Okafor"
PERSON = "R03"
WENT_WELL = "You greeted R03 by name and explained each step before helping."
TO_DEVELOP = "Record fluids on the chart straight after each drink."
REFLECTION = "Thank you. I will fill in the fluid chart as soon as I have helped."
PERSONAL = ("Sam", "Okafor", ROSEWOOD, PERSON)

# --- helpers -------------------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def user_id(live_server, email: str) -> int:
    with live_server.app.app_context():
        return get_session().scalar(sa.select(User.id).where(User.email == email))


def wait_until_controlled(page: Page) -> None:
    """Open the app once, wait for the service worker, reload: now it controls the page."""
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => Boolean(navigator.serviceWorker.controller)")


def bell_count(page: Page) -> int:
    """The unread number on the bell (0 when there is none)."""
    count = page.locator(".bell .bell-count")
    if count.count() == 0:
        return 0
    text = count.text_content() or ""
    assert text.endswith(" unread"), text
    return int(text.removesuffix(" unread"))


def unread_notices(live_server, email: str) -> list[tuple[str, str]]:
    """(kind, link) of the user's unread notifications, newest first."""
    uid = user_id(live_server, email)
    with live_server.app.app_context():
        rows = get_session().execute(
            sa.select(Notification.kind, Notification.link)
            .where(Notification.user_id == uid, Notification.read_at.is_(None))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
        )
        return [tuple(row) for row in rows]


# --- 1. a push message is shown, and clicking it opens the feedback ------------------------------


def sams_released_feedback(live_server) -> tuple[str, dict]:
    """One of Sam's released feedback (demo), and the push payload careobs queued for it.

    The payload is built from Sam's own "feedback_released" notification exactly as
    ``careobs.notifications.service.notify`` builds it for each device.
    """
    sam_user = user_id(live_server, "staff@demo.test")
    with live_server.app.app_context():
        db = get_session()
        feedback = db.scalar(
            sa.select(Feedback)
            .join(StaffMember, StaffMember.id == Feedback.staff_id)
            .where(StaffMember.user_id == sam_user, Feedback.status == "released")
            .order_by(Feedback.acknowledged_at.is_(None).desc(), Feedback.released_at.desc())
        )
        link = f"/feedback/{feedback.uuid}"
        notice = db.scalar(
            sa.select(Notification).where(
                Notification.user_id == sam_user,
                Notification.kind == "feedback_released",
                Notification.link == link,
            )
        )
        assert notice is not None, "releasing the feedback did not notify Sam"
        # A push opens the notice, which marks it read and redirects to the feedback.
        payload = {
            "title": notice.title,
            "url": f"/notifications/{notice.uuid}",
            "tag": notice.kind,
        }
        assert payload["title"] == KINDS["feedback_released"]
        return str(feedback.uuid), payload


def registration_id(context: BrowserContext, page: Page, scope: str) -> tuple[CDPSession, str]:
    """A DevTools session and the service worker registration id for ``scope``."""
    cdp = context.new_cdp_session(page)
    registrations: dict[str, dict] = {}

    def seen(params: dict) -> None:
        for registration in params["registrations"]:
            registrations[registration["registrationId"]] = registration

    cdp.on("ServiceWorker.workerRegistrationUpdated", seen)
    cdp.send("ServiceWorker.enable")
    # The registrations are reported as events just after ``enable`` answers; Playwright hands
    # events over during its next call, so make calls until ours has been seen.
    for _ in range(50):
        found = [
            r["registrationId"]
            for r in registrations.values()
            if r["scopeURL"] == scope and not r.get("isDeleted")
        ]
        if found:
            return cdp, found[0]
        page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    raise AssertionError(f"No service worker registration for {scope}: {registrations}")


_NOTIFICATIONS = """async (tag) => {
  const registration = await navigator.serviceWorker.ready;
  return (await registration.getNotifications({tag})).map((n) => ({
    title: n.title, body: n.body, tag: n.tag, data: n.data,
  }));
}"""

# A NotificationEvent made by script is untrusted: its waitUntil() throws and the worker may not
# focus or open a window. A real click does all three, so this click keeps the promise
# waitUntil() is given, lets WindowClient.focus() succeed (recording which window it focused)
# and stands in for Clients.openWindow() (recording the URL; the test then opens it as the
# browser would), then calls the worker's own notificationclick listener through dispatchEvent
# with the notification the browser is showing.
_CLICK = """async (tag) => {
  const [notification] = await self.registration.getNotifications({tag});
  if (!notification) throw new Error("no notification to click");
  const event = new NotificationEvent("notificationclick", {notification});
  const pending = [];
  const focused = [];
  const opened = [];
  Object.defineProperty(event, "waitUntil", {value: (promise) => { pending.push(promise); }});
  const focus = WindowClient.prototype.focus;
  const openWindow = Clients.prototype.openWindow;
  WindowClient.prototype.focus = async function () { focused.push(this.url); return this; };
  Clients.prototype.openWindow = async function (url) { opened.push(url); return null; };
  try {
    self.dispatchEvent(event);
    await Promise.all(pending);
  } finally {
    WindowClient.prototype.focus = focus;
    Clients.prototype.openWindow = openWindow;
  }
  return {handled: pending.length, focused, opened};
}"""


def deliver_push(cdp: CDPSession, live_server, registration: str, payload: dict) -> None:
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": live_server.base_url,
            "registrationId": registration,
            "data": json.dumps(payload),
        },
    )


def the_worker(context: BrowserContext, live_server):
    workers = [w for w in context.service_workers if w.url == f"{live_server.base_url}/sw.js"]
    assert len(workers) == 1, [w.url for w in context.service_workers]
    return workers[0]


# Chromium's getNotifications() keeps a stored notification only if the platform already shows
# it or it was stored after the call began, and deletes every other one from its database
# (content/browser/notifications/platform_notification_context_impl.cc,
# DoReadAllNotificationDataForServiceWorkerRegistration). A read that starts while a push is
# being shown can drop its notification for good, and every later read lists nothing: polling
# for it lost 7 pushes of 85 (a bare worker in headless Chromium 156, measured), which failed
# these tests now and then. So the worker notes each notification once its
# showNotification() has resolved, and the tests read only after that.
_NOTE_SHOWN = """() => {
  if (self.__shownTags) return;
  self.__shownTags = [];
  const show = ServiceWorkerRegistration.prototype.showNotification;
  ServiceWorkerRegistration.prototype.showNotification = function (title, options) {
    return show.call(this, title, options).then((value) => {
      self.__shownTags.push(options && options.tag);
      return value;
    });
  };
}"""


def push_and_wait_until_shown(
    context: BrowserContext, live_server, cdp: CDPSession, registration: str, payload: dict
) -> None:
    """Deliver ``payload`` as a push message and wait until the worker has shown its
    notification; only then may a test read it (see _NOTE_SHOWN)."""
    worker = the_worker(context, live_server)
    worker.evaluate(_NOTE_SHOWN)
    deliver_push(cdp, live_server, registration, payload)
    wait_until(worker, "(tag) => self.__shownTags.includes(tag)", payload["tag"])


def test_push_message_is_shown_and_its_click_opens_the_feedback(open_app, live_server):
    feedback_id, payload = sams_released_feedback(live_server)
    url = f"/feedback/{feedback_id}"
    assert payload["title"] == "New feedback" and payload["tag"] == "feedback_released"

    context = open_app(as_user="staff")
    context.grant_permissions(["notifications"], origin=live_server.base_url)
    page = context.new_page()
    page.goto("/")
    wait_until_controlled(page)
    assert page.evaluate("() => Notification.permission") == "granted"
    assert page.evaluate(_NOTIFICATIONS, payload["tag"]) == []

    cdp, registration = registration_id(context, page, f"{live_server.base_url}/")
    push_and_wait_until_shown(context, live_server, cdp, registration, payload)
    shown = page.evaluate(_NOTIFICATIONS, payload["tag"])
    assert shown == [
        {
            "title": "New feedback",
            "body": "Open careobs to read it.",
            "tag": "feedback_released",
            "data": {"url": payload["url"]},
        }
    ]
    for word in PERSONAL:
        assert word not in shown[0]["title"] and word not in shown[0]["body"], word

    # The click: no window shows the notice, so the worker opens a new one at it (the window
    # already open is left where it is); the notice is marked read and leads to the feedback.
    assert page.url == f"{live_server.base_url}/"
    clicked = the_worker(context, live_server).evaluate(_CLICK, payload["tag"])
    assert clicked == {
        "handled": 1,
        "focused": [],
        "opened": [f"{live_server.base_url}{payload['url']}"],
    }
    assert page.url == f"{live_server.base_url}/"
    opened = context.new_page()
    opened.goto(clicked["opened"][0])
    opened.wait_for_url(f"{live_server.base_url}{url}")
    expect(opened.get_by_role("heading", level=1)).to_have_text(f"Feedback for {SAM}")
    expect(opened.get_by_role("heading", name="What went well")).to_be_visible()
    notice_id = uuid.UUID(payload["url"].rsplit("/", 1)[1])
    with live_server.app.app_context():
        notice = get_session().scalar(sa.select(Notification).where(Notification.uuid == notice_id))
        assert notice.read_at is not None
    # The handler closed the notification it was clicked on.
    assert page.evaluate(_NOTIFICATIONS, payload["tag"]) == []
    cdp.detach()


def test_service_worker_fetches_the_shell_without_cookies(open_app, live_server):
    """The shell is cached at install, often while the user is typing on the login page.

    Fetched with the login page's session cookie, the offline page's response carried a
    Set-Cookie of that anonymous session (Flask-Login marks it not fresh); arriving after the
    login's response, it replaced the new session and logged the user straight out again.
    """
    context = open_app()
    page = context.new_page()
    shell = []
    context.on("request", lambda r: shell.append(r) if r.service_worker else None)
    page.goto("/login")
    assert [c["name"] for c in context.cookies()] == ["session"]
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    assert f"{live_server.base_url}/offline" in [r.url for r in shell]
    sent = {r.url: r.all_headers().get("cookie") for r in shell}
    assert set(sent.values()) == {None}, sent


# --- 2. turning notifications on and off, with a stubbed push manager ----------------------------


def browser_subscription() -> dict:
    """What a browser's ``PushSubscription.toJSON()`` gives: an endpoint and its keys."""
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert len(public) == 65 and public[0] == 4
    return {
        "endpoint": f"https://push.example.test/sub/{secrets.token_urlsafe(24)}",
        "expirationTime": None,
        "keys": {"p256dh": b64url(public), "auth": b64url(secrets.token_bytes(16))},
    }


# Replaces the browser's push manager in every page of the context. The subscription lives in
# localStorage, as a real one outlives a reload, with the applicationServerKey it was made with
# (given back as ``options.applicationServerKey``, an ArrayBuffer, as browsers do). Each
# subscribe() gives the next of __SUBSCRIPTIONS__ (the last one again when they run out) and is
# recorded (key in base64url) so the test can compare it with the server's key.
_STUB_PUSH = """(() => {
  if (typeof PushManager === "undefined") return;
  const SUBSCRIPTIONS = __SUBSCRIPTIONS__;
  const STORE = "e2e-push-subscription";
  const CALLS = "e2e-push-subscribe-calls";
  const b64url = (bytes) => btoa(String.fromCharCode(...bytes))
    .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  const bytesOf = (key) => key instanceof ArrayBuffer ? new Uint8Array(key)
    : new Uint8Array(key.buffer, key.byteOffset, key.byteLength);
  const keyBytes = (text) => Uint8Array.from(
    atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - text.length % 4) % 4)),
    (c) => c.charCodeAt(0));
  const wrap = (stored) => ({
    endpoint: stored.json.endpoint,
    expirationTime: null,
    options: {userVisibleOnly: true, applicationServerKey: keyBytes(stored.key).buffer},
    toJSON: () => JSON.parse(JSON.stringify(stored.json)),
    unsubscribe: async () => { localStorage.removeItem(STORE); return true; },
  });
  PushManager.prototype.subscribe = async function (options) {
    const calls = JSON.parse(localStorage.getItem(CALLS) || "[]");
    const given = options.applicationServerKey;
    const key = typeof given === "string" ? given : b64url(bytesOf(given));
    calls.push({userVisibleOnly: options.userVisibleOnly, applicationServerKey: key});
    localStorage.setItem(CALLS, JSON.stringify(calls));
    const json = SUBSCRIPTIONS[Math.min(calls.length, SUBSCRIPTIONS.length) - 1];
    localStorage.setItem(STORE, JSON.stringify({json, key}));
    return wrap({json, key});
  };
  PushManager.prototype.getSubscription = async function () {
    const stored = localStorage.getItem(STORE);
    return stored ? wrap(JSON.parse(stored)) : null;
  };
})();"""


def stub_push(context: BrowserContext, *subscriptions: dict) -> None:
    """Every page of the context gets the stubbed push manager handing out these."""
    context.add_init_script(_STUB_PUSH.replace("__SUBSCRIPTIONS__", json.dumps(subscriptions)))


_SUBSCRIBE_CALLS = '() => JSON.parse(localStorage.getItem("e2e-push-subscribe-calls"))'


@pytest.fixture(scope="module")
def vapid_keys(live_server, tmp_path_factory):
    """careobs's VAPID keys, in an instance folder of the live app's own for this module.

    The live app's default instance folder is the checkout's ``instance/``; writing keys there
    would replace a developer's, so the app looks in a temporary folder while these tests run.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("VAPID_PRIVATE_KEY", raising=False)
        patch.delenv("VAPID_PUBLIC_KEY", raising=False)
        patch.setattr(live_server.app, "instance_path", str(tmp_path_factory.mktemp("instance")))
        keys = vapid.generate("mailto:e2e@example.test")
        vapid.save(live_server.app.instance_path, keys)
        assert vapid.load(live_server.app.instance_path) == keys
        yield keys


def push_rows(live_server, uid: int) -> list[str]:
    with live_server.app.app_context():
        return list(
            get_session().scalars(
                sa.select(PushSubscription.endpoint).where(PushSubscription.user_id == uid)
            )
        )


def remove_push_rows(live_server, endpoint: str) -> None:
    with live_server.app.app_context():
        db = get_session()
        db.execute(sa.delete(PushSubscription).where(PushSubscription.endpoint == endpoint))
        db.commit()


def is_subscription_post(response) -> bool:
    request = getattr(response, "request", response)
    return request.method == "POST" and response.url.endswith("/api/v1/push/subscriptions")


# What push.js remembers of the last subscription the server stored, made a day old.
_DAY_AGO = """() => {
  const last = JSON.parse(localStorage.getItem("careobs-push-registered"));
  last.at -= 24 * 60 * 60 * 1000 + 1000;
  localStorage.setItem("careobs-push-registered", JSON.stringify(last));
}"""


def test_turning_notifications_on_and_off(open_app, live_server, vapid_keys):
    subscription = browser_subscription()
    staff = user_id(live_server, "staff@demo.test")
    assert push_rows(live_server, staff) == []

    context = open_app(as_user="staff")
    context.grant_permissions(["notifications"], origin=live_server.base_url)
    stub_push(context, subscription)
    page = context.new_page()
    try:
        page.goto("/notifications/settings")
        wait_until_controlled(page)
        expect(page.get_by_role("heading", level=1)).to_have_text("Phone notifications")
        state = page.locator("[data-push-state]")
        expect(state).to_have_text("Notifications are off for this device.")
        turn_off = page.get_by_role("button", name="Turn off notifications")
        expect(turn_off).to_be_hidden()

        # Turn on: one subscribe() with careobs's public key, and one row on the server.
        with page.expect_response(is_subscription_post) as posted:
            page.get_by_role("button", name="Turn on notifications").click()
        assert posted.value.status == 201
        expect(state).to_have_text("Notifications are on for this device.")
        expect(turn_off).to_be_visible()
        expect(page.get_by_role("button", name="Turn on notifications")).to_be_hidden()
        assert push_rows(live_server, staff) == [subscription["endpoint"]]

        server_key = page.request.get("/api/v1/push/key")
        assert server_key.ok
        assert server_key.json() == {"public_key": vapid_keys.public_key}
        calls = page.evaluate(_SUBSCRIBE_CALLS)
        assert calls == [{"userVisibleOnly": True, "applicationServerKey": vapid_keys.public_key}]

        with live_server.app.app_context():
            row = get_session().scalar(
                sa.select(PushSubscription).where(
                    PushSubscription.endpoint == subscription["endpoint"]
                )
            )
            assert (row.p256dh, row.auth) == (
                subscription["keys"]["p256dh"],
                subscription["keys"]["auth"],
            )

        # App starts check the subscription but do not send it again while it is unchanged...
        posts = []
        page.on("request", lambda r: posts.append(r.url) if is_subscription_post(r) else None)
        for path in (None, "/", "/feedback/mine"):
            with page.expect_response(lambda r: r.url.endswith("/api/v1/push/key")):
                page.reload() if path is None else page.goto(path)
        assert posts == []
        # ...only once a day (the server may have lost it); the server keeps the one row.
        page.evaluate(_DAY_AGO)
        with page.expect_response(is_subscription_post) as posted:
            page.goto("/")
        assert posted.value.status == 200
        assert push_rows(live_server, staff) == [subscription["endpoint"]]

        # Turn off: the row is deleted and the page says so.
        page.goto("/notifications/settings")
        expect(state).to_have_text("Notifications are on for this device.")
        with page.expect_response(
            lambda r: r.request.method == "DELETE" and r.url.endswith("/api/v1/push/subscriptions")
        ) as deleted:
            turn_off.click()
        assert deleted.value.status == 204
        expect(state).to_have_text("Notifications are off for this device.")
        expect(page.get_by_role("button", name="Turn on notifications")).to_be_visible()
        assert push_rows(live_server, staff) == []

        # With nothing subscribed, an app start registers nothing.
        page.goto("/")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {SAM}")
        assert push_rows(live_server, staff) == []
        assert len(page.evaluate(_SUBSCRIBE_CALLS)) == 1
    finally:
        # Later tests notify Sam: no push may be queued for this made-up endpoint.
        remove_push_rows(live_server, subscription["endpoint"])


# --- 3. the whole feedback loop ------------------------------------------------------------------


def record_visit_for_sam(page: Page) -> str:
    """Record and submit (online) a complete visit for Sam; returns the visit's document id."""
    response = page.goto("/visits/record")
    assert response is not None and response.status == 200
    expect(page.locator("#visit-setup")).to_be_visible()
    page.get_by_label("Service").select_option(label=ROSEWOOD)
    page.get_by_label("Care worker", exact=True).select_option(label=f"{SAM} (Care worker)")
    page.get_by_label("Person visited (code)").select_option(PERSON)
    page.get_by_label(CONFIRM).check()  # no consent on record at Rosewood House
    page.get_by_role("button", name="Start visit").click()
    expect(page.locator("#visit-form")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Visit: {SAM} with {PERSON}")
    doc_id = page.url.split("#", 1)[1]
    uuid.UUID(doc_id)

    items = checklist_items(page, doc_id)
    plan = mixed_plan(items)
    press_arrived(page)
    answer_items(page, items, plan)
    expect(page.locator("[data-answered]")).to_have_text(answered_text(len(items)))
    page.get_by_label("What went well").fill(WENT_WELL)
    page.get_by_label("Areas for development").fill(TO_DEVELOP)
    wait_for_doc(
        page,
        doc_id,
        f"(doc) => doc.data.went_well === {json.dumps(WENT_WELL)}"
        f" && doc.data.to_develop === {json.dumps(TO_DEVELOP)}",
    )
    press_left(page)
    release = page.get_by_label(f"Send this feedback to {SAM} when the visit is submitted")
    expect(release).to_be_checked()
    page.get_by_role("button", name="Submit visit").click()
    expect(page.locator("[data-submitted]")).to_have_text(SENT)
    return doc_id


def progress_of(live_server, feedback_id: str) -> str:
    with live_server.app.app_context():
        feedback = get_session().scalar(
            sa.select(Feedback).where(Feedback.uuid == uuid.UUID(feedback_id))
        )
        return feedback.progress


def test_feedback_loop_from_visit_to_reply(open_page, live_server):
    # The supervisor records a visit for Sam, with "Send the feedback" left ticked.
    doc_id = record_visit_for_sam(open_page(as_user="supervisor"))
    with live_server.app.app_context():
        db = get_session()
        feedback = db.scalar(
            sa.select(Feedback)
            .join(MonitoringVisit, MonitoringVisit.id == Feedback.visit_id)
            .where(MonitoringVisit.uuid == uuid.UUID(doc_id))
        )
        assert feedback is not None, "submitting the visit drafted no feedback"
        assert (feedback.status, feedback.staff.name) == ("released", SAM)
        assert feedback.went_well.startswith(WENT_WELL)
        feedback_id = str(feedback.uuid)
        # The page shows the day on the organisation's clock, not the UTC day.
        released_on = f"{feedback.released_at.astimezone(ZoneInfo(ORGANISATION_ZONE)):%-d %b %Y}"
    link = f"/feedback/{feedback_id}"
    assert ("feedback_released", link) in unread_notices(live_server, "staff@demo.test")

    # Sam logs in on a fresh device: the bell counts the unread notifications.
    worker = open_page()
    live_server.login(worker, "staff")
    assert worker.url == f"{live_server.base_url}/"
    unread = unread_notices(live_server, "staff@demo.test")
    assert bell_count(worker) == len(unread) >= 1

    # "My feedback" lists it as New; its page leads with what went well.
    worker.get_by_role("link", name="My feedback").click()
    expect(worker.get_by_role("heading", level=1)).to_have_text("My feedback")
    item = worker.locator("li").filter(has=worker.locator(f'a[href="{link}"]'))
    expect(item).to_have_count(1)
    expect(item.locator(".badge")).to_have_text("New")
    expect(item.get_by_role("link")).to_have_text(f"New Monitoring visit, {released_on}")
    expect(item).to_contain_text("not yet acknowledged")
    item.get_by_role("link").click()
    worker.wait_for_url(f"{live_server.base_url}{link}")
    expect(worker.get_by_role("heading", level=1)).to_have_text(f"Feedback for {SAM}")
    sections = worker.locator("main h2")
    expect(sections.first).to_have_text("What went well")
    expect(sections.nth(1)).to_have_text("Areas for development")
    expect(worker.locator(".feedback-good")).to_contain_text(WENT_WELL)
    # Opening it read it: the receipt is stored and the bell no longer counts it.
    assert progress_of(live_server, feedback_id) == "Read"
    assert ("feedback_released", link) not in unread_notices(live_server, "staff@demo.test")
    assert bell_count(worker) == len(unread) - 1

    # Acknowledge, then send a reflection.
    worker.get_by_role("button", name="I have read and understood this").click()
    expect(worker.get_by_text("Thank you. Your acknowledgement has been recorded.")).to_be_visible()
    expect(worker.get_by_role("button", name="I have read and understood this")).to_have_count(0)
    expect(worker.get_by_text("You acknowledged this on")).to_be_visible()
    assert progress_of(live_server, feedback_id) == "Acknowledged"
    worker.get_by_label("Your reflection").fill(REFLECTION)
    worker.get_by_role("button", name="Send your reflection").click()
    expect(worker.get_by_text("Your reflection has been sent.")).to_be_visible()
    reflection = worker.locator("section.panel").filter(
        has=worker.get_by_role("heading", name="Your reflection")
    )
    expect(reflection).to_contain_text(REFLECTION)
    assert progress_of(live_server, feedback_id) == "Replied"

    # The supervisor logs in again: the feedback shows as Replied, and the bell has both notices.
    supervisor = open_page()
    live_server.login(supervisor, "supervisor")
    assert supervisor.url == f"{live_server.base_url}/"
    theirs = unread_notices(live_server, "supervisor@demo.test")
    assert ("feedback_acknowledged", link) in theirs
    assert ("feedback_replied", link) in theirs
    assert bell_count(supervisor) == len(theirs)

    supervisor.goto("/feedback/")
    expect(supervisor.get_by_role("heading", level=1)).to_have_text("Feedback")
    row = supervisor.locator("tr").filter(has=supervisor.locator(f'a[href="{link}"]'))
    expect(row).to_have_count(1)
    expect(row.locator("th")).to_have_text(SAM)
    cells = row.locator("td")
    expect(cells.nth(0)).to_have_text("Monitoring visit")
    expect(cells.nth(1)).to_have_text("Jo Evans")
    expect(cells.nth(2)).to_have_text("Replied")

    supervisor.locator(".bell").click()
    expect(supervisor.get_by_role("heading", level=1)).to_have_text("Notifications")
    # The two newest notices: the reply, then the acknowledgement. The reply leads to the
    # reflection.
    notices = supervisor.locator("ul.notices li a")
    expect(notices.nth(0)).to_have_text("New Reply to your feedback")
    expect(notices.nth(1)).to_have_text("New Feedback acknowledged")
    notices.first.click()
    supervisor.wait_for_url(f"{live_server.base_url}{link}")
    expect(supervisor.get_by_role("heading", name=f"Reflection from {SAM}")).to_be_visible()
    expect(supervisor.get_by_text(REFLECTION)).to_be_visible()
    expect(supervisor.locator(".badge").first).to_have_text("Replied")


# --- 4. accessibility and layout of the feedback and notification pages --------------------------


@pytest.mark.parametrize("width", [390, 320])
@pytest.mark.parametrize("visit", FEEDBACK_PAGES, ids=lambda visit: visit.name)
def test_feedback_pages_are_accessible(visit, width, open_page, live_server, axe):
    page = open_page(width, 740, as_user=visit.who)
    visit.open(page, live_server, open_page)
    axe(page)
    if width == 320:
        problems = layout_problems(page)
        assert not problems, f"At 320px, {page.url}:\n" + "\n".join(problems)


@pytest.mark.parametrize("width", [390, 320])
def test_push_settings_with_a_service_worker_are_accessible(width, open_app, axe):
    """The settings page as a phone shows it: the service worker running, the button showing."""
    context = open_app(width, 740, as_user="staff")
    page = context.new_page()
    page.goto("/notifications/settings")
    expect(page.locator("[data-push-state]")).to_have_text("Notifications are off for this device.")
    expect(page.get_by_role("button", name="Turn on notifications")).to_be_visible()
    axe(page)
    if width == 320:
        problems = layout_problems(page)
        assert not problems, f"At 320px, {page.url}:\n" + "\n".join(problems)
