"""Nothing jumps on a phone: the capture pages draw their set-up form from the first paint and the
sync status bar holds its place, so filling them in moves nothing that was already on screen.

The app's scripts are held back until the server's page has painted, as on a slow phone, so a
page that drew the form or the bar only once its scripts ran would shift here every time.
Cumulative layout shift is the sum of the browser's own layout-shift entries; the goal is < 0.05.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Route, expect

GOAL = 0.05
LAYOUT_SHIFT = """() => new Promise((resolve) => {
  const total = (entries) => entries.filter((e) => !e.hadRecentInput)
    .reduce((sum, e) => sum + e.value, 0);
  const observer = new PerformanceObserver(() => {});
  observer.observe({ type: "layout-shift", buffered: true });
  // The buffered entries are queued for the observer's first call: take them from its record.
  requestAnimationFrame(() => { resolve(total(observer.takeRecords())); observer.disconnect(); });
})"""
PAINTED = "() => performance.getEntriesByType('paint').length > 0"
USER = "document.querySelector('meta[name=\"careobs-user\"]').content"


# app.js under its content-hashed name (js/app.<hash>.js).
APP_JS = re.compile(r"/static/js/app\.[0-9a-f]+\.js$")


def layout_shift(page: Page) -> float:
    """The page's cumulative layout shift so far (0 when the browser recorded no shift)."""
    return page.evaluate(LAYOUT_SHIFT)


def load_with_late_scripts(page: Page, path: str) -> None:
    """Open ``path`` with the app's script held back until the server's page has painted, as on
    a slow phone: everything the scripts draw comes after the first paint."""
    held: list[Route] = []
    page.route(APP_JS, lambda route: held.append(route))
    page.goto(path, wait_until="commit")
    page.wait_for_function(PAINTED)
    page.wait_for_function("() => new Promise((r) => requestAnimationFrame(() => r(true)))")
    assert held, "the page never asked for app.js"
    for route in held:
        route.continue_()
    page.unroute(APP_JS)


@pytest.mark.parametrize(
    ("path", "filled"),
    [("/quis/record", "#setup-service option"), ("/visits/record", "#v-service option")],
)
def test_the_capture_pages_do_not_shift_when_their_set_up_data_arrives(open_page, path, filled):
    page = open_page(as_user="supervisor")
    load_with_late_scripts(page, path)
    expect(page.locator(filled).first).to_be_attached()
    expect(page.locator("#sync-status [data-sync-text]")).to_have_text("All records sent")
    shift = layout_shift(page)
    assert shift < GOAL, f"cumulative layout shift {shift:.3f} on {path}"


def test_the_status_bar_keeps_its_height_whatever_it_says(open_page):
    """Empty as the server sends it, "All records sent", then with "Sync now": one height, so it
    never pushes the page down."""
    page = open_page(as_user="supervisor")
    page.route(APP_JS, lambda route: route.abort())
    page.goto("/")
    bar = page.locator("#sync-status")
    expect(bar).to_be_visible()
    expect(bar).not_to_have_attribute("role", "status")  # nothing to announce yet
    empty = bar.bounding_box()["height"]

    page.unroute(APP_JS)
    page.reload()
    expect(bar.locator("[data-sync-text]")).to_have_text("All records sent")
    expect(bar).to_have_attribute("role", "status")  # from now on, changes are announced
    assert bar.bounding_box()["height"] == empty
    assert layout_shift(page) < GOAL

    # A record waiting to send (the device is offline), with its "Sync now" button.
    page.context.set_offline(True)
    page.evaluate(
        f"""async () => {{
          await self.careobsOutbox.saveDocument({USER}, {{
            id: "00000000-0000-4000-8000-000000000001", kind: "quis_session", revision: 1,
            data: {{}}, state: "waiting", label: "QUIS · waiting" }});
        }}"""
    )
    expect(bar.locator("[data-sync-text]")).to_have_text("1 record waiting to send")
    expect(bar.get_by_role("button", name="Sync now")).to_be_visible()
    assert bar.bounding_box()["height"] == empty
