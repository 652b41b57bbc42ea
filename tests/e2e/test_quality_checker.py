"""The demo's quality checker on a 320 px phone: their home page lists only their work (codes and
template names, no staff names), the navigation is Home and their co-audits, dashboards and
feedback are refused; they record the conversation given to them with no network and it is sent
once when the connection returns, its follow-up going to the manager."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from playwright.sync_api import expect

from careobs.actions.models import Action
from careobs.db import get_session
from careobs.voice.models import Conversation, ConversationAction
from careobs.voice.questions import QUESTIONS
from tests.e2e.waits import bootstrap_on_device, wait_until

CHECKER = "checker@demo.test"
WAITING = "Submitted. Saved on this device; it will be sent when there is a connection."
SENT = "Submitted and sent."
STAFF_NAMES = ("Jo Evans", "Priya Shah", "Ben Carter", "Peter Hughes", "Zara Hussain")
_USER = "document.querySelector('meta[name=\"careobs-user\"]').content"
_DOC_GONE = f"async (id) => (await self.careobsOutbox.getDocument({_USER}, id)) === undefined"


def stored(live_server, doc_id: str) -> list[tuple]:
    """(interviewer, outcome, status, follow-ups raised with their owners) of this document."""
    with live_server.app.app_context():
        db = get_session()
        found = []
        for c in db.scalars(sa.select(Conversation).where(Conversation.uuid == uuid.UUID(doc_id))):
            raised = db.execute(
                sa.select(Action.description, Action.owner_user_id, Action.owner_staff_id).where(
                    Action.id.in_(
                        sa.select(ConversationAction.action_id).where(
                            ConversationAction.conversation_id == c.id
                        )
                    )
                )
            ).all()
            found.append((c.interviewer.email, c.outcome, c.status, [tuple(r) for r in raised]))
        return found


def test_the_checker_sees_only_their_work_and_nothing_else(open_page):
    page = open_page(width=320, height=640, as_user=CHECKER)
    page.goto("/")
    expect(page.get_by_role("heading", name="Your co-audits")).to_be_visible()
    expect(page.get_by_role("heading", name="Your conversations")).to_be_visible()
    expect(page.get_by_role("link", name="Do the co-audit")).to_have_count(1)
    expect(page.get_by_role("link", name="Talk with")).to_have_count(1)
    expect(page.get_by_role("heading", name="What you have done")).to_be_visible()
    body = page.locator("main").inner_text()
    assert "Care plan audit · H03 · Riverside Homecare" in body
    assert not any(name in body for name in STAFF_NAMES)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_count(2)
    expect(nav.get_by_role("link", name="Home")).to_be_visible()
    expect(nav.get_by_role("link", name="Co-audits")).to_be_visible()
    for label in ("Trends", "Feedback", "Admin", "Visits", "QUIS"):
        expect(nav.get_by_role("link", name=label)).to_have_count(0)
    # Nothing overflows a 320 px screen.
    assert page.evaluate("() => document.documentElement.scrollWidth <= 320")
    for path in ("/dashboards/", "/dashboards/quis", "/feedback/", "/actions/"):
        response = page.goto(path)
        assert response is not None and response.status in (403, 404), (path, response.status)


def test_the_checker_records_their_conversation_offline_and_it_syncs_once(open_app, live_server):
    context = open_app(width=320, height=640, as_user=CHECKER)
    page = context.new_page()
    page.goto("/")
    link = page.get_by_role("link", name="Talk with")
    code = link.inner_text().rsplit(" ", 1)[1]
    href = link.get_attribute("href")
    # Online once: the service worker caches the form and the device keeps the bootstrap.
    page.goto("/voice/record")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    wait_until(page, "async () => Boolean(await caches.match('/voice/record'))")
    bootstrap_on_device(page)

    context.set_offline(True)
    page.goto(href)
    expect(page.locator("[data-voice-who]")).to_have_text(f"Person drawn: {code}.")
    page.locator("#voice-setup-form button[type=submit]").click()
    expect(page.locator("#voice-form")).to_be_visible()
    doc_id = page.url.split("#", 1)[1]
    for q in QUESTIONS:
        page.locator(f'label[for="q-{q.key}-agree"]').click()
    # A checker's follow-ups are for the manager: no staff to choose from.
    expect(page.locator("#v-act-who option")).to_have_count(1)
    expect(page.locator("#v-act-who")).to_have_value("")
    expect(page.locator("#v-act-who option")).to_have_text("For the manager")
    page.locator("#v-act-what").fill("Ask the office about evening call times")
    page.get_by_role("button", name="Add follow-up").click()
    expect(page.locator("[data-actions] li")).to_contain_text("For the manager")
    page.get_by_role("button", name="Submit conversation").click()
    expect(page.locator("[data-submitted]")).to_have_text(WAITING)
    assert stored(live_server, doc_id) == []

    context.set_offline(False)
    wait_until(page, _DOC_GONE, doc_id)
    expect(page.locator("[data-submitted]")).to_have_text(SENT)
    assert stored(live_server, doc_id) == [
        (CHECKER, "asked", "submitted", [("Ask the office about evening call times", None, None)])
    ]
    page.goto("/")
    expect(page.get_by_role("link", name="Talk with")).to_have_count(0)
    expect(page.get_by_text(f"Conversation with {code} · Riverside Homecare")).to_have_count(1)
