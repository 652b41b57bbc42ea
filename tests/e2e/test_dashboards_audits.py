"""The audits dashboard on a phone, with the demo's year of audits at Rosewood House: the filters
folded into one line, a chart drawn when scrolled to, every table readable at 320 px, and axe
finding nothing serious.

Waits are on conditions in the page, never on fixed delays.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.pages import charts_drawn
from tests.e2e.test_dashboards_phone import CELLS, TAP, TWO_FRAMES, cells_past_the_edge

FILTERS = ("Services", "From", "To", "Group by", "Audit template")


def test_the_filters_fold_into_one_line_at_390px(open_page):
    page = open_page(390, 844, as_user="manager")
    page.goto("/dashboards/audits")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audits")
    summary = page.locator("details.filters-fold summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(re.compile(r"\d{4} · All 2 services · by month"))
    height = summary.bounding_box()["height"]
    assert height <= TAP + 2, f"the summary is {height}px tall"
    for label in FILTERS:
        expect(page.get_by_label(label, exact=True)).to_be_hidden()

    summary.click()
    for label in FILTERS:
        expect(page.get_by_label(label, exact=True)).to_be_visible()
    template = page.get_by_label("Audit template", exact=True)
    template.select_option(label="Medicines administration records audit")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"template="))
    expect(page.locator("details.filters-fold summary")).to_contain_text(
        "Medicines administration records audit"
    )
    latest = page.locator("table.dash-table").first
    expect(latest).to_contain_text("Medicines administration records audit")
    expect(latest).not_to_contain_text("Care plan audit")


def test_a_chart_is_drawn_when_scrolled_to(open_page):
    page = open_page(390, 844, as_user="manager")
    with page.expect_response(re.compile(r"/api/v1/dashboards/audits")) as data:
        page.goto("/dashboards/audits")
    assert data.value.ok
    page.wait_for_function(TWO_FRAMES)
    assert page.locator("figure[data-chart]").count() >= 3
    # The score trend is well below the first screen: not drawn until it is scrolled to.
    trend = page.locator('figure[data-chart="scores"]')
    top = trend.evaluate("(figure) => figure.getBoundingClientRect().top")
    assert top > 844 * 1.25, f"the trend chart is near the first screen ({top}px)"
    expect(trend).not_to_have_attribute("data-drawn", "true")

    trend.scroll_into_view_if_needed()
    expect(trend).to_have_attribute("data-drawn", "true")
    assert trend.evaluate("(figure) => Chart.getChart(figure.querySelector('canvas')) !== null")
    charts_drawn(page)


def test_every_table_cell_is_on_a_320px_screen(open_page):
    page = open_page(320, 640, as_user="manager")
    page.goto("/dashboards/audits")
    expect(page.locator("table.dash-table").first).to_be_attached()
    outside = cells_past_the_edge(page, "table.dash-table", 320)
    assert not outside, f"{len(outside)} cells past the edge, e.g. {outside[:3]}"
    for cell in page.evaluate(CELLS, "table.dash-table"):
        if cell["label"] is not None:
            assert cell["clash"] is None, f"label and value collide: {cell}"
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 320, f"the page scrolls sideways ({width}px)"


def test_the_audits_dashboard_has_no_serious_axe_violations(open_page, axe):
    page = open_page(390, 844, as_user="manager")
    page.goto("/dashboards/audits")
    expect(page.locator("table.dash-table").first).to_be_visible()
    charts_drawn(page)
    axe(page)


def test_scheduled_audits_done_on_time_in_words_and_on_a_phone(open_page):
    """The demo schedules all four templates at Rosewood House and the care plan audit at
    Riverside Homecare: each has its row, said in words, and the headline gives the total."""
    page = open_page(320, 640, as_user="manager")
    page.goto("/dashboards/audits")
    section = page.locator("#section-ontime")
    expect(section.get_by_role("heading", level=2)).to_have_text(
        "Scheduled audits done on time, by template and service"
    )
    rows = section.locator("table.dash-table tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text(
        re.compile(r"Rosewood House: \d+ of \d+ behaviour and incidents reviews due .* were done")
    )
    # At Riverside only H02's care plan is audited (monthly, before their co-audit: the demo's
    # co-audits); the other people's audits are missed.
    expect(section).to_contain_text(re.compile(r"Riverside Homecare: \d+ of \d+"))
    headline = page.locator("dl.headline")
    expect(headline).to_contain_text(re.compile(r"\d+ of \d+ that fell due \(\d+\.\d%\)"))
    by_month = page.locator("#section-ontime_periods")
    expect(by_month.locator("table.dash-table tbody tr").first).to_be_attached()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 320, f"the page scrolls sideways ({width}px)"
