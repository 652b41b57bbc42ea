"""A visit with every item N/A checked nothing: the form will not submit it.

The refusal is shown beside the Submit button in the words the server uses for such a document
(careobs/visits/documents.py), read out at once (``aria-live``) with focus moved to it; the
visit stays a draft on the device and nothing reaches the server. With one item rated, it goes.
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.test_visit_form import (
    SENT,
    answer_items,
    checklist_items,
    choose_visit,
    device_doc,
    open_setup,
    press_arrived,
    rate,
    server_visits,
    start_visit,
    wait_for_doc,
)

ALL_NA = "Every item is N/A: a visit must rate at least one item."


def test_a_visit_with_every_item_na_is_not_submitted(open_page, live_server):
    page = open_page(as_user="supervisor")
    open_setup(page)
    choose_visit(page, "H02")  # consent on record
    doc_id = start_visit(page, "H02")
    items = checklist_items(page, doc_id)
    press_arrived(page)
    answer_items(page, items, {item["id"]: "na" for item in items})
    page.get_by_label("What went well").fill("Arrived on time; nothing else applied today.")
    wait_for_doc(
        page,
        doc_id,
        """(doc) => doc.data.went_well.startsWith("Arrived on time")
          && doc.data.answers.every((a) => a.rating === "na")""",
    )
    expect(page.locator("[data-score]")).to_have_text("Score —")

    page.get_by_role("button", name="Submit visit").click()

    errors = page.locator("[data-submit-errors]")
    expect(errors.locator("li")).to_have_text([ALL_NA])
    expect(errors).to_have_attribute("aria-live", "assertive")
    expect(errors).to_be_focused()
    expect(page.locator("[data-submit]")).to_be_visible()
    expect(page.locator("[data-submitted]")).to_be_hidden()
    stored = device_doc(page, doc_id)
    assert (stored["state"], stored["data"]["status"], stored["revision"]) == ("draft", "draft", 1)
    assert server_visits(live_server, doc_id) == []

    # One item rated, the rest N/A: a visit that checked something, and it is sent.
    rate(page, items[0], "met")
    wait_for_doc(page, doc_id, '(doc) => doc.data.answers.some((a) => a.rating === "met")')
    page.get_by_role("button", name="Submit visit").click()
    expect(page.locator("[data-submitted]")).to_have_text(SENT)
    [visit] = server_visits(live_server, doc_id)
    assert (visit["status"], visit["score"], visit["band"]) == ("submitted", 100.0, "green")
