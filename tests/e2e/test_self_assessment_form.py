"""The self-assessment form (document kind ``self_assessment``) in the browser, on a tablet during
a mock inspection with no signal: opened online once, started offline, its evidence suggestions
fetched when the connection is there and kept on the draft, statements scored with the rating
worked out live, a piece of suggested evidence chosen, the page reloaded (nothing lost),
submitted offline and sent once when the connection returns."""

from __future__ import annotations

import re
import uuid

import sqlalchemy as sa
from playwright.sync_api import expect

from careobs.db import get_session
from careobs.selfassess.documents import MAX_TEXT, NO_RATIONALE
from careobs.selfassess.models import SelfAssessment
from tests.e2e.waits import bootstrap_on_device, wait_until

ROSEWOOD = "Rosewood House"
RECORD = "/self-assessments/record"
WAITING = "Submitted. Saved on this device; it will be sent when there is a connection."
SENT = "Submitted and sent."
_USER = "document.querySelector('meta[name=\"careobs-user\"]').content"
_DOC_GONE = f"async (id) => (await self.careobsOutbox.getDocument({_USER}, id)) === undefined"
_DOC = f"async (id) => await self.careobsOutbox.getDocument({_USER}, id)"


def stored(live_server, doc_id: str) -> list[tuple]:
    """(type, status, [(code, score, rationale, evidence)]) of each assessment with this id."""
    with live_server.app.app_context():
        db = get_session()
        return [
            (
                a.type,
                a.status,
                [(s.code, s.score, s.rationale, s.evidence) for s in a.statements],
            )
            for a in db.scalars(
                sa.select(SelfAssessment).where(SelfAssessment.uuid == uuid.UUID(doc_id))
            )
        ]


def score(page, code: str, value: str) -> None:
    page.locator(f'label[for="s-{code}-{value}"]').click()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_a_self_assessment_scored_offline_is_kept_on_reload_and_sent_once(open_app, live_server):
    context = open_app(width=768, height=1024, as_user="manager")
    page = context.new_page()

    # Online once: the page cached and the bootstrap kept on the device.
    page.goto(RECORD)
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    wait_until(page, f"async () => Boolean(await caches.match('{RECORD}'))")
    bootstrap_on_device(page)

    context.set_offline(True)
    page.reload()
    page.get_by_label("Service assessed").select_option(label=ROSEWOOD)
    expect(page.get_by_role("radio", name="Self-assessment")).to_be_checked()
    page.get_by_role("button", name="Start").click()
    expect(page.locator("#sa-form")).to_be_visible()
    doc_id = page.url.split("#", 1)[1]
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Self-assessment: {ROSEWOOD}")
    expect(page.locator("[data-suggested]")).to_have_text(
        "You are offline: evidence suggestions load when you are online, and evidence can be "
        "added then."
    )
    expect(page.locator('[data-evidence="C1"] input')).to_have_count(0)
    expect(page.locator('[data-kq-line="safe"]')).to_have_text(
        "Safe: 0 of 8 statements assessed: not rated yet"
    )

    # A moment of signal: the suggestions come, and stay on the draft.
    context.set_offline(False)
    page.get_by_role("button", name="Refresh suggestions").click()
    expect(page.locator("[data-suggested]")).to_contain_text("Evidence suggested as of ")
    evidence = page.locator('[data-evidence="C1"] input[type=checkbox]')
    # The list is folded away; its summary says how many are suggested.
    summary = page.locator('[data-evidence-summary="C1"]')
    expect(summary).to_have_text(re.compile(r"^Evidence it rests on: 0 chosen of \d+ suggested$"))
    expect(evidence.first).to_be_hidden()
    summary.click()
    expect(evidence.first).to_be_visible()
    chosen = {
        "kind": evidence.first.get_attribute("data-kind"),
        "id": evidence.first.get_attribute("data-id"),
    }
    assert chosen["kind"] == "quis_trend"  # C1's first: the last 90 days' QUIS figures
    context.set_offline(True)

    # Scores, a rationale and the evidence: each tap saved at once; the lines follow live.
    score(page, "S1", "3")
    score(page, "S2", "2")
    score(page, "C1", "4")
    expect(page.locator('[data-kq-line="safe"]')).to_have_text(
        "Safe: 2 of 8 statements assessed, 5 of 8 = 63%: Good, lower threshold"
    )
    expect(page.locator('[data-kq-line="caring"]')).to_have_text(
        "Caring: 1 of 5 statements assessed, 4 of 4 = 100%: Outstanding, upper threshold"
    )
    evidence.first.check()
    expect(summary).to_have_text(re.compile(r"^Evidence it rests on: 1 chosen of \d+ suggested$"))
    page.locator("#r-C1").fill("Warm, unhurried care seen at every QUIS session.")
    page.locator("#r-S1").fill("Incidents are reviewed weekly; learning shared at handover.")
    wait_until(
        page,
        f"async (id) => ((await ({_DOC})(id))?.data.statements || [])"
        ".some((s) => s.code === 'S1' && s.rationale.startsWith('Incidents'))",
        doc_id,
    )

    # Reloaded, still offline: nothing lost, suggestions included.
    page.reload()
    expect(page.locator("#sa-form")).to_be_visible()
    expect(page.locator("#s-S1-3")).to_be_checked()
    expect(page.locator("#s-S2-2")).to_be_checked()
    expect(page.locator("#s-C1-4")).to_be_checked()
    expect(page.locator("#s-S3-none")).to_be_checked()
    expect(page.locator("#r-C1")).to_have_value("Warm, unhurried care seen at every QUIS session.")
    expect(page.locator('[data-evidence="C1"] input[type=checkbox]').first).to_be_checked()
    expect(page.locator("[data-suggested]")).to_contain_text("Evidence suggested as of ")
    expect(page.locator('[data-kq-short="safe"]')).to_have_text(
        "2 of 8 statements assessed, 5 of 8 = 63%: Good, lower threshold"
    )

    # S2 is scored with no rationale: refused on the device, in the server's words.
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator("[data-submit-errors]")).to_have_text(f"S2: {NO_RATIONALE}")
    page.locator("#r-S2").fill("Two handovers missed the falls risk in November.")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator("[data-submitted]")).to_have_text(WAITING)
    assert stored(live_server, doc_id) == []

    context.set_offline(False)
    wait_until(page, _DOC_GONE, doc_id)
    expect(page.locator("[data-submitted]")).to_have_text(SENT)
    assert stored(live_server, doc_id) == [
        (
            "self_assessment",
            "submitted",
            [
                ("S1", 3, "Incidents are reviewed weekly; learning shared at handover.", []),
                ("S2", 2, "Two handovers missed the falls risk in November.", []),
                ("C1", 4, "Warm, unhurried care seen at every QUIS session.", [chosen]),
            ],
        )
    ]

    # Opened again on this device: it has gone to the server, whose page the link opens.
    page.reload()
    link = page.get_by_role("link", name="Open the sent self-assessment")
    expect(link).to_have_attribute("href", f"/self-assessments/{doc_id}")


def test_the_form_fits_a_narrow_phone_and_offers_only_the_types_allowed(open_page, axe):
    page = open_page(width=320, height=640, as_user="manager")
    page.goto(RECORD)
    axe(page)
    expect(page.get_by_label("Service assessed")).to_contain_text(ROSEWOOD)
    # The demo manager manages both services: a self-assessment only, never a mock inspection.
    expect(page.get_by_role("radio", name="Mock inspection", include_hidden=True)).to_be_hidden()
    assert no_sideways_scroll(page)
    page.get_by_label("Service assessed").select_option(label=ROSEWOOD)
    page.get_by_role("button", name="Start").click()
    expect(page.locator("#sa-form")).to_be_visible()
    expect(page.locator("#sa-interview")).to_be_hidden()
    score(page, "W5", "1")
    expect(page.locator('[data-kq-line="well_led"]')).to_have_text(
        "Well-led: 1 of 8 statements assessed, 1 of 4 = 25%: Inadequate, lower threshold"
    )
    expect(page.locator("[data-suggested]")).to_contain_text("Evidence suggested as of ")
    axe(page)
    box = page.locator('label[for="s-W5-1"]').bounding_box()
    assert box["height"] >= 48
    assert no_sideways_scroll(page)
    # Submitting with nothing scored is refused in the server's words (W5 back to not assessed).
    score(page, "W5", "none")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator("[data-submit-errors]")).to_have_text(
        "Score at least one quality statement before submitting."
    )


def test_a_mock_inspection_with_interview_notes_moving_around_by_the_jump_list(
    open_page, live_server
):
    page = open_page(width=1024, height=768, as_user="admin")
    page.goto(RECORD)
    page.get_by_label("Service assessed").select_option(label=ROSEWOOD)
    page.get_by_role("radio", name="Mock inspection").check()
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Mock inspection: {ROSEWOOD}")
    doc_id = page.url.split("#", 1)[1]
    notes = page.get_by_label("What staff and people said at interview")
    expect(notes).to_be_visible()
    notes.fill("Spoke to Mrs Jones about the menu.")
    expect(page.locator("#sa-notes-warning")).to_contain_text("a name with a title")

    # The jump list moves to a key question and leaves the record open (the hash names it).
    page.get_by_role("navigation", name="Key questions").get_by_role(
        "link", name="Well-led"
    ).click()
    expect(page.get_by_role("heading", name="Well-led", level=2)).to_be_focused()
    assert page.url.endswith(f"#{doc_id}")
    score(page, "W1", "2")
    page.get_by_role("button", name="Submit", exact=True).click()
    page.get_by_role("link", name=f"W1: {NO_RATIONALE}").click()
    expect(page.locator("#r-W1")).to_be_focused()
    assert page.url.endswith(f"#{doc_id}")
    page.locator("#r-W1").fill("Staff could not say what the provider's vision is.")
    notes.fill("Spoke to R03 about the menu; two staff interviewed.")
    expect(page.locator("#sa-notes-warning")).to_have_text("")
    page.get_by_role("button", name="Submit", exact=True).click()
    wait_until(page, _DOC_GONE, doc_id)
    expect(page.locator("[data-submitted]")).to_have_text(SENT)
    assert stored(live_server, doc_id) == [
        (
            "mock_inspection",
            "submitted",
            [("W1", 2, "Staff could not say what the provider's vision is.", [])],
        )
    ]
    with live_server.app.app_context():
        notes_stored = get_session().scalar(
            sa.select(SelfAssessment.interview_notes).where(
                SelfAssessment.uuid == uuid.UUID(doc_id)
            )
        )
    assert notes_stored == "Spoke to R03 about the menu; two staff interviewed."


# Counts the writes to each key question's live line (a rewrite, even to the same words, is a
# change a screen reader may announce).
COUNT_LINE_WRITES = """() => {
  window.lineWrites = {};
  for (const line of document.querySelectorAll("[data-kq-line]")) {
    window.lineWrites[line.dataset.kqLine] = 0;
    new MutationObserver((changes) => { window.lineWrites[line.dataset.kqLine] += changes.length; })
      .observe(line, { childList: true, characterData: true, subtree: true });
  }
}"""


def test_the_form_holds_to_the_servers_limits_and_announces_only_the_line_that_changed(open_page):
    page = open_page(width=1024, height=768, as_user="admin")
    page.goto(RECORD)
    page.get_by_label("Service assessed").select_option(label=ROSEWOOD)
    page.get_by_role("radio", name="Mock inspection").check()
    page.get_by_role("button", name="Start").click()
    expect(page.locator("#sa-form")).to_be_visible()

    # Every rationale and the interview notes stop at the server's limit (MAX_TEXT).
    limits = page.eval_on_selector_all(
        "#sa-form textarea", "(areas) => areas.map((a) => [a.id, a.maxLength])"
    )
    assert len(limits) == 35  # 34 quality statements and the interview notes
    assert {limit for _, limit in limits} == {MAX_TEXT}
    assert ["sa-notes", MAX_TEXT] in limits

    # One tap rewrites one key question's line, not all five.
    page.evaluate(COUNT_LINE_WRITES)
    score(page, "S1", "3")
    expect(page.locator('[data-kq-line="safe"]')).to_have_text(
        "Safe: 1 of 8 statements assessed, 3 of 4 = 75%: Good, lower threshold"
    )
    writes = page.evaluate("() => window.lineWrites")
    assert writes["safe"] >= 1
    assert {key: n for key, n in writes.items() if key != "safe"} == {
        "effective": 0,
        "caring": 0,
        "responsive": 0,
        "well_led": 0,
    }

    # A rationale only of what Python's strip() removes (JavaScript's trim() keeps U+001C to
    # U+001F and U+0085) is no rationale, on the device as on the server.
    page.locator("#r-S1").fill("\x1c\x1d\x1e\x1f\x85 ")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator("[data-submit-errors]")).to_have_text(f"S1: {NO_RATIONALE}")
