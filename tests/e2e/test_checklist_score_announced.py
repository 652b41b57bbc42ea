"""The score in the sticky bar of the audit and visit forms is read out to screen readers.

A visually hidden polite live region in the bar says the score and band when an answer changes
them ("Score 75.0%, amber.", "Score 50.0%. Red: a critical item is not met."), once per change:
never when the form opens, and never while a comment is typed (the score does not change).
The texts are checked against scores worked out by hand; a MutationObserver counts how often the
region was written, so a region rewritten with the same words would fail too.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from careobs.audits import starter
from tests.e2e.test_audit_form import ROSEWOOD, items_of, template_id
from tests.e2e.test_audit_form import rate as rate_audit
from tests.e2e.test_audit_form import start as start_audit
from tests.e2e.test_visit_form import checklist_items, choose_visit, open_setup, start_visit
from tests.e2e.test_visit_form import rate as rate_visit
from tests.e2e.waits import wait_until

SAID = "[data-score-said]"
# Counts the writes to the live region from now on (in window.__writes).
_COUNT_WRITES = """() => {
  window.__writes = 0;
  const region = document.querySelector("[data-score-said]");
  new MutationObserver(() => { window.__writes += 1; })
    .observe(region, { childList: true, characterData: true, subtree: true });
}"""


def writes(page: Page) -> int:
    return page.evaluate("() => window.__writes")


def expect_said(page: Page, words: str, count: int) -> None:
    """The live region says ``words``, and has been written ``count`` times in all."""
    expect(page.locator(SAID)).to_have_text(words)
    assert writes(page) == count


def expect_polite_and_silent(page: Page) -> None:
    """The bar's live region: polite, visually hidden, and empty (nothing read out on load)."""
    region = page.locator(SAID)
    expect(region).to_have_attribute("aria-live", "polite")
    expect(region).to_have_attribute("role", "status")
    expect(region).to_have_class("visually-hidden")
    expect(region).to_have_text("")
    assert page.locator(f"[data-outcome-bar] {SAID}").count() == 1


def type_comment(page: Page, item: dict, text: str) -> None:
    comment = page.locator(f"#comment-{item['id']}")
    comment.locator("xpath=ancestor::details/summary").click()
    comment.press_sequentially(text)


def test_the_audit_forms_score_is_announced_when_an_answer_changes_it(open_page, live_server):
    page = open_page(as_user="supervisor")
    doc_id = start_audit(page, template_id(live_server, starter.CARE_PLAN.name), ROSEWOOD, "R01")
    expect_polite_and_silent(page)
    page.evaluate(_COUNT_WRITES)
    items = items_of(page, doc_id)
    plain = [item for item in items if not item["critical"]]
    critical = next(item for item in items if item["critical"])

    # By hand: Met is 2 points of 2 = 100.0%, green (the care plan's bands: 90 and 75).
    rate_audit(page, plain[0], "met")
    expect_said(page, "Score 100.0%, green.", 1)
    # A comment typed letter by letter changes no score: nothing more is read out.
    type_comment(page, plain[0], "Signed and dated")
    expect(page.locator(f"#comment-{plain[0]['id']}")).to_have_value("Signed and dated")
    assert writes(page) == 1
    # Met + Not met: 2 of 4 points = 50.0%, red.
    rate_audit(page, plain[1], "not_met")
    expect_said(page, "Score 50.0%, red.", 2)
    # Met + Partly met: 3 of 4 = 75.0%, amber from 75.
    rate_audit(page, plain[1], "partly")
    expect_said(page, "Score 75.0%, amber.", 3)
    # A critical item Not met: 3 of 6 = 50.0%, and red whatever the score.
    rate_audit(page, critical, "not_met")
    expect_said(page, "Score 50.0%. Red: a critical item is not met.", 4)
    # Met instead: 5 of 6 = 83.3%, amber.
    rate_audit(page, critical, "met")
    expect_said(page, "Score 83.3%, amber.", 5)
    # N/A for a Met item changes the score (3 of 4 = 75.0%) but not the band: read out.
    rate_audit(page, plain[0], "na")
    expect_said(page, "Score 75.0%, amber.", 6)

    # Opening the draft again reads nothing out, though it has a score.
    page.reload()
    expect(page.locator("[data-score]")).to_have_text("Score 75.0%")
    expect_polite_and_silent(page)


def test_the_visit_forms_score_is_announced_when_an_answer_changes_it(open_page, live_server):
    page = open_page(as_user="supervisor")
    open_setup(page)
    choose_visit(page, "H01")
    doc_id = start_visit(page, "H01")
    expect_polite_and_silent(page)
    page.evaluate(_COUNT_WRITES)
    items = checklist_items(page, doc_id)
    plain = [item for item in items if not item["critical"]]
    critical = [item for item in items if item["critical"]]

    # By hand, with the organisation's bands (green from 90, amber from 75):
    rate_visit(page, plain[0], "met")  # 2 of 2
    expect_said(page, "Score 100.0%, green.", 1)
    type_comment(page, plain[0], "Kind and unhurried")
    expect(page.locator(f"#comment-{plain[0]['id']}")).to_have_value("Kind and unhurried")
    assert writes(page) == 1
    rate_visit(page, plain[1], "partly")  # 3 of 4
    expect_said(page, "Score 75.0%, amber.", 2)
    rate_visit(page, critical[0], "not_met")  # 3 of 6, one critical item Not met
    expect_said(page, "Score 50.0%. Red: a critical item is not met.", 3)
    rate_visit(page, critical[1], "not_met")  # 3 of 8, two
    expect_said(page, "Score 37.5%. Red: 2 critical items are not met.", 4)
    rate_visit(page, critical[0], "na")  # 3 of 6, one again
    expect_said(page, "Score 50.0%. Red: a critical item is not met.", 5)
    # The same answer tapped again changes nothing, and nothing is read out.
    page.locator(f'label[for="rating-{critical[0]["id"]}-na"]').click()
    assert writes(page) == 5

    # Every answer N/A: no score, said so.
    for item in (plain[0], plain[1], critical[1]):
        rate_visit(page, item, "na")
    expect_said(page, "No score yet: every item answered so far is N/A.", 8)
    wait_until(
        page,
        """async (id) => {
          const user = document.querySelector('meta[name="careobs-user"]').content;
          const doc = await self.careobsOutbox.getDocument(user, id);
          return doc.data.answers.filter((a) => a.rating === "na").length === 4;
        }""",
        doc_id,
    )
    page.reload()
    expect(page.locator("[data-score]")).to_have_text("Score —")
    expect_polite_and_silent(page)
