"""Free text in feedback is checked for personal identifiers while it is typed (design §2.4)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.pages import feedback_for_worker

WARNING = "This looks like it contains a name with a title (Mr, Mrs, ...)."


def test_the_reflection_warns_about_a_name_before_it_is_sent(open_page, live_server):
    page = open_page(390, 844, as_user="staff")
    feedback_for_worker(page, live_server, open_page)
    reflection = page.get_by_label("Your reflection")

    reflection.fill("I will ask Mrs Jones before I start.")

    warning = page.locator("#reply-privacy")
    expect(warning).to_contain_text(WARNING)
    expect(reflection).to_have_attribute("aria-describedby", "reply-hint reply-privacy")
    reflection.fill("I will ask R07 before I start.")
    expect(warning).to_have_text("")
