"""A visit form is about twelve screens on a phone: the sticky bar says how much is answered and
lets the supervisor go to any part of the form, or straight to the next unanswered item."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_visit_form import (
    ITEMS,
    answered_text,
    checklist_items,
    choose_visit,
    open_setup,
    rate,
    start_visit,
)

FOCUSED_ID = "() => document.activeElement && document.activeElement.id"


def below_the_bar(page: Page, selector: str) -> bool:
    """The element's top is on screen, and not hidden under the sticky outcome bar."""
    return page.evaluate(
        """(selector) => {
          const bar = document.querySelector("[data-outcome-bar]").getBoundingClientRect();
          const top = document.querySelector(selector).getBoundingClientRect().top;
          return top >= bar.bottom - 1 && top < window.innerHeight;
        }""",
        selector,
    )


@pytest.mark.parametrize("width", [320, 390])
def test_the_bar_goes_to_any_part_and_to_the_next_unanswered_item(width, open_page, live_server):
    page = open_page(width, as_user="supervisor")
    open_setup(page)
    choose_visit(page, "H02")
    doc_id = start_visit(page, "H02")
    items = checklist_items(page, doc_id)
    domains = page.evaluate(
        """async (id) => (await self.careobsOutbox.getDocument(
             document.querySelector('meta[name="careobs-user"]').content, id)).checklist.domains""",
        doc_id,
    )
    assert sum(len(d["items"]) for d in domains) == ITEMS

    # Answer the first two items: the bar counts them, and so does their section in "Go to…".
    rate(page, items[0], "met")
    rate(page, items[1], "partly")
    expect(page.locator("[data-answered]")).to_have_text(answered_text(2))
    jump = page.get_by_label("Go to a part of the form")
    first = domains[0]
    expect(jump.locator(f'option[value="d-{first["id"]}"]')).to_have_text(
        f"1. {first['name']} (2 of {len(first['items'])})"
    )
    options = jump.locator("option")
    expect(options).to_have_count(1 + 1 + len(domains) + 4)
    expect(options.first).to_have_text("Go to…")

    # "Next unanswered" lands on the third item, below the bar, with its first rating focused.
    page.get_by_role("button", name="Next unanswered").click()
    assert page.evaluate(FOCUSED_ID) == f"rating-{items[2]['id']}-met"
    assert below_the_bar(page, f"#rating-{items[2]['id']}-met")

    # Answering it moves "next" on; a skipped item further down is found too.
    rate(page, items[2], "met")
    for item in items[3:10]:
        rate(page, item, "na")
    rate(page, items[11], "met")
    page.get_by_role("button", name="Next unanswered").click()
    assert page.evaluate(FOCUSED_ID) == f"rating-{items[10]['id']}-met"

    # "Go to…": the last section's heading, then the outcome; the list is ready again after.
    last = domains[-1]
    jump.select_option(f"d-{last['id']}")
    assert page.evaluate(FOCUSED_ID) == f"d-{last['id']}"
    assert below_the_bar(page, f"#d-{last['id']}")
    expect(jump).to_have_value("")
    jump.select_option("outcome-title")
    assert page.evaluate(FOCUSED_ID) == "outcome-title"

    # Every item answered: nothing is left to go to.
    for item in items:
        if page.locator(f'input[name="rating-{item["id"]}"]:checked').count() == 0:
            rate(page, item, "met")
    expect(page.locator("[data-answered]")).to_have_text(answered_text(ITEMS))
    expect(page.get_by_role("button", name="Next unanswered")).to_be_hidden()
