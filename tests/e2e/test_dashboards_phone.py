"""The dashboards on a phone: charts (and Chart.js) only when scrolled to, the filters folded into
one line, tables readable at 320 px, and tabs told apart.

Waits are on conditions in the page, never on fixed delays.
"""

from __future__ import annotations

import re
from itertools import pairwise

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.pages import charts_drawn, evidence_pack
from tests.e2e.test_layout_shift import GOAL, layout_shift

CHART_JS = re.compile(r"/vendor/chartjs/")
DASHBOARDS = ("quis", "visits", "coverage")
TAP = 44

# Two animation frames: an IntersectionObserver reports what it first sees in the frame after it
# starts observing, so by the second the page has had its chance to ask for a chart.
TWO_FRAMES = """() => new Promise((resolve) =>
  requestAnimationFrame(() => requestAnimationFrame(() => resolve(true))))"""


def chart_js_requests(page: Page) -> list[str]:
    """The URLs of Chart.js the page asks for from now on (a list that grows)."""
    seen: list[str] = []
    page.on("request", lambda request: CHART_JS.search(request.url) and seen.append(request.url))
    return seen


# --- charts only when they near the screen -----------------------------------------------------


def test_chart_js_is_fetched_only_when_a_chart_nears_the_screen(open_page):
    page = open_page(320, 640, as_user="manager")
    requested = chart_js_requests(page)
    with page.expect_response(re.compile(r"/api/v1/dashboards/quis")) as data:
        page.goto("/dashboards/quis")
    assert data.value.ok
    page.wait_for_function(TWO_FRAMES)
    figures = page.locator("figure[data-chart]")
    first, last = figures.first, figures.last
    top = first.evaluate("(figure) => figure.getBoundingClientRect().top")
    assert top > 640 * 1.25, f"the first chart is on the first screen ({top}px): nothing to test"

    # Opened at its top, the page has its data but neither Chart.js nor a drawn chart; each
    # chart's box already holds its place.
    assert requested == []
    expect(page.locator("figure[data-drawn]")).to_have_count(0)
    expect(first).to_be_visible()
    reserved = first.bounding_box()["height"]
    assert reserved > 200, reserved

    # Scrolled to, the first chart is drawn in the place kept for it, with Chart.js fetched once;
    # a chart further down is not drawn yet.
    first.scroll_into_view_if_needed()
    expect(first).to_have_attribute("data-drawn", "true")
    assert first.evaluate("(figure) => Chart.getChart(figure.querySelector('canvas')) !== null")
    assert first.bounding_box()["height"] == reserved
    assert len(requested) == 1, requested
    expect(last).not_to_have_attribute("data-drawn", "true")

    # Every chart, once scrolled to: Chart.js is not fetched again, and nothing has jumped.
    charts_drawn(page)
    assert len(requested) == 1, requested
    shift = layout_shift(page)
    assert shift < GOAL, f"cumulative layout shift {shift:.3f}"


def test_without_data_or_chart_js_the_boxes_go_and_the_tables_stay(open_page):
    """No empty boxes where charts cannot be drawn: the page says so, the tables remain."""
    page = open_page(320, 640, as_user="manager")
    requested = chart_js_requests(page)
    page.route(re.compile(r"/api/v1/dashboards/"), lambda route: route.abort())
    page.goto("/dashboards/visits")
    note = page.locator(".offline-note")
    expect(note).to_have_text(
        "The charts could not be loaded. The tables below show the same numbers."
    )
    expect(page.locator("figure[data-chart]").first).to_be_hidden()
    expect(page.locator("figure[data-chart]:visible")).to_have_count(0)
    expect(page.locator("table.dash-table").first).to_be_attached()
    page.locator("table.dash-table").last.scroll_into_view_if_needed()
    page.wait_for_function(TWO_FRAMES)
    assert requested == []

    # The data comes but Chart.js does not: the same, once a chart is scrolled to.
    page.unroute(re.compile(r"/api/v1/dashboards/"))
    page.route(CHART_JS, lambda route: route.abort())
    with page.expect_response(re.compile(r"/api/v1/dashboards/visits")) as data:
        page.goto("/dashboards/visits")
    assert data.value.ok
    page.wait_for_function(TWO_FRAMES)
    # Not near the screen yet (else Chart.js would be asked for at once, and this part would
    # race the refused request), so nothing has been asked for nor said.
    top = page.locator("figure[data-chart]").first.evaluate(
        "(figure) => figure.getBoundingClientRect().top"
    )
    assert top > 640 * 1.25, f"the first chart is near the first screen ({top}px)"
    assert requested == []
    expect(note).to_be_hidden()
    # (Scrolled by script: Playwright's own scrolling would wait for the figure to be stable,
    # and it goes as soon as Chart.js fails.)
    page.locator("figure[data-chart]").first.evaluate("(figure) => figure.scrollIntoView()")
    expect(note).to_have_text(
        "The charts could not be loaded. The tables below show the same numbers."
    )
    expect(page.locator("figure[data-chart]:visible")).to_have_count(0)
    expect(page.locator("[data-charts-drawn]")).to_have_count(0)
    page.watch.take()  # the browser logs the two refused requests as errors: expected here


# --- the filters folded into one line ----------------------------------------------------------

QUIS_FILTERS = ("Services", "From", "To", "Group by", "Context", "Area")


def test_the_filters_fold_into_one_line_on_a_phone_and_open_when_tapped(open_page):
    page = open_page(390, 844, as_user="manager")
    page.goto("/dashboards/quis")
    fold = page.locator("details.filters-fold")
    summary = fold.locator("summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(re.compile(r"\d{4} · Rosewood House · by month"))
    expect(summary.get_by_text("Change", exact=True)).to_be_visible()
    # One line: no taller than a tap target (a second line of text would make it taller).
    line = summary.locator(".filters-summary").evaluate(
        "(el) => parseFloat(getComputedStyle(el).lineHeight)"
    )
    height = summary.bounding_box()["height"]
    assert height <= max(TAP, line) + 2, f"the summary is {height}px tall"
    for label in QUIS_FILTERS:
        expect(page.get_by_label(label, exact=True)).to_be_hidden()
    expect(page.get_by_role("button", name="Show")).to_be_hidden()
    # The first screen shows figures, not a form.
    first_figure = page.locator(".headline div").first.bounding_box()
    assert first_figure["y"] + first_figure["height"] <= 844, first_figure

    summary.click()
    expect(fold).to_have_attribute("open", "")
    for label in QUIS_FILTERS:
        expect(page.get_by_label(label, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Show")).to_be_visible()


def test_the_filters_are_open_when_they_have_errors(open_page):
    page = open_page(390, 844, as_user="manager")
    response = page.goto("/dashboards/quis?date_from=2026-03-01&date_to=2026-01-01")
    assert response is not None and response.status == 400
    expect(page.locator("details.filters-fold")).to_have_attribute("open", "")
    to = page.get_by_label("To", exact=True)
    expect(to).to_be_visible()
    expect(to).to_have_attribute("aria-invalid", "true")


def test_a_wide_screen_shows_the_filters_without_a_tap(open_page):
    page = open_page(1280, 900, as_user="manager")
    page.goto("/dashboards/visits")
    expect(page.locator("details.filters-fold summary")).to_be_hidden()
    for label in ("Services", "From", "To", "Group by", "Visit type"):
        expect(page.get_by_label(label, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Show")).to_be_visible()


# --- tables readable at 320 px -----------------------------------------------------------------

# Every cell of every dashboard table: its edges, the label CSS writes before it, and whether
# that label fits its own box and stays clear of the cell's text. The label's box is the
# ::before's used size from the cell's content edge; it fits when its longest word (its whole
# text, if it may not wrap) is no wider than the box, measured in its own font; the text's boxes
# are those of a range over the cell.
CELLS = """(selector) => {
  const measure = document.createElement("canvas").getContext("2d");
  return [...document.querySelectorAll(selector)].flatMap((table) =>
  [...table.querySelectorAll("tbody th, tbody td")].map((cell) => {
    const box = cell.getBoundingClientRect();
    const style = getComputedStyle(cell);
    const pseudo = getComputedStyle(cell, "::before");
    let clash = null;
    if (pseudo.content !== "none") {
      const text = cell.dataset.label || "";
      const left = box.left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft);
      const top = box.top + parseFloat(style.borderTopWidth) + parseFloat(style.paddingTop);
      const width = parseFloat(pseudo.width) || 0;
      const label = { left, right: left + width, top,
                      bottom: top + (parseFloat(pseudo.height) || 0) };
      measure.font = `${pseudo.fontWeight} ${pseudo.fontSize} ${pseudo.fontFamily}`;
      const words = pseudo.whiteSpace.startsWith("nowrap") ? [text] : text.split(/\\s+/);
      const needed = Math.max(...words.map((word) => measure.measureText(word).width));
      const range = document.createRange();
      range.selectNodeContents(cell);
      if (needed > width + 1) clash = `label needs ${needed.toFixed(0)}px, has ${width}px`;
      else if ([...range.getClientRects()].some((r) =>
        r.width > 0 && r.left < label.right - 0.5 && r.right > label.left + 0.5
        && r.top < label.bottom - 0.5 && r.bottom > label.top + 0.5)) clash = "text under label";
    }
    return { text: cell.textContent.trim(), left: box.left, right: box.right,
             label: cell.dataset.label || null, before: pseudo.content, clash };
  }));
}"""


def cells_past_the_edge(page: Page, selector: str, width: int) -> list[dict]:
    cells = page.evaluate(CELLS, selector)
    assert len(cells) > 10, f"too few cells to judge on {page.url}"
    return [c for c in cells if c["left"] < -0.5 or c["right"] > width + 0.5]


@pytest.mark.parametrize("name", DASHBOARDS)
def test_every_dashboard_table_cell_is_on_a_320px_screen(open_page, name):
    page = open_page(320, 640, as_user="manager")
    page.goto(f"/dashboards/{name}")
    expect(page.locator("table.dash-table").first).to_be_attached()
    outside = cells_past_the_edge(page, "table.dash-table", 320)
    assert not outside, f"{len(outside)} cells past the edge, e.g. {outside[:3]}"
    # Each cell is "column: value": the header row is out of sight, its words before each cell.
    for box in page.locator("table.dash-table thead").evaluate_all(
        "(heads) => heads.map((head) => head.getBoundingClientRect().height)"
    ):
        assert box <= 1, f"a table's header row is {box}px tall"
    for cell in page.evaluate(CELLS, "table.dash-table"):
        if cell["label"] is not None:
            # Drawn, and silent to screen readers (""): they have the column header.
            assert cell["before"] == f'"{cell["label"]}" / ""', cell
            assert cell["clash"] is None, f"label and value collide: {cell}"
    # A row's link (a care worker's page) is its card's whole title bar.
    heights = page.locator("table.dash-table tbody th a").evaluate_all(
        "(links) => links.map((a) => a.getBoundingClientRect().height)"
    )
    assert all(height >= TAP for height in heights), heights
    if name == "coverage":
        assert heights, "the coverage list links each care worker"
    # The cards are still a table to a screen reader.
    table = page.locator("table.dash-table").first
    expect(table).to_have_role("table")
    expect(table.get_by_role("columnheader").first).to_be_attached()
    assert table.get_by_role("row").count() == table.locator("tr").count()
    assert table.get_by_role("rowheader").count() == table.locator("tbody tr").count()
    assert table.get_by_role("cell").count() == table.locator("tbody td").count()


def test_the_evidence_pack_tables_are_on_a_320px_screen(open_page, live_server):
    page = open_page(320, 640, as_user="manager")
    evidence_pack(page, live_server, open_page)
    outside = cells_past_the_edge(page, "table.evidence-table", 320)
    assert not outside, f"{len(outside)} cells past the edge, e.g. {outside[:3]}"


@pytest.mark.parametrize("name", DASHBOARDS)
def test_a_dashboard_table_is_a_table_on_a_wide_screen(open_page, name):
    page = open_page(1280, 900, as_user="manager")
    page.goto(f"/dashboards/{name}")
    tables = page.locator("table.dash-table")
    expect(tables.first).to_be_visible()
    for i in range(tables.count()):
        head = tables.nth(i).locator("thead th").first
        expect(head).to_be_visible()
        box = head.bounding_box()
        assert box["width"] > 20 and box["height"] > 20, box
        first_cell = tables.nth(i).locator("tbody td").first
        assert first_cell.evaluate("(td) => getComputedStyle(td).display") == "table-cell"
        assert first_cell.evaluate("(td) => getComputedStyle(td, '::before').content") == "none"


# --- the tabs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", DASHBOARDS)
def test_the_dashboard_tabs_are_separate_named_targets(open_page, name):
    page = open_page(320, 640, as_user="manager")
    page.goto(f"/dashboards/{name}")
    links = page.get_by_role("navigation", name="Dashboards").get_by_role("link")
    expect(links).to_have_count(5)
    names = [links.nth(i).evaluate("(a) => a.textContent.trim()") for i in range(5)]
    assert names == ["QUIS", "Visits", "Coverage", "Audits", "Compliments"], names
    boxes = []
    for i, label in enumerate(names):
        link = links.nth(i)
        expect(link).to_have_accessible_name(label)
        expect(link.locator("svg")).to_have_attribute("aria-hidden", "true")
        current = link.get_attribute("aria-current")
        assert (current == "page") == (link.get_attribute("href") == f"/dashboards/{name}")
        box = link.bounding_box()
        assert box["height"] >= TAP and box["x"] >= 0 and box["x"] + box["width"] <= 320, box
        boxes.append(box)
    # Side by side with a gap between them (separate targets, not one run of words); those that
    # do not fit on the row go below, again with a gap.
    for left, right in pairwise(boxes):
        if right["y"] == left["y"]:
            assert right["x"] >= left["x"] + left["width"] + 4, (left, right)
        else:
            assert right["y"] >= left["y"] + left["height"] + 4, (left, right)
    expect(page.locator("nav.tabs [aria-current=page]")).to_have_count(1)
