"""A new version of the app must not break the recorder a phone keeps for offline use.

The capture pages kept offline name the static files of the version that fetched them. When a
new worker takes over, the previous version's shell stays until those pages have been fetched
again for the new version; only then does it go. Here an "old version" is staged by serving a
worker whose shell names the style sheet under another hashed name (and capture pages naming
it too); then the real worker takes over. The browser's HTTP cache is cleared before each
offline check, as on a phone short of space, so only the worker's caches can answer.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

from playwright.sync_api import BrowserContext, Page, expect

from careobs.pwa.views import CAPTURE_PAGES
from tests.e2e.test_capture_warm import USER, WARM, WARMED_FOR
from tests.e2e.waits import wait_until

OLD_VERSION = "0123456789ab"
OLD_CSS = "/static/css/app.000000000001.css"
SHELLS = (
    """async () => (await caches.keys()).filter((n) => n.startsWith("careobs-shell-")).sort()"""
)
STYLED = "() => getComputedStyle(document.body).minWidth === '320px'"  # app.css was applied


def stage_the_old_version(context: BrowserContext, live_server) -> None:
    """Serve the worker, its style sheet and the capture pages as the previous version had them."""
    real_css = live_server.static("css/app.css")
    css = context.request.get(real_css).body()
    worker = context.request.get("/sw.js").text()
    old_worker = re.sub(
        r'const CACHE_VERSION = "[0-9a-f]+";', f'const CACHE_VERSION = "{OLD_VERSION}";', worker
    ).replace(real_css, OLD_CSS)

    def old_page(route) -> None:
        response = route.fetch()
        route.fulfill(response=response, body=response.text().replace(real_css, OLD_CSS))

    context.route(
        "**/sw.js", lambda route: route.fulfill(body=old_worker, content_type="text/javascript")
    )
    context.route(f"**{OLD_CSS}", lambda route: route.fulfill(body=css, content_type="text/css"))
    for path in CAPTURE_PAGES:
        context.route(f"**{path}", old_page)


# Update the worker from a page that runs none of the app's scripts (the manifest), so nothing
# but the test asks the new worker to fetch the capture pages; resolves once it is activated.
UPDATE = """async () => {
  const registration = await navigator.serviceWorker.getRegistration();
  await registration.update();
  const worker = registration.installing || registration.waiting;
  if (worker) {
    await new Promise((resolve) => worker.addEventListener("statechange", () => {
      if (worker.state === "activated" || worker.state === "redundant") resolve();
    }));
  }
  return (await caches.keys()).filter((n) => n.startsWith("careobs-shell-")).sort();
}"""


def deploy_the_new_version(context: BrowserContext) -> None:
    context.unroute("**/sw.js")
    context.unroute(f"**{OLD_CSS}")
    for path in CAPTURE_PAGES:
        context.unroute(f"**{path}")


def open_offline_with_an_empty_http_cache(context: BrowserContext) -> Page:
    page = context.new_page()
    page.goto("/manifest.webmanifest")
    page.context.new_cdp_session(page).send("Network.clearBrowserCache")
    context.set_offline(True)
    page.goto("/quis/record")
    expect(page.locator("#setup-service option").first).to_be_attached()
    wait_until(page, STYLED)
    context.set_offline(False)
    return page


def old_version_installed(context: BrowserContext, live_server) -> tuple[Page, str]:
    """The old version's worker controls the app and has kept the capture pages for the
    supervisor, who has opened the recorder once; returns a page at the manifest (no app
    script) and the user's id."""
    stage_the_old_version(context, live_server)
    page = context.new_page()
    page.goto("/")
    wait_until(page, f"async () => ({WARMED_FOR})().then((v) => v === '{OLD_VERSION} ' + {USER})")
    user = page.evaluate(f"() => {USER}")
    assert page.evaluate(SHELLS) == [f"careobs-shell-{OLD_VERSION}"]
    page.goto("/quis/record")  # online once: the device keeps its rosters for offline use
    expect(page.locator("#setup-service option").first).to_be_attached()
    page.goto("/manifest.webmanifest")
    return page, user


def test_the_previous_shell_stays_until_the_kept_pages_are_fetched_for_the_new_version(
    open_app, live_server
):
    context = open_app(as_user="supervisor")
    page, user = old_version_installed(context, live_server)

    # The new version is deployed: the old style sheet's name is gone from the server.
    deploy_the_new_version(context)
    assert context.request.get(OLD_CSS).status == 404
    shells = page.evaluate(UPDATE)
    new_shell = next(name for name in shells if name != f"careobs-shell-{OLD_VERSION}")
    assert shells == sorted([f"careobs-shell-{OLD_VERSION}", new_shell])
    assert page.evaluate(WARMED_FOR) == f"{OLD_VERSION} {user}"  # not fetched again yet

    # Offline, the kept recorder still names the old style sheet: the old shell answers it.
    recorder = open_offline_with_an_empty_http_cache(context)
    assert OLD_CSS in recorder.content()
    assert page.evaluate(SHELLS) == shells

    # Online again, the pages are fetched for the new version; then the old shell goes.
    assert sorted(page.evaluate(WARM, user)) == sorted(CAPTURE_PAGES)
    assert page.evaluate(WARMED_FOR) == f"{new_shell.removeprefix('careobs-shell-')} {user}"
    assert page.evaluate(SHELLS) == [new_shell]
    recorder = open_offline_with_an_empty_http_cache(context)
    assert OLD_CSS not in recorder.content()
    assert live_server.static("css/app.css") in recorder.content()


def test_a_new_version_copies_unchanged_files_from_the_previous_shell(open_app, live_server):
    """A hashed name never changes its content: only what changed is downloaded again."""
    context = open_app(as_user="supervisor")
    page, _user = old_version_installed(context, live_server)
    deploy_the_new_version(context)
    by_worker: list[str] = []
    context.on(
        "request",
        lambda request: (
            by_worker.append(urlparse(request.url).path) if request.service_worker else None
        ),
    )
    assert len(page.evaluate(UPDATE)) == 2
    assert live_server.static("css/app.css") in by_worker  # changed: downloaded
    unchanged = {
        live_server.static(name)
        for name in ("js/app.js", "js/quis-recorder.js", "vendor/chartjs/chart.umd.min.js")
    }
    assert not unchanged & set(by_worker), by_worker
