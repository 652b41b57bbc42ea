"""The service worker keeps the capture pages ready offline without refetching them on every view.

It fetches them when it (the app version) or the logged-in user is new to them, or when one is
missing from its cache; an ordinary page view then costs no request. Each warm-up is asked
through a message port here, so the test hears exactly which pages the worker fetched (no
waiting on a clock). Revalidation with ETags is checked in tests/pwa.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

from playwright.sync_api import expect

from careobs.pwa.views import CAPTURE_PAGES
from tests.e2e.test_quis_offline import DB_NAMES, open_recorder, start_session, supervisor_uuid, tap
from tests.e2e.waits import wait_until

USER = "document.querySelector('meta[name=\"careobs-user\"]').content"
WARMED_FOR = """async () => {
  const marker = await (await caches.open("careobs-pages")).match("/__careobs-warmed-for");
  return marker ? (await marker.json()).key : null;
}"""
# Ask the worker to warm up as app.js does on every page view, and hear what it fetched (or
# "no answer" from a worker that never replies, rather than waiting for ever).
WARM = """async (user) => {
  const registration = await navigator.serviceWorker.ready;
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => resolve(event.data.fetched);
    registration.active.postMessage({ type: "warm", user }, [channel.port2]);
    setTimeout(() => resolve("no answer"), 15000);
  });
}"""
DROP = """async (path) => (await caches.open("careobs-pages")).delete(path)"""


def test_capture_pages_are_fetched_for_a_new_user_or_a_missing_page_not_on_every_view(
    open_app, live_server
):
    context = open_app(as_user="supervisor")
    by_worker: list[str] = []

    def count(request) -> None:
        path = urlparse(request.url).path
        if request.service_worker and path in CAPTURE_PAGES:
            by_worker.append(path)

    context.on("request", count)
    page = context.new_page()
    page.goto("/")
    user = page.evaluate(f"() => {USER}")
    # The first view warms every capture page once, for this version and this user.
    wait_until(page, f"async () => ({WARMED_FOR})() .then((v) => v && v.endsWith(' ' + {USER}))")
    assert sorted(by_worker) == sorted(CAPTURE_PAGES)
    version = page.evaluate(WARMED_FOR).split(" ")[0]
    assert version

    # Ordinary views afterwards: the worker fetches nothing.
    by_worker.clear()
    for path in ("/account", "/", "/notifications/"):
        page.goto(path)
        assert page.evaluate(WARM, user) == []
    assert by_worker == []

    # A page gone from the cache is fetched again, alone.
    page.evaluate(DROP, "/visits/")
    assert page.evaluate(WARM, user) == ["/visits/"]
    assert by_worker == ["/visits/"]

    # Another user on this device: every page is fetched again, and the marker follows.
    by_worker.clear()
    assert page.evaluate(WARM, "someone-else") == list(CAPTURE_PAGES)
    assert page.evaluate(WARMED_FOR) == f"{version} someone-else"
    assert sorted(by_worker) == sorted(CAPTURE_PAGES)


CACHED = """async () => {
  const cache = await caches.open("careobs-pages");
  return (await cache.keys()).map((request) => new URL(request.url).pathname).sort();
}"""


def test_a_care_worker_is_warmed_once_and_keeps_only_the_pages_they_may_open(open_app):
    """The recorders answer a care worker 403: that is settled, not retried on every view."""
    context = open_app(as_user="staff")
    page = context.new_page()
    page.goto("/")
    user = page.evaluate(f"() => {USER}")
    wait_until(page, f"async () => ({WARMED_FOR})() .then((v) => v && v.endsWith(' ' + {USER}))")
    assert page.evaluate(WARM, user) == []
    allowed = [path for path in CAPTURE_PAGES if context.request.get(path).status == 200]
    assert "/quis/record" not in allowed
    assert page.evaluate(CACHED) == sorted([*allowed, "/__careobs-warmed-for"])


def test_pages_kept_for_one_user_are_gone_before_another_user_is_warmed(open_app):
    """Even a page the next user may not fetch: offline, it would open the first user's
    outbox."""
    context = open_app(as_user="supervisor")
    page = context.new_page()
    page.goto("/")
    wait_until(page, f"async () => ({WARMED_FOR})() .then((v) => v && v.endsWith(' ' + {USER}))")
    assert "/quis/record" in page.evaluate(CACHED)

    context.route("**/quis/record", lambda route: route.fulfill(status=403, body="Forbidden"))
    assert page.evaluate(WARM, "someone-else") == list(CAPTURE_PAGES)
    assert "/quis/record" not in page.evaluate(CACHED)


def test_logging_out_with_records_kept_on_the_device_forgets_the_pages(open_app, live_server):
    """The unsent records stay for this user's next login, but the pages go: offline they would
    open this user's outbox to whoever uses the device next."""
    context = open_app()
    page = context.new_page()
    live_server.login(page, "supervisor")  # its own login: logging out ends only this one
    open_recorder(page)
    wait_until(page, f"async () => ({WARMED_FOR})() .then((v) => v && v.endsWith(' ' + {USER}))")
    user_db = f"careobs-user-{supervisor_uuid(live_server)}"
    start_session(page, ("R04",))
    tap(page, "PS", 1)

    page.get_by_role("button", name="Log out").click()
    dialog = page.locator("#logout-dialog")
    expect(dialog).to_be_visible()
    with page.expect_navigation(url=re.compile(r"/login$")):
        dialog.get_by_role("button", name="Log out, keep them on this device").click()

    wait_until(page, f"async () => ({CACHED})().then((paths) => paths.length === 0)")
    assert user_db in page.evaluate(DB_NAMES)
