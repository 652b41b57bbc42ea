"""The monitoring visit form: typed arrival and leaving times with Timekeeping suggestions worked
out from them (design §2.2), the choice of checklist, and the feedback preview that is exactly
what the care worker receives (issue 5)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests.e2e.test_visit_form import (
    ITEMS,
    SENT,
    WORKER,
    add_action,
    answered_text,
    checklist_items,
    choose_visit,
    comment_on,
    device_doc,
    mixed_plan,
    open_setup,
    press_arrived,
    press_left,
    rate,
    start_visit,
    wait_for_doc,
)

ARRIVAL = "Arrived within the agreed tolerance of the planned time"
DURATION = "Stayed the planned duration"


def item_named(items: list[dict], text: str) -> dict:
    return next(item for item in items if item["text"] == text)


def checked(page: Page, item: dict):
    return page.locator(f'input[name="rating-{item["id"]}"]:checked')


def computed(page: Page, item: dict):
    return page.locator(f"#computed-{item['id']}")


def test_times_can_be_typed_and_timekeeping_is_suggested_from_them(open_page):
    page = open_page(as_user="supervisor")
    open_setup(page)
    choose_visit(page, "H02")
    planned_day = date.today()
    page.get_by_label("Planned start of the care visit").fill(f"{planned_day.isoformat()}T10:00")
    page.get_by_label("Planned length (minutes)").fill("90")
    doc_id = start_visit(page, "H02")
    items = checklist_items(page, doc_id)
    arrival, duration = item_named(items, ARRIVAL), item_named(items, DURATION)
    expect(computed(page, arrival)).to_be_hidden()

    # 26 minutes late, typed (she got there while care was under way): Not met, in words.
    page.get_by_label("Arrival time").fill("10:26")
    expect(checked(page, arrival)).to_have_value("not_met")
    expect(computed(page, arrival)).to_have_text(
        "From the times: Arrived 26 minutes late (tolerance 10 minutes). Suggested: Not met."
    )
    expect(page.locator("[data-answered]")).to_have_text(answered_text(1))
    expect(checked(page, duration)).to_have_count(0)

    # Left after 60 of the 90 planned minutes: 30 minutes short, Partly met.
    page.get_by_label("Leaving time").fill("11:26")
    expect(checked(page, duration)).to_have_value("partly")
    expect(computed(page, duration)).to_have_text(
        "From the times: Stayed 60 of the 90 planned minutes: 30 minutes short. "
        "Suggested: Partly met."
    )
    expect(page.locator("[data-times]")).to_have_text(
        "Arrived 26 minutes late (tolerance 10 minutes). "
        "Stayed 60 of the 90 planned minutes: 30 minutes short."
    )
    # The outcome counts them: 0 + 1 of 4 points = 25.0%, red.
    expect(page.locator("[data-answered]")).to_have_text(answered_text(2))
    expect(page.locator("[data-score]")).to_have_text("Score 25.0%")
    expect(page.locator("[data-band]")).to_have_text("Red")
    wait_for_doc(page, doc_id, "(doc) => Boolean(doc.data.left_at)")
    data = device_doc(page, doc_id)["data"]
    planned = page.evaluate("(iso) => new Date(iso).getTime()", data["planned_at"])
    arrived = page.evaluate("(iso) => new Date(iso).getTime()", data["arrived_at"])
    left = page.evaluate("(iso) => new Date(iso).getTime()", data["left_at"])
    assert (arrived - planned, left - arrived) == (26 * 60_000, 60 * 60_000)
    ratings = {a["item_id"]: (a["rating"], a.get("suggested")) for a in data["answers"]}
    assert ratings == {arrival["id"]: ("not_met", True), duration["id"]: ("partly", True)}

    # She knows the late start was agreed with the office: her answer sticks...
    rate(page, arrival, "met")
    expect(computed(page, arrival)).to_have_text(
        "From the times: Arrived 26 minutes late (tolerance 10 minutes). "
        "Suggested: Not met. You chose Met."
    )
    # ...when the times change, while the suggestion she left alone follows them.
    page.get_by_label("Leaving time").fill("11:56")
    expect(checked(page, duration)).to_have_value("met")
    expect(computed(page, duration)).to_have_text(
        "From the times: Stayed the full 90 planned minutes. Suggested: Met."
    )
    page.get_by_label("Arrival time").fill("10:30")
    expect(computed(page, arrival)).to_contain_text("Arrived 30 minutes late")
    expect(checked(page, arrival)).to_have_value("met")
    # Stayed 86 of 90 minutes now: Partly met again.
    expect(checked(page, duration)).to_have_value("partly")
    expect(page.locator("[data-score]")).to_have_text("Score 75.0%")
    wait_for_doc(
        page,
        doc_id,
        f"""(doc) => doc.data.answers.some((a) => a.item_id === "{duration["id"]}"
          && a.rating === "partly")""",
    )

    # A leaving time before the arrival is refused with a message; nothing changes.
    page.get_by_label("Leaving time").fill("10:10")
    expect(page.locator("[data-times-error]")).to_contain_text(
        "The leaving time cannot be before the arrival"
    )
    expect(page.get_by_label("Leaving time")).to_have_value("11:56")

    # All of it is on the device: a reload shows the same.
    page.reload()
    expect(page.get_by_label("Arrival time")).to_have_value("10:30")
    expect(page.get_by_label("Leaving time")).to_have_value("11:56")
    expect(checked(page, arrival)).to_have_value("met")
    expect(checked(page, duration)).to_have_value("partly")
    answers = {a["item_id"]: a for a in device_doc(page, doc_id)["data"]["answers"]}
    assert "suggested" not in answers[arrival["id"]]
    assert answers[duration["id"]]["suggested"] is True


@pytest.fixture
def second_checklist(live_server):
    """A second published checklist, "A short spot check", first in alphabetical order."""
    from careobs.checklists.models import (
        Checklist,
        ChecklistDomain,
        ChecklistItem,
        ChecklistVersion,
    )
    from careobs.db import get_session, utcnow
    from careobs.org.models import Organisation

    with live_server.app.app_context():
        db = get_session()
        org = db.scalar(sa.select(Organisation).order_by(Organisation.id))
        checklist = Checklist(organisation_id=org.id, name="A short spot check")
        version = ChecklistVersion(
            organisation_id=org.id, checklist=checklist, number=1, published_at=utcnow()
        )
        domain = ChecklistDomain(position=0, name="Essentials")
        domain.items = [
            ChecklistItem(position=0, text="Wore an ID badge", critical=False),
            ChecklistItem(position=1, text="Washed hands before care", critical=True),
        ]
        version.domains.append(domain)
        db.add_all([checklist, version])
        db.commit()
        ids = (checklist.id, version.id, domain.id, str(checklist.uuid))
    yield ids[3]
    with live_server.app.app_context():
        db = get_session()
        db.execute(sa.delete(ChecklistItem).where(ChecklistItem.domain_id == ids[2]))
        db.execute(sa.delete(ChecklistDomain).where(ChecklistDomain.id == ids[2]))
        db.execute(sa.delete(ChecklistVersion).where(ChecklistVersion.id == ids[1]))
        db.execute(sa.delete(Checklist).where(Checklist.id == ids[0]))
        db.commit()


def test_the_supervisor_chooses_the_checklist_when_there_are_several(open_page, second_checklist):
    page = open_page(as_user="supervisor")
    open_setup(page)
    chooser = page.get_by_label("Checklist", exact=True)
    expect(chooser).to_be_visible()
    expect(chooser.locator("option")).to_have_text(
        ["A short spot check (version 1)", "Homecare monitoring visit (version 1)"]
    )
    # The default checklist is chosen unless she picks another, even though it sorts second.
    expect(chooser.locator("option:checked")).to_have_text("Homecare monitoring visit (version 1)")
    choose_visit(page, "H02")
    first = start_visit(page, "H02")
    assert len(checklist_items(page, first)) == ITEMS

    open_setup(page)
    choose_visit(page, "H03")
    page.get_by_label("Checklist", exact=True).select_option(label="A short spot check (version 1)")
    second = start_visit(page, "H03")
    stored = device_doc(page, second)
    assert (stored["data"]["checklist_id"], stored["data"]["checklist_version"]) == (
        second_checklist,
        1,
    )
    expect(page.locator(".item-card legend")).to_contain_text(
        ["Wore an ID badge", "Washed hands before care"]
    )
    expect(page.locator(".item-card legend .badge")).to_have_text(["Critical"])
    expect(page.locator("[data-answered]")).to_have_text("0 of 2 items answered")
    # No Timekeeping items on this checklist: the times suggest nothing.
    press_arrived(page)
    expect(page.locator("[data-answered]")).to_have_text("0 of 2 items answered")
    expect(page.locator("[data-computed]:visible")).to_have_count(0)
    page.reload()
    expect(page.locator(".item-card")).to_have_count(2)
    assert device_doc(page, first)["data"]["checklist_version"] == 1
    assert device_doc(page, first)["data"]["checklist_id"] != second_checklist


def released_feedback(live_server, doc_id: str) -> dict:
    from careobs.db import get_session
    from careobs.feedback.models import Feedback
    from careobs.visits.models import MonitoringVisit

    with live_server.app.app_context():
        db = get_session()
        visit = db.scalar(
            sa.select(MonitoringVisit).where(MonitoringVisit.uuid == uuid.UUID(doc_id))
        )
        feedback = db.scalar(sa.select(Feedback).where(Feedback.visit_id == visit.id))
        return {
            "status": feedback.status,
            "worker": feedback.staff.name,
            "went_well": feedback.went_well,
            "to_develop": feedback.to_develop,
            "actions": feedback.actions,
        }


def preview(page: Page) -> dict:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll("[data-preview]")]
          .map((p) => [p.dataset.preview, p.textContent]))"""
    )


def test_the_released_feedback_is_exactly_the_preview(open_page, live_server):
    page = open_page(as_user="supervisor")
    open_setup(page)
    choose_visit(page, "H04")
    doc_id = start_visit(page, "H04")
    items = checklist_items(page, doc_id)
    plan = mixed_plan(items)
    expect(page.get_by_role("heading", name=f"Feedback {WORKER} will receive")).to_be_visible()
    release = page.get_by_label(f"Send this feedback to {WORKER} when the visit is submitted")
    expect(release).to_be_checked()
    expect(page.locator('[data-preview-none="went_well"]')).to_have_text("Nothing yet.")

    press_arrived(page)
    for item in items:
        rate(page, item, plan[item["id"]])
    expect(page.locator("[data-answered]")).to_have_text(answered_text(ITEMS))
    met = [item for item in items if plan[item["id"]] == "met"]
    not_met = next(item for item in items if plan[item["id"]] == "not_met")
    partly = [item for item in items if plan[item["id"]] == "partly"]
    comment_on(page, met[0], "Uniform spotless.")
    comment_on(page, met[5], "Explained each step.")
    comment_on(page, not_met, "Did not log out on the app.")
    comment_on(page, partly[1], "Stayed 25 minutes.")
    page.get_by_label("What went well").fill("Warm greeting.\nCalm throughout.")
    page.get_by_label("Areas for development").fill("Log visits at the door.")
    september = date(date.today().year + 1, 9, 5)
    add_action(page, "Refresher on call monitoring", WORKER, september)
    page.get_by_label("Action", exact=True).fill("Read the new care plan")
    page.get_by_role("button", name="Add action").click()
    expect(page.locator("[data-actions] li")).to_have_count(2)
    wait_for_doc(page, doc_id, "(doc) => doc.data.answers.filter((a) => a.comment).length === 4")

    # The preview: her words first, then the commented Met items; the Partly/Not met items in
    # checklist order; the actions with their due dates.
    shown = preview(page)
    assert shown["went_well"].splitlines() == [
        "Warm greeting.",
        "Calm throughout.",
        f"{met[0]['text']}: Uniform spotless.",
        f"{met[5]['text']}: Explained each step.",
    ]
    missed = [item for item in items if plan[item["id"]] in ("partly", "not_met")]
    comments = {not_met["id"]: "Did not log out on the app.", partly[1]["id"]: "Stayed 25 minutes."}
    assert shown["to_develop"].splitlines() == [
        "Log visits at the door.",
        *(
            f"- {item['text']}" + (f": {comments[item['id']]}" if item["id"] in comments else "")
            for item in missed
        ),
    ]
    assert shown["actions"].splitlines() == [
        f"- Refresher on call monitoring (by 5 Sep {september.year})",
        "- Read the new care plan",
    ]
    expect(page.locator('[data-preview-none="actions"]')).to_be_hidden()

    press_left(page)
    page.get_by_role("button", name="Submit visit").click()
    expect(page.locator("[data-submitted]")).to_have_text(SENT)

    stored = released_feedback(live_server, doc_id)
    assert stored == {"status": "released", "worker": WORKER, **shown}


def test_an_empty_preview_is_not_sent_but_the_visit_may_be_without_feedback(open_page):
    page = open_page(as_user="supervisor")
    open_setup(page)
    choose_visit(page, "H06")
    doc_id = start_visit(page, "H06")
    items = checklist_items(page, doc_id)
    press_arrived(page)
    for item in items:
        rate(page, item, "met")
    expect(page.locator("[data-answered]")).to_have_text(answered_text(ITEMS))
    message = (
        f"There is no feedback to send to {WORKER}: write what went well or areas for "
        "development, or untick “Send this feedback”."
    )
    page.get_by_role("button", name="Submit visit").click()
    expect(page.locator("[data-submit-errors] li")).to_have_text([message])
    expect(page.locator("[data-submitted]")).to_be_hidden()

    # Unticked (saved at once), it goes without feedback to release.
    page.get_by_label(f"Send this feedback to {WORKER} when the visit is submitted").uncheck()
    wait_for_doc(page, doc_id, "(doc) => doc.data.release_feedback === false")
    page.reload()
    expect(
        page.get_by_label(f"Send this feedback to {WORKER} when the visit is submitted")
    ).not_to_be_checked()
    page.get_by_role("button", name="Submit visit").click()
    expect(page.locator("[data-submitted]")).to_have_text(SENT)
