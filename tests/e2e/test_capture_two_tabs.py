"""One record open in two tabs of the same browser (the capture core, outbox-core.js and
capture.js, shown on the self-assessment form): a tab holding an out-of-date copy never writes
it over the other tab's work, nor turns a submitted record back into a draft. It is told, and
shows the stored record; a tab that hears of the other's change redraws on its own.

Tab B is made to miss the other tab's news (its BroadcastChannel listeners are dropped), as a
tab the browser froze in the background would: the save-time guard is what is tested there."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.test_self_assessment_form import (
    _DOC,
    _DOC_GONE,
    RECORD,
    ROSEWOOD,
    SENT,
    WAITING,
    score,
    stored,
)
from tests.e2e.waits import bootstrap_on_device, wait_until

CHANGED = (
    "This record was changed in another tab or window: it now shows the latest. "
    "Make your last change again."
)
DEAF = "BroadcastChannel.prototype.addEventListener = () => {};"
_STATEMENT = (
    f"async ([id, code]) => ((await ({_DOC})(id))?.data.statements || [])"
    ".find((s) => s.code === code)"
)
_HOLDS = f"async ([id, code, key, value]) => (await ({_STATEMENT})([id, code]))?.[key] === value"


def statement(page, doc_id: str, code: str) -> dict | None:
    """A statement of the record as stored on the device."""
    return page.evaluate(_STATEMENT, [doc_id, code])


def wait_stored(page, doc_id: str, code: str, key: str, value) -> None:
    """Wait until the device's copy of the record gives the statement this score or rationale."""
    wait_until(page, _HOLDS, [doc_id, code, key, value])


def two_tabs(open_app):
    """Tab A starts a self-assessment of Rosewood House (online, its suggestions kept on the
    draft); tab B, which misses the other tab's news, opens the same draft."""
    context = open_app(width=1024, height=768, as_user="manager")
    a = context.new_page()
    a.goto(RECORD)
    bootstrap_on_device(a)
    a.get_by_label("Service assessed").select_option(label=ROSEWOOD)
    a.get_by_role("button", name="Start").click()
    expect(a.locator("[data-suggested]")).to_contain_text("Evidence suggested as of ")
    doc_id = a.url.split("#", 1)[1]
    wait_until(a, f"async (id) => Boolean((await ({_DOC})(id))?.suggestions)", doc_id)
    b = context.new_page()
    b.add_init_script(DEAF)
    b.goto(f"{RECORD}#{doc_id}")
    expect(b.locator("#sa-form")).to_be_visible()
    expect(b.locator("[data-suggested]")).to_contain_text("Evidence suggested as of ")
    return context, a, b, doc_id


def test_a_stale_tab_is_refused_and_redrawn_and_the_other_tab_follows(open_app):
    _, a, b, doc_id = two_tabs(open_app)

    score(a, "S1", "3")
    wait_stored(a, doc_id, "S1", "score", 3)

    # B still shows S1 not assessed; its keystroke would have written that back. It is refused.
    expect(b.locator("#s-S1-none")).to_be_checked()
    b.locator("#r-C1").fill("Kind words at lunch.")
    expect(b.locator("#sa-problem")).to_have_text(CHANGED)
    expect(b.locator("#sa-problem")).to_be_visible()
    expect(b.locator("#s-S1-3")).to_be_checked()
    expect(b.locator("#r-C1")).to_have_value("")
    expect(b.locator('[data-kq-line="safe"]')).to_have_text(
        "Safe: 1 of 8 statements assessed, 3 of 4 = 75%: Good, lower threshold"
    )
    assert statement(a, doc_id, "S1")["score"] == 3
    assert statement(a, doc_id, "C1") is None

    # Made again on the latest copy, B's change is kept along with A's...
    b.locator("#r-C1").fill("Kind words at lunch.")
    wait_stored(a, doc_id, "C1", "rationale", "Kind words at lunch.")
    assert statement(a, doc_id, "S1")["score"] == 3
    # ...and A, which hears of it, shows it without being told to reload.
    expect(a.locator("#r-C1")).to_have_value("Kind words at lunch.")
    expect(a.locator("#sa-problem")).to_be_hidden()
    score(a, "C1", "4")
    wait_stored(a, doc_id, "C1", "score", 4)
    assert statement(a, doc_id, "C1")["rationale"] == "Kind words at lunch."
    expect(a.locator("#sa-problem")).to_be_hidden()


def test_a_record_submitted_in_one_tab_is_not_turned_back_into_a_draft_by_another(
    open_app, live_server
):
    context, a, b, doc_id = two_tabs(open_app)
    score(a, "S1", "3")
    a.locator("#r-S1").fill("Incidents are reviewed weekly.")
    wait_stored(a, doc_id, "S1", "rationale", "Incidents are reviewed weekly.")

    context.set_offline(True)
    a.get_by_role("button", name="Submit", exact=True).click()
    expect(a.locator("[data-submitted]")).to_have_text(WAITING)
    # The flush that found no connection has put it back to waiting.
    wait_until(a, f"async (id) => (await ({_DOC})(id))?.waitReason === 'offline'", doc_id)
    submitted = a.evaluate(_DOC, doc_id)
    assert (submitted["state"], submitted["revision"], submitted["data"]["status"]) == (
        "waiting",
        2,
        "submitted",
    )

    # B, still showing the draft, types: refused, and it now shows the submitted record.
    b.locator("#r-S1").fill("Something else.")
    expect(b.locator("#sa-problem")).to_have_text(CHANGED)
    expect(b.locator("[data-submitted]")).to_have_text(WAITING)
    expect(b.locator("#r-S1")).to_have_value("Incidents are reviewed weekly.")
    expect(b.locator("#r-S1")).to_be_disabled()
    expect(b.get_by_role("button", name="Submit", exact=True)).to_be_hidden()
    after = a.evaluate(_DOC, doc_id)
    assert (after["state"], after["revision"], after["data"]["status"]) == (
        "waiting",
        2,
        "submitted",
    )
    assert after["updatedAt"] == submitted["updatedAt"]
    assert stored(live_server, doc_id) == []

    # Online again: the submission is sent, once, with A's words.
    context.set_offline(False)
    wait_until(a, _DOC_GONE, doc_id)
    expect(a.locator("[data-submitted]")).to_have_text(SENT)
    assert stored(live_server, doc_id) == [
        ("self_assessment", "submitted", [("S1", 3, "Incidents are reviewed weekly.", [])])
    ]
