"""Admin > Retention in a browser at 320 px: a shorter period is confirmed first, on a page that
passes axe and fits the phone, and "No" leaves the period as it was; a longer one saves at once.
The demo's QUIS period ends as it began (36 months), so no other test sees a change."""

from __future__ import annotations

from playwright.sync_api import expect


def fill_quis_period(page, months: str) -> None:
    section = page.locator("section", has=page.locator("#type-quis_sessions"))
    section.get_by_label("Keep for (months)").fill(months)
    with page.expect_navigation():
        section.get_by_role("button", name="Save the period for QUIS observations").click()


def test_a_shorter_period_is_confirmed_first(open_page, axe):
    page = open_page(width=320, height=640, as_user="admin")
    page.goto("/admin/retention/")
    expect(
        page.get_by_text("Last purge:").or_(page.get_by_text("No purge has run yet"))
    ).to_be_visible()

    fill_quis_period(page, "48")  # longer: saved at once
    expect(page.get_by_text("QUIS observations are now kept 48 months (4 years).")).to_be_visible()

    fill_quis_period(page, "12")
    expect(
        page.get_by_role("heading", name="Shorten the period for QUIS observations?")
    ).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    axe(page)
    with page.expect_navigation():
        page.get_by_role("link", name="No, keep them 48 months").click()
    expect(page.get_by_text("Kept 48 months (4 years)")).to_be_visible()

    fill_quis_period(page, "36")
    with page.expect_navigation():
        page.get_by_role("button", name="Yes, keep them 36 months").click()
    expect(page.get_by_text("QUIS observations are now kept 36 months (3 years).")).to_be_visible()
