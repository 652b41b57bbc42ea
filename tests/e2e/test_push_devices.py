"""Push on real devices over time: a replaced server key, a shared phone, a refused
subscription, the permission prompt, the browser replacing a subscription, and where a tapped
notification may (and may not) take the user.

``PushManager`` is stubbed with subscriptions made in Python (no push service is reachable), as
in test_push_and_feedback.py; the service worker is the real one.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import sqlalchemy as sa
from playwright.sync_api import expect

from careobs.accounts.models import User
from careobs.db import get_session
from careobs.notifications.models import Notification
from careobs.notifications.service import notify
from careobs.push import keys as vapid
from tests.e2e import test_push_and_feedback
from tests.e2e.test_push_and_feedback import (
    _CLICK,
    _SUBSCRIBE_CALLS,
    browser_subscription,
    is_subscription_post,
    push_and_wait_until_shown,
    push_rows,
    registration_id,
    remove_push_rows,
    stub_push,
    the_worker,
    user_id,
    wait_until_controlled,
)

# The live app's VAPID keys, in a temporary instance folder (a fixture).
vapid_keys = test_push_and_feedback.vapid_keys

STATE = "[data-push-state]"
OFF = "Notifications are off for this device."
ON = "Notifications are on for this device."


def turn_on(page, status: int = 201):
    page.goto("/notifications/settings")
    wait_until_controlled(page)
    expect(page.locator(STATE)).to_have_text(OFF)
    with page.expect_response(is_subscription_post) as posted:
        page.get_by_role("button", name="Turn on notifications").click()
    assert posted.value.status == status
    return posted.value


# -- 1. the server's key was replaced ---------------------------------------------------------


def test_after_the_key_is_replaced_the_device_subscribes_again(open_app, live_server, vapid_keys):
    first, second = browser_subscription(), browser_subscription()
    staff = user_id(live_server, "staff@demo.test")
    context = open_app(as_user="staff")
    context.grant_permissions(["notifications"], origin=live_server.base_url)
    stub_push(context, first, second)
    page = context.new_page()
    try:
        turn_on(page)
        expect(page.locator(STATE)).to_have_text(ON)
        assert push_rows(live_server, staff) == [first["endpoint"]]

        # The administrator replaces the key: every stored subscription is dropped.
        result = live_server.app.test_cli_runner().invoke(args=["push", "keys", "--force"])
        assert result.exit_code == 0, result.output
        new_key = vapid.load(live_server.app.instance_path).public_key
        assert new_key != vapid_keys.public_key
        assert push_rows(live_server, staff) == []

        # The next app start sees the subscription was made with another key: it unsubscribes,
        # subscribes with the new key (no prompt: permission is granted) and stores that one.
        with page.expect_response(is_subscription_post) as posted:
            page.goto("/")
        assert posted.value.status == 201
        assert posted.value.request.post_data_json["endpoint"] == second["endpoint"]
        assert page.evaluate(_SUBSCRIBE_CALLS) == [
            {"userVisibleOnly": True, "applicationServerKey": vapid_keys.public_key},
            {"userVisibleOnly": True, "applicationServerKey": new_key},
        ]
        assert push_rows(live_server, staff) == [second["endpoint"]]

        # From now on the key matches: nothing is subscribed or sent again.
        posts = []
        page.on("request", lambda r: posts.append(r) if is_subscription_post(r) else None)
        with page.expect_response(lambda r: r.url.endswith("/api/v1/push/key")):
            page.reload()
        assert posts == []
        assert len(page.evaluate(_SUBSCRIBE_CALLS)) == 2
    finally:
        vapid.save(live_server.app.instance_path, vapid_keys)
        remove_push_rows(live_server, first["endpoint"])
        remove_push_rows(live_server, second["endpoint"])


# -- 2. a shared phone ------------------------------------------------------------------------


def test_logging_out_removes_the_devices_subscription(open_app, live_server, vapid_keys):
    subscription = browser_subscription()
    staff = user_id(live_server, "staff@demo.test")
    context = open_app()
    context.grant_permissions(["notifications"], origin=live_server.base_url)
    stub_push(context, subscription)
    page = context.new_page()
    try:
        live_server.login(page, "staff")  # its own login: logging out ends only this one
        turn_on(page)
        assert push_rows(live_server, staff) == [subscription["endpoint"]]

        with page.expect_response(
            lambda r: r.request.method == "DELETE" and r.url.endswith("/api/v1/push/subscriptions")
        ) as deleted:
            page.get_by_role("button", name="Log out").click()
        assert deleted.value.status == 204
        page.wait_for_url(f"{live_server.base_url}/login")
        expect(page.get_by_text("You have logged out.")).to_be_visible()

        assert push_rows(live_server, staff) == []
        # The browser no longer holds it either: the next person is asked afresh.
        assert page.evaluate(
            "async () => (await (await navigator.serviceWorker.ready)"
            ".pushManager.getSubscription()) === null"
        )
    finally:
        remove_push_rows(live_server, subscription["endpoint"])


def test_the_logout_itself_removes_the_subscription_the_page_names(
    open_app, live_server, vapid_keys
):
    """If the page's DELETE does not get through, the logout form carries the endpoint."""
    subscription = browser_subscription()
    staff = user_id(live_server, "staff@demo.test")
    context = open_app()
    context.grant_permissions(["notifications"], origin=live_server.base_url)
    stub_push(context, subscription)
    page = context.new_page()
    try:
        live_server.login(page, "staff")
        turn_on(page)
        page.route(
            "**/api/v1/push/subscriptions",
            lambda route: route.abort() if route.request.method == "DELETE" else route.continue_(),
        )
        with page.expect_request(lambda r: r.url.endswith("/logout")) as logout:
            page.get_by_role("button", name="Log out").click()
        form = parse_qs(logout.value.post_data or "")
        assert form["push_endpoint"] == [subscription["endpoint"]]
        page.wait_for_url(f"{live_server.base_url}/login")
        assert push_rows(live_server, staff) == []
    finally:
        remove_push_rows(live_server, subscription["endpoint"])


# -- 3. a subscription the server refuses -----------------------------------------------------


def test_a_refused_subscription_shows_an_error_and_stays_off(open_app, live_server, vapid_keys):
    bad = browser_subscription()
    bad["keys"]["p256dh"] = "A" * 87  # not a P-256 point: pushes could never be encrypted to it
    staff = user_id(live_server, "staff@demo.test")
    context = open_app(as_user="staff")
    context.grant_permissions(["notifications"], origin=live_server.base_url)
    stub_push(context, bad)
    page = context.new_page()

    refused = turn_on(page, status=400)

    assert refused.json()["error"]["code"] == "invalid_subscription"
    state = page.locator(STATE)
    expect(state).to_contain_text("Notifications could not be turned on")
    expect(state).to_contain_text("They are off for this device.")
    expect(page.get_by_role("button", name="Turn on notifications")).to_be_visible()
    expect(page.get_by_role("button", name="Turn off notifications")).to_be_hidden()
    assert push_rows(live_server, staff) == []
    assert page.evaluate(
        "async () => (await (await navigator.serviceWorker.ready)"
        ".pushManager.getSubscription()) === null"
    )
    page.reload()
    expect(page.locator(STATE)).to_have_text(OFF)


# -- 4. permission is asked only after a tap --------------------------------------------------

# Notification.permission starts "default"; requestPermission() is counted and grants.
_STUB_PERMISSION = """(() => {
  if (typeof Notification === "undefined") return;
  const KEY = "e2e-permission";
  const COUNT = "e2e-permission-requests";
  Object.defineProperty(Notification, "permission", {
    configurable: true, get: () => localStorage.getItem(KEY) || "default",
  });
  Notification.requestPermission = async () => {
    localStorage.setItem(COUNT, String(Number(localStorage.getItem(COUNT) || 0) + 1));
    localStorage.setItem(KEY, "granted");
    return "granted";
  };
})();"""
_REQUESTS = '() => Number(localStorage.getItem("e2e-permission-requests") || 0)'


def test_permission_is_asked_only_after_the_tap(open_app, live_server, vapid_keys):
    subscription = browser_subscription()
    context = open_app(as_user="staff")
    context.add_init_script(_STUB_PERMISSION)
    stub_push(context, subscription)
    page = context.new_page()
    try:
        for path in ("/", "/feedback/mine", "/notifications/settings"):
            page.goto(path)
            wait_until_controlled(page)
        expect(page.locator(STATE)).to_have_text(OFF)
        assert page.evaluate("() => Notification.permission") == "default"
        assert page.evaluate(_REQUESTS) == 0
        assert page.evaluate(_SUBSCRIBE_CALLS) is None

        with page.expect_response(is_subscription_post) as posted:
            page.get_by_role("button", name="Turn on notifications").click()
        assert posted.value.status == 201
        assert page.evaluate(_REQUESTS) == 1
        expect(page.locator(STATE)).to_have_text(ON)
    finally:
        remove_push_rows(live_server, subscription["endpoint"])


# -- 5. the browser replaces the subscription -------------------------------------------------

# Stores a subscription as the page would (CSRF token and all).
_STORE = """async (subscription) => {
  const token = (await (await fetch("/api/v1/csrf")).json()).csrf_token;
  const response = await fetch("/api/v1/push/subscriptions", {
    method: "POST", headers: {"Content-Type": "application/json", "X-CSRFToken": token},
    body: JSON.stringify(subscription),
  });
  return response.status;
}"""

# Fires the worker's own pushsubscriptionchange listener with the old and (optionally) new
# subscription; without a new one the worker must subscribe itself, through a stubbed
# PushManager that records the key it was given.
_CHANGE = """async ({old, fresh, made}) => {
  const wrap = (json) => json && {endpoint: json.endpoint, toJSON: () => json};
  const calls = [];
  const subscribe = PushManager.prototype.subscribe;
  PushManager.prototype.subscribe = async function (options) {
    const key = new Uint8Array(options.applicationServerKey);
    calls.push(btoa(String.fromCharCode(...key))
      .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, ""));
    return wrap(made);
  };
  const event = new ExtendableEvent("pushsubscriptionchange");
  Object.defineProperty(event, "oldSubscription", {value: wrap(old)});
  Object.defineProperty(event, "newSubscription", {value: wrap(fresh)});
  const pending = [];
  Object.defineProperty(event, "waitUntil", {value: (promise) => { pending.push(promise); }});
  try {
    self.dispatchEvent(event);
    await Promise.all(pending);
  } finally {
    PushManager.prototype.subscribe = subscribe;
  }
  return {handled: pending.length, calls};
}"""


def test_a_replaced_subscription_is_stored_and_the_old_one_forgotten(
    open_app, live_server, vapid_keys
):
    old, fresh, made = browser_subscription(), browser_subscription(), browser_subscription()
    staff = user_id(live_server, "staff@demo.test")
    context = open_app(as_user="staff")
    page = context.new_page()
    try:
        page.goto("/")
        wait_until_controlled(page)
        assert page.evaluate(_STORE, old) == 201
        worker = the_worker(context, live_server)

        # The browser gives the new subscription with the event.
        changed = worker.evaluate(_CHANGE, {"old": old, "fresh": fresh, "made": None})
        assert changed == {"handled": 1, "calls": []}
        assert push_rows(live_server, staff) == [fresh["endpoint"]]

        # It gives none: the worker subscribes again with the server's key.
        changed = worker.evaluate(_CHANGE, {"old": fresh, "fresh": None, "made": made})
        assert changed == {"handled": 1, "calls": [vapid_keys.public_key]}
        assert push_rows(live_server, staff) == [made["endpoint"]]
    finally:
        for subscription in (old, fresh, made):
            remove_push_rows(live_server, subscription["endpoint"])


# -- 6. where a tapped notification goes ------------------------------------------------------


def test_a_tap_never_takes_the_recorder_away(open_app, live_server):
    """A QUIS session is being recorded when a safeguarding alert arrives on the manager's
    phone: the tap opens a new window and the recorder stays where it is."""
    manager = user_id(live_server, "manager@demo.test")
    with live_server.app.app_context():
        db = get_session()
        notice = notify(db, db.get(User, manager), "safeguarding", "/quis/")
        db.commit()
        payload = {"title": notice.title, "url": f"/notifications/{notice.uuid}", "tag": "e2e-tap"}
    context = open_app(as_user="manager")
    context.grant_permissions(["notifications"], origin=live_server.base_url)
    recorder = context.new_page()
    recorder.goto("/quis/record")
    wait_until_controlled(recorder)
    recorder_url = recorder.url
    cdp, registration = registration_id(context, recorder, f"{live_server.base_url}/")
    push_and_wait_until_shown(context, live_server, cdp, registration, payload)

    clicked = the_worker(context, live_server).evaluate(_CLICK, "e2e-tap")

    assert clicked == {
        "handled": 1,
        "focused": [],
        "opened": [f"{live_server.base_url}{payload['url']}"],
    }
    recorder.wait_for_timeout(300)
    assert recorder.url == recorder_url
    # Opening it reads the notice and shows the record.
    opened = context.new_page()
    opened.goto(clicked["opened"][0])
    opened.wait_for_url(f"{live_server.base_url}/quis/")
    with live_server.app.app_context():
        read = get_session().scalar(
            sa.select(Notification.read_at).where(Notification.uuid == notice.uuid)
        )
        assert read is not None
    cdp.detach()


def test_a_tap_opens_the_notice_even_when_a_window_already_shows_its_record(open_app, live_server):
    """The manager has the record open when its alert arrives: the tap still opens the notice
    (in a new window, so it is marked read) and the open window stays where it is."""
    manager = user_id(live_server, "manager@demo.test")
    with live_server.app.app_context():
        db = get_session()
        notice = notify(db, db.get(User, manager), "safeguarding", "/quis/")
        db.commit()
        payload = {"title": notice.title, "url": f"/notifications/{notice.uuid}", "tag": "e2e-rec"}
    context = open_app(as_user="manager")
    context.grant_permissions(["notifications"], origin=live_server.base_url)
    record = context.new_page()
    record.goto("/quis/")
    wait_until_controlled(record)
    cdp, registration = registration_id(context, record, f"{live_server.base_url}/")
    push_and_wait_until_shown(context, live_server, cdp, registration, payload)

    clicked = the_worker(context, live_server).evaluate(_CLICK, "e2e-rec")

    assert clicked == {
        "handled": 1,
        "focused": [],
        "opened": [f"{live_server.base_url}{payload['url']}"],
    }
    assert record.url == f"{live_server.base_url}/quis/"
    opened = context.new_page()
    opened.goto(clicked["opened"][0])
    opened.wait_for_url(f"{live_server.base_url}/quis/")
    with live_server.app.app_context():
        read = get_session().scalar(
            sa.select(Notification.read_at).where(Notification.uuid == notice.uuid)
        )
        assert read is not None
    cdp.detach()
