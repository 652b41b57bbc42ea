"""The comparison of a demo co-audit (H02's, at Riverside Homecare) on a 320 px phone: nothing
wider than the screen, no serious accessibility violation, every difference in words, and a
difference followed up from the keyboard alone — then shown as followed up."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from careobs.audits.models import Audit, CoAuditFollowUp
from careobs.coaudits.queries import comparison_of, follow_ups_of
from careobs.db import get_session
from careobs.org.models import Person
from careobs.permissions.comparisons import ComparedPair, staff_audit_of

TAP = 44


def a_co_audit_with_a_difference_to_follow_up(app) -> tuple[str, str]:
    """The latest demo co-audit of H02 with a difference nobody followed up: its id and that
    item (other browser tests on this server add co-audits of their own)."""
    with app.app_context():
        db = get_session()
        followed = sa.select(CoAuditFollowUp.audit_id)
        for co in db.scalars(
            sa.select(Audit)
            .join(Person, Person.id == Audit.co_audit_person_id)
            .where(Person.code == "H02", Audit.id.not_in(followed))
            .order_by(Audit.started_at.desc())
        ):
            pair = ComparedPair(co, staff_audit_of(db, co))
            differences = comparison_of(db, pair).differences
            if differences and not follow_ups_of(db, co):
                return str(co.uuid), differences[0].text
    raise AssertionError("the demo has no co-audit difference left to follow up")


def test_the_comparison_on_a_phone_and_a_follow_up_by_keyboard(open_page, live_server, axe):
    co_id, item_text = a_co_audit_with_a_difference_to_follow_up(live_server.app)
    page: Page = open_page(320, 640, as_user="manager")
    response = page.goto(f"/audits/{co_id}/comparison")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_contain_text("Co-audit with H02")
    expect(page.get_by_text("items agree (")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    axe(page)
    first = page.locator("li.comparison-differs").first
    expect(first).to_contain_text("Differs")
    expect(first).to_contain_text("Staff audit: ")
    expect(first).to_contain_text(" · H02: ")
    button = first.get_by_role("button", name=f"Follow up: {item_text}")
    box = button.bounding_box()
    assert box["height"] >= TAP and box["x"] + box["width"] <= 320

    # From the top of the page with the keyboard alone: Tab to the button, Enter.
    page.locator("body").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        if button.evaluate("(b) => b === document.activeElement"):
            break
    else:
        raise AssertionError("the Follow up button cannot be reached with Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/actions/" in page.url
    expect(page.get_by_text("Action raised")).to_be_visible()
    action_url = page.url

    page.goto(f"/audits/{co_id}/comparison")
    followed = page.locator("li.comparison-differs").first
    expect(followed).to_contain_text("Followed up:")
    link = followed.get_by_role("link")
    assert action_url.endswith(link.get_attribute("href"))
    axe(page)
