"""The conversation form (document kind ``conversation``) in the browser, on a phone: opened
from the draw's page for the person not yet asked, filled in with no network once the page is
cached, sent once when the connection returns; the draw's page then shows everyone drawn
followed up, and the follow-up became one action."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from playwright.sync_api import expect

from careobs.actions.models import Action
from careobs.db import get_session
from careobs.org.models import Service
from careobs.selection.models import SelectionDraw
from careobs.voice.models import Conversation, ConversationAction
from careobs.voice.questions import QUESTIONS
from tests.e2e.waits import bootstrap_on_device, wait_until

RIVERSIDE = "Riverside Homecare"
WAITING = "Submitted. Saved on this device; it will be sent when there is a connection."
SENT = "Submitted and sent."
_USER = "document.querySelector('meta[name=\"careobs-user\"]').content"
_DOC_GONE = f"async (id) => (await self.careobsOutbox.getDocument({_USER}, id)) === undefined"


def morning_draw(live_server) -> str:
    """The id of Riverside's latest draw of people (the demo's, with one person not asked)."""
    with live_server.app.app_context():
        db = get_session()
        return str(
            db.scalar(
                sa.select(SelectionDraw.uuid)
                .join(Service, Service.id == SelectionDraw.service_id)
                .where(Service.name == RIVERSIDE, SelectionDraw.kind == "people")
                # Not the quality checker's repeat draw (careobs/checkers/demo.py).
                .where(SelectionDraw.repeat_reason.is_(None))
                .order_by(SelectionDraw.sequence.desc())
                .limit(1)
            )
        )


def stored(live_server, doc_id: str) -> list[tuple]:
    """(outcome, status, answers, actions raised) of each conversation with this id."""
    with live_server.app.app_context():
        db = get_session()
        found = []
        for c in db.scalars(sa.select(Conversation).where(Conversation.uuid == uuid.UUID(doc_id))):
            raised = db.scalars(
                sa.select(Action.description).where(
                    Action.id.in_(
                        sa.select(ConversationAction.action_id).where(
                            ConversationAction.conversation_id == c.id
                        )
                    )
                )
            ).all()
            found.append((c.outcome, c.status, [a.answer for a in c.answers], raised))
        return found


def test_a_conversation_recorded_offline_from_the_draw_is_sent_once(open_app, live_server):
    context = open_app(width=320, height=640, as_user="supervisor")
    page = context.new_page()
    draw_id = morning_draw(live_server)

    # Online: the draw's page says who is not yet asked, and caches the form.
    page.goto(f"/selection/{draw_id}")
    expect(page.get_by_text("2 of 3 followed up")).to_be_visible()
    link = page.get_by_role("link", name="Record conversation with")
    expect(link).to_have_count(1)
    code = link.inner_text().rsplit(" ", 1)[1]
    href = link.get_attribute("href")
    page.goto("/voice/record")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    wait_until(page, "async () => Boolean(await caches.match('/voice/record'))")
    bootstrap_on_device(page)  # what the form needs offline is on the device

    context.set_offline(True)
    page.goto(href)
    expect(page.locator("[data-voice-who]")).to_have_text(f"Person drawn: {code}.")
    page.locator("#voice-setup-form button[type=submit]").click()
    expect(page.locator("#voice-form")).to_be_visible()
    doc_id = page.url.split("#", 1)[1]
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Conversation with {code}")

    # Submitting with a statement unanswered is refused on the device, in words.
    page.locator(f'label[for="q-{QUESTIONS[0].key}-agree"]').click()
    page.get_by_role("button", name="Submit conversation").click()
    expect(page.locator("[data-submit-errors]")).to_contain_text("Give an answer to every question")
    for q in QUESTIONS[1:]:
        page.locator(f'label[for="q-{q.key}-strongly_agree"]').click()
    page.locator(f"#c-{QUESTIONS[0].key}").fill("They are always polite.")
    page.locator("#v-act-what").fill("Send the new rota a week ahead")
    page.get_by_role("button", name="Add follow-up").click()
    expect(page.locator("[data-actions] li")).to_have_count(1)
    page.get_by_role("button", name="Submit conversation").click()
    expect(page.locator("[data-submitted]")).to_have_text(WAITING)
    assert stored(live_server, doc_id) == []

    context.set_offline(False)
    wait_until(page, _DOC_GONE, doc_id)
    expect(page.locator("[data-submitted]")).to_have_text(SENT)
    assert stored(live_server, doc_id) == [
        (
            "asked",
            "submitted",
            ["agree"] + ["strongly_agree"] * (len(QUESTIONS) - 1),
            ["Send the new rota a week ahead"],
        )
    ]

    page.goto(f"/selection/{draw_id}")
    expect(page.get_by_text("3 of 3 followed up")).to_be_visible()
    expect(page.get_by_role("link", name="Record conversation with")).to_have_count(0)
    page.get_by_role("link", name=f"The conversation with {code}").click()
    expect(page.get_by_text("They are always polite.")).to_be_visible()
    expect(page.get_by_role("link", name="Send the new rota a week ahead")).to_be_visible()
