"""The pages added for password reset links and for audit filters that cannot be read pass the
same checks as every other page: no serious axe-core violation, and they fit a 320 px screen.

A reset form is only opened and refused here, never completed: the demo users' passwords are
shared by the whole browser suite.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.pages import Visit, goto, heading
from tests.e2e.test_layout import WIDTH, layout_problems


def make_reset_link(page, live) -> str:
    """Make a reset link for the demo care worker from the admin's ``page``; returns it."""
    goto(page, "/admin/users/")
    page.get_by_role("row").filter(has_text="staff@demo.test").get_by_role("link").click()
    page.get_by_role("button", name="Create a password reset link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Password reset link for")
    link = page.get_by_label("Password reset link").input_value()
    assert link.startswith(f"{live.base_url}/password-reset/"), link
    return link


def reset_link_shown(page, live, _open_page):
    make_reset_link(page, live)


def reset_form_error(page, live, open_page):
    link = make_reset_link(open_page(as_user="admin"), live)
    goto(page, link)  # ``page`` is a fresh, anonymous context
    heading(page, "Choose a new password")
    page.get_by_label("New password", exact=True).fill("too short")
    page.get_by_label("Type the new password again").fill("too short")
    page.get_by_role("button", name="Set new password and log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Use at least 12 characters.")
    expect(page.get_by_label("New password", exact=True)).to_have_attribute("aria-invalid", "true")


def reset_invalid(page, _live, _open_page):
    goto(page, "/password-reset/not-a-token", 410)
    heading(page, "This password reset link cannot be used")


def audit_filter_error(page, _live, _open_page):
    goto(page, "/admin/audit/?date_from=bad")
    expect(page.get_by_role("alert")).to_contain_text(
        "Enter a real date as year-month-day, for example 2026-11-27."
    )
    expect(page.get_by_label("From")).to_have_attribute("aria-invalid", "true")


VISITS = [
    Visit("reset-link", "admin", reset_link_shown),
    Visit("reset-form-error", None, reset_form_error),
    Visit("reset-invalid", None, reset_invalid),
    Visit("audit-filter-error", "admin", audit_filter_error),
]


@pytest.mark.parametrize("visit", VISITS, ids=lambda visit: visit.name)
def test_page_has_no_serious_axe_violations(visit, live_server, open_page, axe):
    page = open_page(as_user=visit.who)
    visit.open(page, live_server, open_page)
    page.wait_for_load_state("load")
    axe(page)


@pytest.mark.parametrize("visit", VISITS, ids=lambda visit: visit.name)
def test_page_fits_a_320px_screen(visit, live_server, open_page):
    page = open_page(WIDTH, 640, as_user=visit.who)
    visit.open(page, live_server, open_page)
    page.wait_for_load_state("load")
    problems = layout_problems(page)
    assert not problems, f"At {WIDTH}px, {page.url}:\n" + "\n".join(problems)
