"""The monitoring visit form (document kind ``spot_check``) in the browser.

A supervisor records a whole visit with no network: every tap is kept on the device (a reload in
the middle loses nothing), the outcome is worked out live, and the submitted visit reaches the
server exactly once when the connection returns. Submitting an unfinished visit is refused with
clear errors; care workers cannot use the form; managers read the stored visit; and the form and
the visit record pass axe-core and fit a 320 px screen.

Outcomes are checked in three places: the page, the device outbox in IndexedDB (through
``self.careobsOutbox``) and the server database (``MonitoringVisit`` with its answer and action
rows).
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests.clock import ORGANISATION_ZONE
from tests.e2e.test_layout import layout_problems
from tests.e2e.waits import bootstrap_on_device, wait_until

RIVERSIDE = "Riverside Homecare"
WORKER = "Zara Hussain"
ITEMS = 29  # the default checklist
MIN_TARGET = 44
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept?", "Oct", "Nov", "Dec"]
RATING_LABELS = {"met": "Met", "partly": "Partly met", "not_met": "Not met", "na": "N/A"}
WAITING = "Submitted. Saved on this device; it will be sent when there is a connection."
SENT = "Submitted and sent."

# --- the device outbox -------------------------------------------------------------------------

_USER = "document.querySelector('meta[name=\"careobs-user\"]').content"

_GET_DOC = f"""async (id) => {{
  const doc = await self.careobsOutbox.getDocument({_USER}, id);
  return doc === undefined ? null : doc;
}}"""

_DOC_GONE = f"""async (id) =>
  (await self.careobsOutbox.getDocument({_USER}, id)) === undefined"""


def device_doc(page: Page, doc_id: str) -> dict | None:
    """The visit as the device outbox holds it (None once it has left the outbox)."""
    return page.evaluate(_GET_DOC, doc_id)


def wait_for_doc(page: Page, doc_id: str, condition: str) -> None:
    """Wait until the outbox copy satisfies ``condition``, a JavaScript ``(doc) => bool``.

    Text fields are saved on every keystroke without the page waiting for IndexedDB, so a test
    waits for the saved copy before it reloads.
    """
    wait_until(
        page,
        f"""async (id) => {{
          const doc = await self.careobsOutbox.getDocument({_USER}, id);
          return Boolean(doc) && ({condition})(doc);
        }}""",
        doc_id,
    )


# --- the server --------------------------------------------------------------------------------


def server_visits(live_server, doc_id: str) -> list[dict]:
    """Every stored visit with this document id, with its answers (by item id) and actions."""
    from careobs.checklists.models import ChecklistItem
    from careobs.db import get_session
    from careobs.visits.models import MonitoringVisit, VisitAction, VisitAnswer

    with live_server.app.app_context():
        db = get_session()
        visits = db.scalars(
            sa.select(MonitoringVisit).where(MonitoringVisit.uuid == uuid.UUID(doc_id))
        ).all()
        found = []
        for visit in visits:
            answers = db.execute(
                sa.select(ChecklistItem.uuid, VisitAnswer.rating, VisitAnswer.comment)
                .join(ChecklistItem, ChecklistItem.id == VisitAnswer.item_id)
                .where(VisitAnswer.visit_id == visit.id)
            ).all()
            actions = db.scalars(
                sa.select(VisitAction)
                .where(VisitAction.visit_id == visit.id)
                .order_by(VisitAction.position)
            ).all()
            found.append(
                {
                    "status": visit.status,
                    "score": visit.score,
                    "band": visit.band,
                    "outcome": visit.outcome,
                    "critical_failures": visit.critical_failures,
                    "person_code": visit.person_code,
                    "consent": visit.consent,
                    "staff": visit.staff.name,
                    "arrived_at": visit.arrived_at,
                    "left_at": visit.left_at,
                    "next_check_on": visit.next_check_on,
                    "satisfaction": visit.satisfaction,
                    "person_comment": visit.person_comment,
                    "went_well": visit.went_well,
                    "to_develop": visit.to_develop,
                    "answers": {str(item): (rating, comment) for item, rating, comment in answers},
                    "answer_rows": len(answers),
                    "actions": [
                        (a.description, a.owner_name, a.due_on, str(a.uuid)) for a in actions
                    ],
                }
            )
        return found


# --- driving the form --------------------------------------------------------------------------

CONFIRM = "The person (or their representative) agreed to this visit today"


def open_setup(page: Page) -> None:
    response = page.goto("/visits/record")
    assert response is not None and response.status == 200
    expect(page.locator("#visit-setup")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("New monitoring visit")


def choose_visit(page: Page, person: str) -> None:
    """Fill in the set-up screen (Riverside, Zara Hussain, ``person``) without starting."""
    page.get_by_label("Service").select_option(label=RIVERSIDE)
    page.get_by_label("Care worker", exact=True).select_option(label=f"{WORKER} (Care worker)")
    page.get_by_label("Person visited (code)").select_option(person)


def start_visit(page: Page, person: str) -> str:
    """Press Start visit on a completed set-up screen; returns the new document id."""
    page.get_by_role("button", name="Start visit").click()
    expect(page.locator("#visit-form")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Visit: {WORKER} with {person}")
    doc_id = page.url.split("#", 1)[1]
    uuid.UUID(doc_id)
    return doc_id


def checklist_items(page: Page, doc_id: str) -> list[dict]:
    """The visit's checklist items in order: ``{"id", "text", "critical", ...}``."""
    doc = device_doc(page, doc_id)
    return [item for domain in doc["checklist"]["domains"] for item in domain["items"]]


def answered_text(count: int) -> str:
    return f"{count} of {ITEMS} items answered"


def rate(page: Page, item: dict, rating: str) -> None:
    """Press one of the big rating buttons of an item and see it selected."""
    page.locator(f'label[for="rating-{item["id"]}-{rating}"]').click()
    expect(page.locator(f"#rating-{item['id']}-{rating}")).to_be_checked()


def answer_items(page: Page, items: list[dict], plan: dict) -> None:
    """Answer ``items`` as ``plan`` says.

    The count of answered items is redrawn only after the answer is saved on the device, so
    waiting for it means the answer is in IndexedDB. Items already answered (by the supervisor,
    or suggested from the recorded times) count from the start.
    """
    doc_id = page.url.split("#", 1)[1]
    answered = {a["item_id"] for a in device_doc(page, doc_id)["data"]["answers"] if a["rating"]}
    for item in items:
        rate(page, item, plan[item["id"]])
        answered.add(item["id"])
        expect(page.locator("[data-answered]")).to_have_text(answered_text(len(answered)))


def assert_selected(page: Page, items: list[dict], plan: dict) -> None:
    """Exactly the planned rating of each item is selected."""
    for item in items:
        checked = page.locator(f'input[name="rating-{item["id"]}"]:checked')
        expect(checked).to_have_count(1)
        expect(checked).to_have_value(plan[item["id"]])


def mixed_plan(items: list[dict]) -> dict:
    """21 Met, 5 Partly met, 1 Not met (not critical) and 2 N/A; every critical item Met."""
    ordinary = [item["id"] for item in items if not item["critical"]]
    assert len(items) == ITEMS and len(ordinary) == 23  # 6 critical items
    plan = {item["id"]: "met" for item in items}
    plan[ordinary[1]] = "not_met"
    for index in (0, 4, 9, 13, 17):
        plan[ordinary[index]] = "partly"
    for index in (6, 21):
        plan[ordinary[index]] = "na"
    counts = {rating: list(plan.values()).count(rating) for rating in RATING_LABELS}
    assert counts == {"met": 21, "partly": 5, "not_met": 1, "na": 2}
    return plan


def medium_date(day: date) -> re.Pattern:
    """``day`` as en-GB ``dateStyle: "medium"`` writes it: "5 Mar 2027" ("Sep" or "Sept")."""
    return re.compile(rf"^{day.day} {MONTHS[day.month - 1]} {day.year}$")


def browser_local_day(page: Page, iso: str) -> date:
    """The calendar day of an instant in the browser's time zone."""
    year, month, day = page.evaluate(
        """(iso) => {
          const t = new Date(iso);
          return [t.getFullYear(), t.getMonth() + 1, t.getDate()];
        }""",
        iso,
    )
    return date(year, month, day)


def expect_outcome(
    page: Page, *, score: str, points: str, bar: str, band: str, wording: str, next_check: date
) -> None:
    """The live outcome bar and panel: score, band in words, outcome wording and next check."""
    expect(page.locator("[data-score]")).to_have_text(f"Score {score}")
    expect(page.locator("[data-band]")).to_have_text(bar)
    panel = page.locator("[data-outcome]")
    expect(panel.locator("dt")).to_have_text(["Score", "Band", "Outcome", "Suggested next check"])
    expect(panel.locator("dd")).to_have_text(
        [f"{score} ({points})", band, wording, medium_date(next_check)]
    )


def comment_on(page: Page, item: dict, text: str) -> None:
    card = page.locator(".item-card").filter(has=page.locator(f"#rating-{item['id']}-met"))
    card.get_by_text("Add a comment").click()
    card.get_by_label("Comment (optional)").fill(text)


def add_action(page: Page, description: str, owner: str, due: date) -> None:
    """Add an agreed action; it is listed once it has been saved on the device."""
    page.get_by_label("Action", exact=True).fill(description)
    page.get_by_label("Who").select_option(label=owner)
    page.get_by_label("Due by").fill(due.isoformat())
    page.get_by_role("button", name="Add action").click()
    expect(page.locator("[data-actions] li").filter(has_text=description)).to_be_visible()


def press_arrived(page: Page) -> None:
    """One tap on Arrived now: the arrival time is filled in (to the minute) and saved."""
    page.get_by_role("button", name="Arrived now").click()
    expect(page.get_by_label("Arrival time")).to_have_value(re.compile(r"^\d\d:\d\d$"))
    doc_id = page.url.split("#", 1)[1]
    wait_for_doc(page, doc_id, "(doc) => Boolean(doc.data.arrived_at)")


def press_left(page: Page) -> None:
    """One tap on Left now: the leaving time is filled in and saved."""
    page.get_by_role("button", name="Left now").click()
    expect(page.get_by_label("Leaving time")).to_have_value(re.compile(r"^\d\d:\d\d$"))
    doc_id = page.url.split("#", 1)[1]
    wait_for_doc(page, doc_id, "(doc) => Boolean(doc.data.left_at)")


def record_complete_visit(page: Page, person: str = "H01") -> tuple[str, list[dict], dict]:
    """Record and submit a whole visit online (the mixed plan, one action); waits until sent."""
    open_setup(page)
    choose_visit(page, person)
    doc_id = start_visit(page, person)
    items = checklist_items(page, doc_id)
    plan = mixed_plan(items)
    press_arrived(page)
    answer_items(page, items, plan)
    not_met = next(item for item in items if plan[item["id"]] == "not_met")
    comment_on(page, not_met, "Logged out late.")
    add_action(page, "Log in and out at the door", WORKER, date.today() + timedelta(days=14))
    wait_for_doc(
        page, doc_id, '(doc) => doc.data.answers.some((a) => a.comment === "Logged out late.")'
    )
    press_left(page)
    page.get_by_role("button", name="Submit visit").click()
    expect(page.locator("[data-submitted]")).to_have_text(SENT)
    return doc_id, items, plan


# --- the tests ---------------------------------------------------------------------------------


def test_complete_visit_offline_syncs_once(open_app, live_server):
    context = open_app(as_user="supervisor")
    page = context.new_page()

    # Online once: the list and the form, then a page the service worker controls.
    response = page.goto("/visits/")
    assert response is not None and response.status == 200
    open_setup(page)
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    assert page.evaluate("() => Boolean(navigator.serviceWorker.controller)")
    expect(page.locator("#visit-setup")).to_be_visible()
    bootstrap_on_device(page)

    # Offline from here: the page comes from the service worker, the roster from the device.
    context.set_offline(True)
    page.reload()
    expect(page.locator("#visit-setup")).to_be_visible()
    assert page.evaluate("() => navigator.onLine") is False

    choose_visit(page, "H05")  # no consent on record
    expect(page.locator("#v-consent-status")).to_have_text(
        "No consent is on record: ask the person (or their representative) first."
    )
    confirm = page.get_by_label(CONFIRM)
    expect(confirm).to_be_visible()
    expect(confirm).not_to_be_checked()
    page.get_by_role("button", name="Start visit").click()
    expect(page.locator("#visit-setup-errors li")).to_have_text(
        ["Confirm that consent was obtained today, or do not go ahead."]
    )
    expect(page.locator("#visit-setup")).to_be_visible()
    assert "#" not in page.url
    confirm.check()
    doc_id = start_visit(page, "H05")
    stored = device_doc(page, doc_id)
    assert (stored["kind"], stored["state"]) == ("spot_check", "draft")
    assert stored["data"]["person_code"] == "H05"
    assert stored["data"]["consent"] == "obtained_today"

    items = checklist_items(page, doc_id)
    plan = mixed_plan(items)
    expect(page.locator("[data-answered]")).to_have_text(answered_text(0))
    expect(page.locator("[data-band]")).to_have_text("not scored yet")

    press_arrived(page)
    arrived_at = device_doc(page, doc_id)["data"]["arrived_at"]
    assert arrived_at
    # On time (the planned time is now, rounded down to 5 minutes): the arrival item is
    # suggested Met from the times and counts as answered until the supervisor answers it.
    expect(page.locator("[data-answered]")).to_have_text(answered_text(1))
    assert datetime.fromisoformat(stored["data"]["started_at"]) <= datetime.fromisoformat(
        arrived_at
    ) + timedelta(minutes=1)

    # Half the items, then a reload in the middle of the visit: every answer is still selected.
    half = ITEMS // 2
    answer_items(page, items[:half], plan)
    page.reload()
    expect(page.locator("#visit-form")).to_be_visible()
    expect(page.locator("[data-answered]")).to_have_text(answered_text(half))
    assert_selected(page, items[:half], plan)
    for item in items[half:]:
        expect(page.locator(f'input[name="rating-{item["id"]}"]:checked')).to_have_count(0)
    expect(page.get_by_label("Arrival time")).to_have_value(re.compile(r"^\d\d:\d\d$"))

    answer_items(page, items[half:], plan)
    not_met = next(item for item in items if plan[item["id"]] == "not_met")
    assert not not_met["critical"]
    comment_on(page, not_met, "Did not log out on the app; discussed after the visit.")
    page.get_by_label("4 Happy").check()
    page.get_by_label("In their words").fill("Happy with the help in the mornings.")
    page.get_by_label("What went well").fill("Warm greeting and clear explanations throughout.")
    page.get_by_label("Areas for development").fill("Log the visit in and out at the door.")
    due = date.today() + timedelta(days=14)
    add_action(page, "Log in and out at the door for every visit", WORKER, due)
    wait_for_doc(
        page,
        doc_id,
        """(doc) => doc.data.to_develop === "Log the visit in and out at the door."
          && doc.data.went_well === "Warm greeting and clear explanations throughout."
          && doc.data.person_view.satisfaction === 4
          && doc.data.person_view.comment === "Happy with the help in the mornings."
          && doc.data.answers.some((a) => a.comment.startsWith("Did not log out"))""",
    )
    stored = device_doc(page, doc_id)
    # One answer per item, as planned; the arrival item was suggested first (so it is stored
    # first), then answered by the supervisor, which makes it hers.
    answers = stored["data"]["answers"]
    assert sorted(a["item_id"] for a in answers) == sorted(i["id"] for i in items)
    assert {a["item_id"]: a["rating"] for a in answers} == plan
    assert not any(a.get("suggested") for a in answers)
    assert [(a["description"], a["due_on"]) for a in stored["data"]["actions"]] == [
        ("Log in and out at the door for every visit", due.isoformat())
    ]

    # By hand: 21 Met (42) + 5 Partly met (5) + 1 Not met (0) = 47 points out of 2 x 27
    # applicable items = 54 (the 2 N/A are left out). 47 / 54 = 87.04% -> 87.0%: amber
    # (75 <= score < 90), "Competent — development agreed", next check 90 days after the visit.
    visit_day = browser_local_day(page, arrived_at)
    expect(page.locator("[data-answered]")).to_have_text(answered_text(ITEMS))
    expect_outcome(
        page,
        score="87.0%",
        points="47 of 54 points",
        bar="Amber",
        band="Amber",
        wording="Competent — development agreed",
        next_check=visit_day + timedelta(days=90),
    )
    expect(page.locator("[data-band]")).to_have_class("band-chip band-amber")

    # Another reload: answers, words, the person's view and the action are all still there.
    page.reload()
    expect(page.locator("#visit-form")).to_be_visible()
    assert_selected(page, items, plan)
    expect(page.get_by_label("What went well")).to_have_value(
        "Warm greeting and clear explanations throughout."
    )
    expect(page.get_by_label("Areas for development")).to_have_value(
        "Log the visit in and out at the door."
    )
    expect(page.get_by_label("In their words")).to_have_value(
        "Happy with the help in the mornings."
    )
    expect(page.get_by_label("4 Happy")).to_be_checked()
    expect(page.locator(f"#comment-{not_met['id']}")).to_have_value(
        "Did not log out on the app; discussed after the visit."
    )
    expect(page.locator("[data-actions] li")).to_have_count(1)
    expect(page.locator("[data-actions] li")).to_contain_text(
        f"Log in and out at the door for every visit · {WORKER} · by "
    )
    expect(page.locator("[data-score]")).to_have_text("Score 87.0%")

    # A critical item Not met turns the visit red, whatever the score, live.
    critical = next(item for item in items if item["critical"])
    assert critical["text"] == "Hand hygiene before contact"
    rate(page, critical, "not_met")
    plan[critical["id"]] = "not_met"
    # By hand: 20 Met (40) + 5 Partly met (5) = 45 of 54 points = 83.33% -> 83.3%; amber by
    # score, but a critical item Not met makes it red and books a re-check within 28 days.
    expect_outcome(
        page,
        score="83.3%",
        points="45 of 54 points",
        bar="Red (critical item not met)",
        band="Red: 1 critical item not met",
        wording="Not yet competent — re-check required",
        next_check=visit_day + timedelta(days=28),
    )
    expect(page.locator("[data-band]")).to_have_class("band-chip band-red")
    shown_score = page.locator("[data-score]").inner_text()

    press_left(page)

    # Submit with no connection: waiting on the device, nothing on the server.
    page.get_by_role("button", name="Submit visit").click()
    expect(page.locator("[data-submitted]")).to_have_text(WAITING)
    expect(page.locator("[data-submit]")).to_be_hidden()
    expect(page.locator("[data-sync-text]")).to_have_text("1 record waiting to send")
    # The offline send attempt made on submission has to finish before the state settles:
    # "sending" while it runs, then back to "waiting" with the attempt counted.
    wait_until(
        page,
        """async (id) => {
          const userId = document.querySelector('meta[name="careobs-user"]').content;
          const doc = await self.careobsOutbox.getDocument(userId, id);
          return doc && doc.state === "waiting" && doc.attempts >= 1;
        }""",
        doc_id,
    )
    stored = device_doc(page, doc_id)
    assert stored["state"] == "waiting"
    assert stored["data"]["status"] == "submitted"
    assert stored["data"]["left_at"]
    assert server_visits(live_server, doc_id) == []

    # Back online: the outbox sends it once and lets it go.
    context.set_offline(False)
    wait_until(page, _DOC_GONE, doc_id)
    expect(page.locator("[data-submitted]")).to_have_text(SENT)
    expect(page.locator("[data-sync-text]")).to_have_text("All records sent")
    visits = server_visits(live_server, doc_id)
    assert len(visits) == 1
    visit = visits[0]
    assert visit["status"] == "submitted"
    assert visit["answer_rows"] == ITEMS
    assert {item_id: rating for item_id, (rating, _) in visit["answers"].items()} == plan
    assert visit["answers"][not_met["id"]] == (
        "not_met",
        "Did not log out on the app; discussed after the visit.",
    )
    assert visit["actions"] == [
        (
            "Log in and out at the door for every visit",
            WORKER,
            due,
            stored["data"]["actions"][0]["id"],
        )
    ]
    assert visit["band"] == "red"
    assert visit["critical_failures"] == 1
    assert visit["outcome"] == "Not yet competent — re-check required"
    assert shown_score == f"Score {visit['score']:.1f}%" == "Score 83.3%"
    assert (visit["person_code"], visit["consent"], visit["staff"]) == (
        "H05",
        "obtained_today",
        WORKER,
    )
    assert (visit["satisfaction"], visit["person_comment"]) == (
        4,
        "Happy with the help in the mornings.",
    )
    assert visit["went_well"] == "Warm greeting and clear explanations throughout."
    assert visit["to_develop"] == "Log the visit in and out at the door."
    assert visit["arrived_at"] == datetime.fromisoformat(arrived_at)
    assert visit["left_at"] >= visit["arrived_at"]
    # Counted from the day of the visit in the organisation's time zone, not the UTC day.
    visit_day = visit["arrived_at"].astimezone(ZoneInfo(ORGANISATION_ZONE)).date()
    assert visit["next_check_on"] == visit_day + timedelta(days=28)

    # Later syncs (the timer, returning to the page) do not store it a second time.
    page.reload()
    expect(page.locator("#visit-problem")).to_contain_text("This visit is not on this device.")
    page.get_by_role("link", name="Open the sent visit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Monitoring visit: {WORKER}")
    assert len(server_visits(live_server, doc_id)) == 1


def test_unfinished_visit_is_not_submitted(open_page, live_server):
    page = open_page(as_user="supervisor")
    open_setup(page)
    choose_visit(page, "H02")  # consent on record: no confirmation asked
    expect(page.get_by_label(CONFIRM)).to_be_hidden()
    first = start_visit(page, "H02")
    items = checklist_items(page, first)
    plan = mixed_plan(items)
    errors = page.locator("[data-submit-errors] li")
    unanswered = "Answer every item ({} left, first: “{}”). Use N/A where it does not apply."
    no_arrival = (
        "Press Arrived now (or type the arrival time) to record when the care worker arrived."
    )

    no_feedback = (
        f"There is no feedback to send to {WORKER}: write what went well or areas for "
        "development, or untick “Send this feedback”."
    )

    # Nothing answered, no arrival, and no feedback although it is to be sent.
    page.get_by_role("button", name="Submit visit").click()
    expect(errors).to_have_text(
        [no_arrival, unanswered.format(ITEMS, items[0]["text"]), no_feedback]
    )

    # Arrived, some items answered: refused, naming how many are left and the first of them.
    press_arrived(page)
    answer_items(page, items[:10], plan)
    page.get_by_role("button", name="Submit visit").click()
    expect(errors).to_have_text([unanswered.format(ITEMS - 10, items[10]["text"])])
    expect(page.locator("[data-submit]")).to_be_visible()
    expect(page.locator("[data-submitted]")).to_be_hidden()

    # A second visit with every item answered but Arrived never pressed: refused for that.
    open_setup(page)
    expect(page.locator("#visit-drafts li")).to_have_count(1)
    choose_visit(page, "H03")
    second = start_visit(page, "H03")
    answer_items(page, items, plan)
    page.get_by_role("button", name="Submit visit").click()
    expect(errors).to_have_text([no_arrival])
    expect(page.locator("[data-submitted]")).to_be_hidden()

    # Neither was submitted: drafts on the device, nothing sent to the server.
    for doc_id in (first, second):
        stored = device_doc(page, doc_id)
        assert (stored["state"], stored["data"]["status"], stored["revision"]) == (
            "draft",
            "draft",
            1,
        )
        assert server_visits(live_server, doc_id) == []
    expect(page.locator("[data-sync-text]")).to_have_text("2 drafts on this device")


def test_who_may_record_and_read_visits(open_page, live_server):
    # A care worker may not record visits, but may open the list (without the button).
    staff = open_page(as_user="staff")
    response = staff.goto("/visits/record")
    assert response is not None and response.status == 403
    response = staff.goto("/visits/")
    assert response is not None and response.status == 200
    expect(staff.get_by_role("heading", level=1)).to_have_text("Monitoring visits")
    expect(staff.get_by_role("link", name="New monitoring visit")).to_have_count(0)

    # The supervisor has the button, and records a visit.
    supervisor = open_page(as_user="supervisor")
    supervisor.goto("/visits/")
    expect(supervisor.get_by_role("link", name="New monitoring visit")).to_be_visible()
    doc_id, items, plan = record_complete_visit(supervisor)
    visits = server_visits(live_server, doc_id)
    assert len(visits) == 1 and visits[0]["band"] == "amber"

    # The manager reads it, with its answers and outcome.
    manager = open_page(as_user="manager")
    response = manager.goto(f"/visits/{doc_id}")
    assert response is not None and response.status == 200
    expect(manager.get_by_role("heading", level=1)).to_have_text(f"Monitoring visit: {WORKER}")
    outcome = manager.locator(".outcome-line")
    expect(outcome.locator(".band-chip")).to_have_text("Amber")
    expect(outcome).to_contain_text("87.0% · Competent — development agreed")
    expect(
        manager.get_by_text("47 of 54 points · 21 met, 5 partly met, 1 not met, 2 not applicable.")
    ).to_be_visible()
    ratings = manager.locator("li.answer .answer-rating")
    expect(ratings).to_have_text([RATING_LABELS[plan[item["id"]]] for item in items])
    not_met = manager.locator("li.answer-not_met")
    expect(not_met).to_have_count(1)
    expect(not_met).to_contain_text("Logged out late.")
    expect(
        manager.locator("li").filter(has_text=f"Log in and out at the door · {WORKER} · by")
    ).to_have_count(1)

    # A care worker of another service cannot read it.
    response = staff.goto(f"/visits/{doc_id}")
    assert response is not None and response.status == 404


def ratings_too_small(page: Page) -> list[str]:
    """Visible rating buttons (their labels) shorter than the minimum target."""
    return page.evaluate(
        """(min) => [...document.querySelectorAll(".ratings label")]
          .filter((l) => l.getClientRects().length && l.getBoundingClientRect().height < min)
          .map((l) => `${l.htmlFor}: ${l.getBoundingClientRect().height.toFixed(1)}px`)""",
        MIN_TARGET,
    )


def assert_fits(page: Page, width: int) -> None:
    """At 320 px: no sideways scroll, targets big enough (see test_layout)."""
    if width != 320:
        return
    problems = layout_problems(page)
    assert not problems, f"At 320px, {page.url}:\n" + "\n".join(problems)


@pytest.mark.parametrize("width", [390, 320])
def test_visit_screens_are_accessible(width, open_page, axe):
    page = open_page(width, 740, as_user="supervisor")

    # The set-up screen, with the consent confirmation showing.
    open_setup(page)
    choose_visit(page, "H10")
    expect(page.get_by_label(CONFIRM)).to_be_visible()
    axe(page)
    assert_fits(page, width)
    page.get_by_label(CONFIRM).check()
    doc_id = start_visit(page, "H10")

    # The form with answers, a comment open and an action.
    items = checklist_items(page, doc_id)
    plan = mixed_plan(items)
    press_arrived(page)
    answer_items(page, items, plan)
    comment_on(page, items[1], "Reminded during the visit.")
    add_action(page, "Log in and out at the door", WORKER, date.today() + timedelta(days=14))
    axe(page)
    assert_fits(page, width)
    expect(page.locator(".ratings label")).to_have_count(4 * ITEMS)
    assert ratings_too_small(page) == []
    # The band is written in words, not shown by colour alone.
    expect(page.locator("[data-band]")).to_have_text("Amber")
    expect(page.locator("[data-outcome] dd").nth(1)).to_have_text("Amber")

    page.get_by_role("button", name="Submit visit").click()
    expect(page.locator("[data-submitted]")).to_have_text(SENT)

    # The stored visit's record.
    response = page.goto(f"/visits/{doc_id}")
    assert response is not None and response.status == 200
    expect(page.locator(".outcome-line .band-chip")).to_have_text("Amber")
    axe(page)
    assert_fits(page, width)
