"""Feedback to staff written on the QUIS recorder: drafted on the device from the interactions,
edited by the observer, and released with exactly the words the observer saw (issue 5)."""

from __future__ import annotations

import re
import uuid

import sqlalchemy as sa
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from careobs.feedback.models import Feedback
from careobs.quis.models import QuisSession
from tests.e2e.test_quis_offline import (
    WAITING_TEXT,
    controlled_recorder,
    poll,
    start_session,
    submitted_note,
    tap,
)


def released_feedback(live_server, doc_id: str) -> list[Feedback]:
    with Session(live_server.app.extensions["careobs.engine"]) as db:
        return list(
            db.scalars(
                sa.select(Feedback)
                .join(QuisSession, Feedback.quis_session_id == QuisSession.id)
                .where(QuisSession.uuid == uuid.UUID(doc_id))
            )
        )


def by_first_staff_member(page: Page) -> None:
    """Open the last interaction's details (if closed) and name the roster's first staff member."""
    if page.locator("[data-details]").get_attribute("open") is None:
        page.locator("[data-details] summary").click()
    page.locator("#detail-staff").select_option(index=1)


def record_with_staff(page: Page) -> tuple[str, str]:
    """Two interactions by one member of staff: a noted positive social one and a negative
    protective one with its reason. Returns the document id and the staff member's name."""
    doc_id = start_session(page, ("R01",))
    tap(page, "PS", 1)
    by_first_staff_member(page)
    page.get_by_label("Note on this interaction").fill("Shared a joke about the garden")
    tap(page, "NP", 2)
    by_first_staff_member(page)
    page.get_by_label("Why was it negative? (optional)").select_option("talked_over")
    page.get_by_role("button", name="End session").click()
    expect(page.locator("#summary")).to_be_visible()
    legend = page.locator("[data-staff-feedback-list] legend")
    expect(legend).to_have_count(1)
    return doc_id, legend.inner_text()


def test_the_draft_is_on_the_device_and_is_released_exactly_as_edited(open_app, live_server):
    context = open_app(as_user="supervisor")
    page = controlled_recorder(context)
    context.set_offline(True)
    doc_id, name = record_with_staff(page)

    went_well = page.get_by_label(f"What went well for {name}")
    to_develop = page.get_by_label(f"Areas for development for {name}")
    expect(went_well).to_have_value(
        re.compile(r"^1 positive social interaction\(s\) seen.*\n- \d\d:\d\d: Shared a joke")
    )
    expect(to_develop).to_have_value(
        re.compile(r"- \d\d:\d\d Negative protective: Staff talking over or past the person")
    )
    expect(to_develop).to_have_value(re.compile(r"Things that help: Approach from the front"))

    # Going back to record more keeps an untouched draft in step with the interactions.
    page.get_by_role("button", name="Back to recording").click()
    tap(page, "PC", 3)
    by_first_staff_member(page)
    page.get_by_role("button", name="End session").click()
    expect(went_well).to_have_value(re.compile(r"1 kind, respectful care interaction\(s\)\.$"))

    went_well.fill(went_well.input_value() + "\nThank you for the time you gave R01.")
    page.get_by_label(f"Send to {name} when the session is submitted").check()
    shown = (went_well.input_value(), to_develop.input_value())
    page.get_by_role("button", name="Submit session").click()
    expect(submitted_note(page)).to_have_text(WAITING_TEXT)

    context.set_offline(False)
    (feedback,) = poll(page, lambda: released_feedback(live_server, doc_id), "the feedback")
    assert feedback.status == "released"
    assert (feedback.went_well, feedback.to_develop) == shown


def test_sending_empty_feedback_is_refused_on_the_device(open_app, live_server):
    context = open_app(as_user="supervisor")
    page = controlled_recorder(context)
    doc_id, name = record_with_staff(page)

    page.get_by_label(f"What went well for {name}").fill("")
    page.get_by_label(f"Areas for development for {name}").fill("")
    page.get_by_label(f"Send to {name} when the session is submitted").check()
    page.get_by_role("button", name="Submit session").click()

    error = page.locator("[data-feedback-error]")
    expect(error).to_have_text(f'The feedback to {name} is empty: write it or untick "send".')
    expect(error).to_be_focused()
    expect(submitted_note(page)).to_be_hidden()
    doc = page.evaluate(
        "async (id) => self.careobsOutbox.getDocument("
        "document.querySelector('meta[name=\"careobs-user\"]').content, id)",
        doc_id,
    )
    assert doc["data"]["status"] == "draft"
    # Edited boxes stay the observer's own: emptied, they are not drafted again.
    page.get_by_role("button", name="Back to recording").click()
    page.get_by_role("button", name="End session").click()
    expect(page.get_by_label(f"What went well for {name}")).to_have_value("")
