"""Feedback to staff written on the QUIS recorder: drafted on the device from the interactions,
edited by the observer, and released with exactly the words the observer saw (issue 5)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from careobs.feedback.models import Feedback
from careobs.feedback.service import draft_from_quis
from careobs.org.models import Organisation, StaffMember
from careobs.quis.models import QuisSession
from tests.e2e.test_quis_offline import (
    WAITING_TEXT,
    controlled_recorder,
    device_doc,
    open_recorder,
    poll,
    start_session,
    submit,
    submitted_note,
    tally,
    tap,
    wait_attempts,
    wait_stored,
)
from tests.e2e.waits import TIMEOUT_MS
from tests.support.browser import PHONE

_USER = "document.querySelector('meta[name=\"careobs-user\"]').content"
# Put feedback entries into the device's copy of a document, as an earlier app version saved them.
SEED_FEEDBACK = f"""async ([id, feedback]) => {{
    const doc = await self.careobsOutbox.getDocument({_USER}, id);
    doc.data.feedback = feedback;
    await self.careobsOutbox.saveDocument({_USER}, doc);
}}"""


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
    by_staff_member(page, 1)


def by_staff_member(page: Page, index: int) -> None:
    """Open the last interaction's details (if closed) and name the roster's ``index``-th member
    of staff (1 is the first; 0 is "Agency / not known")."""
    if page.locator("[data-details]").get_attribute("open") is None:
        page.locator("[data-details] summary").click()
    page.locator("#detail-staff").select_option(index=index)


def legends(page: Page) -> list[str]:
    return page.locator("[data-staff-feedback-list] legend").all_inner_texts()


def end_session(page: Page) -> None:
    page.get_by_role("button", name="End session").click()
    expect(page.locator("#summary")).to_be_visible()


def back_to_recording(page: Page) -> None:
    page.get_by_role("button", name="Back to recording").click()
    expect(page.locator("#recording")).to_be_visible()


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
        re.compile(r"^1 positive social interaction seen, where.*\n- \d\d:\d\d: Shared a joke")
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
    expect(went_well).to_have_value(re.compile(r"\n1 kind, respectful care interaction\.$"))

    went_well.fill(went_well.input_value() + "\nThank you for the time you gave R01.")
    page.get_by_label(f"Send to {name} when the session is submitted").check()
    shown = (went_well.input_value(), to_develop.input_value())
    page.get_by_role("button", name="Submit session").click()
    expect(submitted_note(page)).to_have_text(WAITING_TEXT)
    # The offline send attempt must have failed and settled before the network returns, or the
    # `online` event finds the document still "sending" and the retry waits out its backoff.
    wait_attempts(page, doc_id, 1)

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


def test_words_typed_in_a_draft_saved_by_an_earlier_version_are_kept(open_app, live_server):
    """Entries saved before drafts were marked ``auto`` have no marker: one with text is the
    observer's and is never redrafted; an empty one is still filled from the interactions."""
    context = open_app(as_user="supervisor")
    page = controlled_recorder(context)
    doc_id = start_session(page, ("R01",))
    tap(page, "PS", 1)
    by_staff_member(page, 1)
    tap(page, "PC", 2)
    by_staff_member(page, 2)
    first, second = (i["staff_id"] for i in device_doc(page, doc_id)["data"]["interactions"])
    assert first and second and first != second
    mine = "Lovely with R01 at lunch."
    old_style = [
        {"staff_id": first, "went_well": mine, "to_develop": "", "release": False},
        {"staff_id": second, "went_well": "", "to_develop": "", "release": False},
    ]
    page.evaluate(SEED_FEEDBACK, [doc_id, old_style])

    page.reload()  # reopening the draft reads it back from the device
    expect(page.locator("#recording")).to_be_visible()
    end_session(page)

    a, b = legends(page)
    expect(page.get_by_label(f"What went well for {a}")).to_have_value(mine)
    expect(page.get_by_label(f"Areas for development for {a}")).to_have_value("")
    expect(page.get_by_label(f"What went well for {b}")).to_have_value(
        "1 kind, respectful care interaction."
    )
    saved = {f["staff_id"]: f for f in device_doc(page, doc_id)["data"]["feedback"]}
    assert (saved[first]["went_well"], saved[first]["to_develop"]) == (mine, "")
    assert saved[first].get("auto") is not True
    assert saved[second]["auto"] is True

    # Recording more still leaves the observer's words alone.
    back_to_recording(page)
    tap(page, "PS", 3)
    by_staff_member(page, 1)
    end_session(page)
    expect(page.get_by_label(f"What went well for {a}")).to_have_value(mine)
    assert device_doc(page, doc_id)["data"]["feedback"][0]["went_well"] == mine


def test_feedback_follows_the_interactions_it_was_drafted_from(open_app, live_server):
    """A draft for someone no longer named in any interaction is dropped (not sent, no error about
    someone not shown); one the observer wrote in stays on screen until they clear it."""
    context = open_app(as_user="supervisor")
    page = controlled_recorder(context)
    doc_id = start_session(page, ("R01",))
    tap(page, "PS", 1)
    by_staff_member(page, 1)
    end_session(page)
    (first,) = legends(page)

    # The interaction was someone else's: the first's untouched draft goes, the second's comes.
    back_to_recording(page)
    by_staff_member(page, 2)
    end_session(page)
    (second,) = legends(page)
    assert second != first
    (interaction,) = device_doc(page, doc_id)["data"]["interactions"]
    entries = device_doc(page, doc_id)["data"]["feedback"]
    assert [e["staff_id"] for e in entries] == [interaction["staff_id"]]

    # Written to and ticked, then the interaction is undone: the words stay on screen.
    went_well = page.get_by_label(f"What went well for {second}")
    went_well.fill("Kind words for R01.")
    page.get_by_label(f"Send to {second} when the session is submitted").check()
    back_to_recording(page)
    page.locator("[data-undo]").click()
    expect(tally(page)).to_contain_text("0 interactions ·")
    end_session(page)
    assert legends(page) == [second]
    expect(went_well).to_have_value("Kind words for R01.")
    expect(page.get_by_label(f"Send to {second} when the session is submitted")).to_be_checked()
    expect(page.locator("[data-staff-feedback-list]")).to_contain_text(
        f"No interaction by {second} is recorded now."
    )

    # Cleared, it no longer applies: submitting sends no feedback and raises no error.
    went_well.fill("")
    submit(page)
    expect(page.locator("[data-feedback-error]")).to_be_hidden()
    wait_stored(page, live_server, doc_id)
    assert released_feedback(live_server, doc_id) == []


def test_the_device_draft_is_the_servers_in_the_organisations_time_zone(
    browser, live_server, signed_in
):
    """The phone is in New York, the organisation in London: the device drafts exactly what
    draft_from_quis drafts for the stored session, with London times."""
    context = browser.new_context(
        viewport=PHONE,
        base_url=live_server.base_url,
        locale="en-GB",
        timezone_id="America/New_York",
        service_workers="allow",
        storage_state=signed_in("supervisor"),
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == (
            "America/New_York"
        )
        open_recorder(page)
        doc_id = start_session(page, ("R01",))
        tap(page, "PS", 1)
        by_staff_member(page, 1)
        page.get_by_label("Note on this interaction").fill("Shared a joke about the garden")
        tap(page, "PC", 2)
        by_staff_member(page, 1)
        tap(page, "NP", 3)
        by_staff_member(page, 1)
        page.get_by_label("Why was it negative? (optional)").select_option("talked_over")
        tap(page, "NR", 4)
        by_staff_member(page, 1)
        page.get_by_label("Why was it negative? (optional)").select_option("task_focused")
        page.get_by_label("Note on this interaction").fill("Walked off mid-sentence")
        end_session(page)
        (name,) = legends(page)
        shown = (
            page.get_by_label(f"What went well for {name}").input_value(),
            page.get_by_label(f"Areas for development for {name}").input_value(),
        )
        interactions = device_doc(page, doc_id)["data"]["interactions"]
        submit(page)  # "send" left unticked: the feedback is kept as a draft
        wait_stored(page, live_server, doc_id)
    finally:
        context.close()

    with Session(live_server.app.extensions["careobs.engine"]) as db:
        session = db.scalar(sa.select(QuisSession).where(QuisSession.uuid == uuid.UUID(doc_id)))
        zone = ZoneInfo(db.get(Organisation, session.organisation_id).timezone)
        assert zone.key != "America/New_York"
        staff = db.scalar(
            sa.select(StaffMember).where(StaffMember.uuid == uuid.UUID(interactions[0]["staff_id"]))
        )
        (kept,) = db.scalars(sa.select(Feedback).where(Feedback.quis_session_id == session.id))
        assert (kept.status, kept.staff_id) == ("draft", staff.id)
        assert (kept.went_well, kept.to_develop) == shown
        # What the server drafts for the same stored session, computed afresh and thrown away.
        db.delete(kept)
        db.flush()
        server = draft_from_quis(db, session, staff, session.observer)
        drafted = (server.went_well, server.to_develop)
        db.rollback()

    assert shown == drafted
    local = [f"{datetime.fromisoformat(i['at']).astimezone(zone):%H:%M}" for i in interactions]
    assert f"- {local[0]}: Shared a joke about the garden" in shown[0]
    assert f"- {local[3]} Negative restrictive: " in shown[1]
    assert "(Walked off mid-sentence)" in shown[1]
