"""The header and the main navigation on a phone: one line of named icons on top, a tab bar below.

On a phone the header holds the brand and icon controls whose labels only screen readers hear
(notifications with the unread number, account, install, log out), so it stays one line; the main
navigation is a bottom tab bar of icons above distinct labels, the current place marked by more
than colour. From 48rem the navigation sits in the header, which stays one line there too.
"""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.waits import wait_until

PHONES = (320, 360, 390)
ONE_LINE = 64  # px: a single row of 44 px targets plus the header's padding
MIN_TARGET = 44
NAV = {
    "manager": ["Home", "QUIS", "Visits", "Feedback", "Trends", "Admin"],
    "staff": ["Home", "Visits", "Feedback"],
}
BELL_NAME = re.compile(r"^Notifications( \d+ unread)?$")

HEADER_LAYOUT = """() => {
  const header = document.querySelector(".app-header").getBoundingClientRect();
  const controls = [...document.querySelectorAll(
    ".app-header > a, .app-header > button, .app-header form button"
  )].filter((el) => el.getClientRects().length > 0).map((el) => {
    const box = el.getBoundingClientRect();
    return { name: el.textContent.trim().replace(/\\s+/g, " "), top: box.top, bottom: box.bottom,
             left: box.left, right: box.right, width: box.width, height: box.height };
  });
  return { height: header.height, scrollWidth: document.documentElement.scrollWidth, controls };
}"""

# Where each navigation item's icon and the text of its label are drawn. The label's text is
# measured with a Range, which covers the glyphs even where they spill out of the label's box.
NAV_LAYOUT = """() => [...document.querySelectorAll(".app-nav a")].map((link) => {
  const box = (rect) => ({ left: rect.left, right: rect.right, top: rect.top,
                           bottom: rect.bottom, width: rect.width, height: rect.height });
  const label = link.querySelector(".nav-label");
  const text = document.createRange();
  text.selectNodeContents(label);
  const icon = link.querySelector("svg.icon");
  return { label: label.textContent, link: box(link.getBoundingClientRect()),
           text: box(text.getBoundingClientRect()),
           icon: icon && box(icon.getBoundingClientRect()) };
})"""

# Every icon the page uses names a symbol that the sprite it points at really holds.
MISSING_ICONS = """async () => {
  const missing = [];
  for (const use of document.querySelectorAll("svg.icon use")) {
    const url = new URL(use.getAttribute("href"), document.baseURI);
    const response = await fetch(url);
    const sprite = new DOMParser().parseFromString(await response.text(), "image/svg+xml");
    if (!response.ok || !sprite.getElementById(url.hash.slice(1))) missing.push(url.href);
  }
  return missing;
}"""

OFFER_INSTALL = """() => {
  window.dispatchEvent(new Event("beforeinstallprompt"));
  return !document.getElementById("install-app").hidden;
}"""


def open_home(open_page, who: str, width: int) -> Page:
    page = open_page(width, 740, as_user=who)
    page.goto("/")
    page.wait_for_load_state("load")  # measure the styled page
    return page


def header_problems(page: Page, width: int) -> list[str]:
    """What keeps the header from being one tidy line of big enough targets at ``width``."""
    found = page.evaluate(HEADER_LAYOUT)
    problems = []
    if found["height"] > ONE_LINE:
        problems.append(f"the header is {found['height']:.0f}px tall")
    if found["scrollWidth"] > width:
        problems.append(f"the page scrolls sideways ({found['scrollWidth']}px)")
    controls = found["controls"]
    for control in controls:
        if control["width"] < MIN_TARGET or control["height"] < MIN_TARGET:
            problems.append(f"{control['name']!r} is {control['width']}x{control['height']}px")
        if control["right"] > width:
            problems.append(f"{control['name']!r} ends at {control['right']}px")
    # One line: every control shares the first one's row.
    tops = {round(control["top"]) for control in controls}
    if max(tops) - min(tops) > 8:
        problems.append(f"the controls sit on several rows: {controls}")
    return problems


@pytest.mark.parametrize("who", ["manager", "staff"])
@pytest.mark.parametrize("width", PHONES)
def test_the_header_is_one_line_on_a_phone(open_page, who, width):
    page = open_home(open_page, who, width)
    expect(page.get_by_role("button", name="Install app")).to_be_hidden()
    assert len(page.evaluate(HEADER_LAYOUT)["controls"]) == 4  # brand, bell, account, log out
    assert header_problems(page, width) == []


@pytest.mark.parametrize("width", [320, 360])
def test_the_header_stays_one_line_when_the_browser_offers_to_install(open_page, width):
    page = open_home(open_page, "manager", width)
    # The browser's offer, as app.js hears it (repeated until app.js is listening).
    wait_until(page, OFFER_INSTALL)
    expect(page.get_by_role("button", name="Install app", exact=True)).to_be_visible()
    assert len(page.evaluate(HEADER_LAYOUT)["controls"]) == 5
    assert header_problems(page, width) == []


def test_the_header_check_sees_a_header_that_wraps(open_page):
    """The check is real: a header forced onto two lines must be reported."""
    page = open_home(open_page, "manager", 360)
    page.evaluate(
        """() => {
          const header = document.querySelector(".app-header");
          header.style.flexWrap = "wrap";  // CSSOM, which the CSP allows
          document.querySelector(".brand").style.width = "100%";
        }"""
    )
    problems = header_problems(page, 360)
    assert any("tall" in p for p in problems) and any("several rows" in p for p in problems)


@pytest.mark.parametrize("who", ["manager", "staff"])
def test_every_header_control_and_navigation_item_has_its_own_name(open_page, who):
    page = open_home(open_page, who, 360)
    header = page.get_by_role("banner")
    expect(header.get_by_role("link", name="careobs", exact=True)).to_be_visible()
    expect(header.get_by_role("link", name=BELL_NAME)).to_be_visible()
    expect(header.get_by_role("link", name="Account", exact=True)).to_be_visible()
    expect(header.get_by_role("button", name="Log out", exact=True)).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    for label in NAV[who]:
        expect(nav.get_by_role("link", name=label, exact=True)).to_have_count(1)
    expect(nav.get_by_role("link")).to_have_count(len(NAV[who]))
    # An icon on every tab and control (install's too, hidden until the browser offers it) ...
    expect(page.locator(".app-nav svg.icon")).to_have_count(len(NAV[who]))
    expect(page.locator(".app-header svg.icon")).to_have_count(len(NAV[who]) + 4)
    # ... adding nothing to the names (they are hidden from screen readers) ...
    expect(page.locator("svg.icon:not([aria-hidden='true'])")).to_have_count(0)
    # ... and every one of them is drawn from a symbol the sprite really has.
    assert page.evaluate(MISSING_ICONS) == []


@pytest.mark.parametrize("who", ["manager", "staff"])
@pytest.mark.parametrize("width", PHONES)
def test_each_tab_shows_an_icon_above_a_label_clear_of_its_neighbours(open_page, who, width):
    page = open_home(open_page, who, width)
    tabs = page.evaluate(NAV_LAYOUT)
    assert [tab["label"] for tab in tabs] == NAV[who]
    for tab in tabs:
        link, icon, text = tab["link"], tab["icon"], tab["text"]
        assert icon and icon["width"] >= 20 and icon["height"] >= 20, tab
        assert icon["bottom"] <= text["top"], f"{tab['label']}: the icon is not above the label"
        assert link["left"] <= text["left"] and text["right"] <= link["right"], tab
        assert link["height"] >= 56 and link["width"] >= MIN_TARGET, tab
    for left, right in itertools.pairwise(tabs):
        gap = right["text"]["left"] - left["text"]["right"]
        assert gap >= 4, f"{left['label']!r} and {right['label']!r} are {gap:.1f}px apart"
        assert left["link"]["right"] <= right["link"]["left"], (left, right)
    # The bar sits at the bottom of the screen, inside it.
    bar = page.locator(".app-nav").bounding_box()
    assert bar["y"] + bar["height"] == pytest.approx(740, abs=1)
    assert bar["x"] >= 0 and bar["x"] + bar["width"] <= width


def test_the_unread_count_is_a_number_on_screen_and_in_the_name(open_page):
    page = open_home(open_page, "manager", 320)
    count = page.locator(".bell .bell-count")
    expect(count).to_be_visible()
    # The number itself is on screen (not a coloured dot); " unread" is for screen readers.
    unread = page.evaluate("() => document.querySelector('.bell-count').firstChild.textContent")
    assert unread.isdigit() and int(unread) > 0, unread
    expect(count).to_have_text(f"{unread} unread")
    bell = page.get_by_role("link", name=f"Notifications {unread} unread", exact=True)
    expect(bell).to_be_visible()
    # The badge sits on the bell, inside the header.
    badge, target = count.bounding_box(), bell.bounding_box()
    assert badge["width"] >= 12 and badge["height"] >= 12
    assert target["x"] <= badge["x"]
    assert badge["x"] + badge["width"] <= target["x"] + target["width"]


CURRENT_MARKS = """() => [...document.querySelectorAll(".app-nav a")].map((link) => ({
  label: link.textContent.trim(),
  current: link.getAttribute("aria-current"),
  weight: Number(getComputedStyle(link).fontWeight),
  bar: getComputedStyle(link, "::before").content !== "none"
    && parseFloat(getComputedStyle(link, "::before").height) >= 2,
}))"""


@pytest.mark.parametrize("width", [360, 1024])
def test_the_current_place_is_marked_by_more_than_colour(open_page, width):
    page = open_home(open_page, "manager", width)
    nav = page.get_by_role("navigation", name="Main")
    for here, path in (("Home", "/"), ("Visits", "/visits/")):
        if here != "Home":
            nav.get_by_role("link", name=here, exact=True).click()
            expect(page).to_have_url(re.compile(re.escape(path) + "$"))
            page.wait_for_load_state("load")
        marks = {mark["label"]: mark for mark in page.evaluate(CURRENT_MARKS)}
        assert marks[here]["current"] == "page"
        assert marks[here]["weight"] >= 700 and marks[here]["bar"], marks[here]
        for label, mark in marks.items():
            if label != here:
                assert mark["current"] is None and not mark["bar"], mark
                assert mark["weight"] < 700, mark


@pytest.mark.parametrize("width", [768, 1024, 1280])
def test_the_header_holds_the_navigation_on_one_line_on_wider_screens(open_page, width):
    page = open_home(open_page, "manager", width)
    nav = page.locator(".app-nav").bounding_box()
    header = page.locator(".app-header").bounding_box()
    assert header["y"] <= nav["y"] and nav["y"] + nav["height"] <= header["y"] + header["height"]
    assert header_problems(page, width) == []
    if width >= 1024:  # room for the controls' words beside their icons
        expect(page.get_by_text("Log out", exact=True)).to_be_visible()
        expect(page.get_by_text("Account", exact=True)).to_be_visible()
