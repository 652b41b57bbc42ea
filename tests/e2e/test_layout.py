"""At 320 px wide (the narrowest phone) nothing scrolls sideways and every target is big enough.

Wide tables scroll inside their own ``.table-wrap``; that is allowed. The document itself must
never scroll horizontally, and the main navigation and buttons must be at least 44 px tall.
"""

from __future__ import annotations

import pytest

from tests.e2e.pages import PAGES

WIDTH = 320
MIN_TARGET = 44

MEASURE = """({width, minTarget}) => {
  const visible = (el) => el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== "hidden";
  const describe = (el) => {
    const text = (el.innerText || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    const cls = typeof el.className === "string" && el.className.trim()
      ? "." + el.className.trim().split(/\\s+/).join(".") : "";
    return `<${el.tagName.toLowerCase()}${cls}> "${text}"`;
  };
  const overflowing = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (!visible(el) || el.closest(".table-wrap")) continue;
    const right = el.getBoundingClientRect().right;
    if (right > width + 0.5) overflowing.push(`${describe(el)} ends at ${Math.round(right)}px`);
  }
  const targets = document.querySelectorAll(
    ".app-nav a, .button, button, input[type=submit], input[type=button]"
  );
  const small = [];
  for (const el of targets) {
    if (!visible(el)) continue;
    const height = el.getBoundingClientRect().height;
    if (height < minTarget) small.push(`${describe(el)} is ${height.toFixed(1)}px tall`);
  }
  const nav = document.querySelector(".app-nav ul");
  return {
    scrollWidth: document.documentElement.scrollWidth,
    overflowing: overflowing.slice(0, 15),
    small,
    navLinks: document.querySelectorAll(".app-nav a").length,
    navOverflows: nav ? nav.scrollWidth > nav.clientWidth : false,
    loggedIn: document.querySelector("form.logout") !== null,
  };
}"""


def layout_problems(page) -> list[str]:
    """What is wrong with the page's layout at its current (320 px) width."""
    found = page.evaluate(MEASURE, {"width": WIDTH, "minTarget": MIN_TARGET})
    problems = []
    if found["scrollWidth"] > WIDTH:
        problems.append(
            f"the page scrolls sideways (scrollWidth {found['scrollWidth']}px): "
            + "; ".join(found["overflowing"])
        )
    problems.extend(f"target under {MIN_TARGET}px: {small}" for small in found["small"])
    if found["loggedIn"] and found["navLinks"] < 2:
        problems.append("the main navigation is missing")
    if found["navOverflows"]:
        problems.append("the main navigation does not fit the screen")
    return problems


@pytest.mark.parametrize("visit", PAGES, ids=lambda visit: visit.name)
def test_page_fits_a_320px_screen(visit, open_page, live_server):
    page = open_page(WIDTH, 640, as_user=visit.who)
    visit.open(page, live_server, open_page)
    # A visit may end as soon as the new page's heading is in the DOM (after a form post, say);
    # measure only once its stylesheet has loaded, or an unstyled page is judged.
    page.wait_for_load_state("load")
    problems = layout_problems(page)
    assert not problems, f"At {WIDTH}px, {page.url}:\n" + "\n".join(problems)


def test_the_layout_check_sees_overflow_and_small_buttons(open_page):
    """The check is real: a too-wide block and a squashed button on purpose must be reported."""
    page = open_page(WIDTH, 640, as_user="admin")
    page.goto("/")
    assert layout_problems(page) == []
    page.evaluate(
        """() => {
          const wide = document.createElement("p");
          wide.textContent = "wide";
          wide.style.width = "600px";  // CSSOM, which the CSP allows (attributes it would not)
          document.querySelector("main").append(wide);
          document.querySelector(".app-nav a").style.minHeight = "20px";
          document.querySelector(".app-nav a").style.height = "20px";
        }"""
    )
    problems = layout_problems(page)
    assert any("scrolls sideways" in p and '<p> "wide"' in p for p in problems), problems
    assert any("under 44px" in p and '"Home"' in p for p in problems), problems
