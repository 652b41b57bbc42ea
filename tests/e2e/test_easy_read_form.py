"""The easy-read co-audit form (/audits/easy-read) in the browser, on a 320 px phone.

A supervisor completes a staff audit offline, starts the co-audit with the person from the end
of it (still offline), records their agreement (only by the button that says so, "R01 has agreed
to take part — start", described by what agreeing means; "Not today" saves nothing), answers one
question a screen with the keyboard, reloads midway and resumes at the same question, checks the
answers and finishes; back online the outbox sends both, and the server holds the co-audit with
what it is compared with, its answers mapped to the audit's ratings. A quality checker (made
here, with an assignment) completes theirs from the tasks in their bootstrap, which names no
member of staff. No score, band or colour is shown while answering; axe finds nothing serious on
the page."""

from __future__ import annotations

import json
import uuid

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from careobs.accounts import service as accounts
from careobs.accounts.models import User
from careobs.audits import starter
from careobs.audits.models import Audit, AuditAnswer
from careobs.checkers.models import CheckerAssignment
from careobs.checklists.models import Checklist, ChecklistVersion
from careobs.db import get_session
from careobs.demo import DEMO_PASSWORD
from careobs.org.models import Service, StaffMember
from tests.e2e.test_audit_form import ROSEWOOD, answer_all, items_of, start, template_id
from tests.e2e.test_layout import layout_problems
from tests.e2e.waits import bootstrap_on_device, wait_until

FINISHED_WAITING = "Finished. Saved on this device; it will be sent when there is a connection."
SENT = "Submitted and sent."
CHECKER = "checker-e2e@demo.test"
VALUES = {"Yes": "met", "Partly": "partly", "No": "not_met", "Not sure": "na"}
MEANING = (
    "If they agree: their answers are compared with the staff audit; they can stop at any time;"
    " only their code is kept, never their name."
)

_USER = "document.querySelector('meta[name=\"careobs-user\"]').content"
_DOC_GONE = f"async (id) => (await self.careobsOutbox.getDocument({_USER}, id)) === undefined"
_GET_DOC = f"async (id) => (await self.careobsOutbox.getDocument({_USER}, id)) ?? null"


def stored_co_audit(live_server, doc_id: str) -> list[dict]:
    with live_server.app.app_context():
        db = get_session()
        found = []
        for audit in db.scalars(sa.select(Audit).where(Audit.uuid == uuid.UUID(doc_id))):
            ratings = db.scalars(
                sa.select(AuditAnswer.rating)
                .where(AuditAnswer.audit_id == audit.id)
                .order_by(AuditAnswer.id)
            ).all()
            found.append(
                {
                    "with": audit.co_audit_with,
                    "person": audit.co_audit_person.code if audit.co_audit_person else None,
                    "compare_with": str(audit.compare_with),
                    "easy_read": audit.easy_read,
                    "consent_given": audit.consent_given,
                    "status": audit.status,
                    "auditor": audit.auditor.email,
                    "ratings": list(ratings),
                }
            )
        return found


def easy_read_drafts(page: Page) -> list[dict]:
    """The easy-read co-audits in this device's outbox."""
    found = page.evaluate(f"async () => await self.careobsOutbox.listDocuments({_USER})")
    return [d for d in found if (d.get("data") or {}).get("easy_read")]


def co_audits_stored(live_server) -> int:
    with live_server.app.app_context():
        db = get_session()
        return db.scalar(
            sa.select(sa.func.count()).select_from(Audit).where(Audit.co_audit_with.is_not(None))
        )


def answer(page: Page, words: str) -> None:
    """Choose an answer with the keyboard, and wait until it is saved and shown."""
    # Found by its value: once pressed, its name gains the tick ("✓ Yes").
    button = page.locator(f".er-answers [data-answer={VALUES[words]}]")
    expect(button).to_have_text(words)
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-er-chosen]")).to_have_text(f"Answer: {words}")


def next_question(page: Page) -> None:
    page.locator("[data-er-next]").focus()
    page.keyboard.press("Enter")


def sent(page: Page, *doc_ids: str) -> None:
    """Wait until the documents have left the device (the "online" event sends them)."""
    for doc_id in doc_ids:
        wait_until(page, _DOC_GONE, doc_id)


def no_score_shown(page: Page) -> None:
    text = page.locator("#easy-read").inner_text()
    for word in ("Score", "%", "Green", "Amber", "Red"):
        assert word not in text, f"{word!r} shown while answering"


def test_a_supervisor_co_audits_with_the_person_offline_and_it_syncs(open_app, live_server, axe):
    context = open_app(width=320, height=640, as_user="supervisor")
    page = context.new_page()

    # Online once: the capture pages and the bootstrap reach the device.
    page.goto("/audits/easy-read")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    wait_until(page, "async () => Boolean(await caches.match('/audits/easy-read'))")
    wait_until(page, "async () => Boolean(await caches.match('/audits/record'))")
    bootstrap_on_device(page)
    expect(page.locator("[data-er-context]")).to_contain_text("Open this page from a staff audit")

    context.set_offline(True)
    # The staff audit, offline: every item Met.
    staff_id = start(page, template_id(live_server, starter.CARE_PLAN.name), ROSEWOOD, "R01")
    items = items_of(page, staff_id)
    answer_all(page, items, {})
    page.get_by_role("button", name="Submit audit").click()
    link = page.get_by_role("link", name="Co-audit with R01 (easy read)")
    expect(link).to_be_visible()
    link.click()

    # The agreement screen: the person's code chosen from the audit's subject.
    expect(page.locator("[data-er-context]")).to_contain_text(
        f"{starter.CARE_PLAN.name}: R01 · {ROSEWOOD}"
    )
    expect(page.locator("#er-person")).to_have_value("R01")
    expect(page.locator("#er-consent-meaning")).to_have_text(MEANING)
    agreed = page.get_by_role("button", name="R01 has agreed to take part — start")
    expect(agreed).to_have_accessible_description(MEANING)
    assert layout_problems(page) == []
    axe(page)
    # Nothing is recorded before the button: not on the code's choice, nor by the form's submit.
    page.locator("#er-person").select_option("")
    expect(page.locator("[data-er-begin]")).to_have_text("Choose the person first")
    page.locator("#er-person").select_option("R01")
    page.evaluate("() => document.querySelector('#easy-read-start').requestSubmit()")
    expect(page.locator("#easy-read-setup")).to_be_visible()
    assert easy_read_drafts(page) == []
    agreed.click()
    expect(page.locator("#easy-read-question")).to_be_visible()
    co_id = page.url.split("#", 1)[1]
    uuid.UUID(co_id)
    [draft] = easy_read_drafts(page)
    assert (draft["id"], draft["data"]["co_audit"]) == (
        co_id,
        {"with": "person", "person_code": "R01", "compare_with": staff_id, "consent": True},
    )

    # One question a screen, answered with the keyboard; the progress is announced.
    n = len(items)
    plan = ["Yes", "Partly", "No", "Not sure"] + ["Yes"] * (n - 4)
    progress = page.locator("[data-er-progress]")
    expect(progress).to_have_attribute("aria-live", "polite")
    for index in range(3):
        expect(progress).to_have_text(f"Question {index + 1} of {n}")
        # The starter templates ship with easy-read wording: the plain question, not the text.
        assert items[index]["easy_read_text"], items[index]
        expect(page.locator("[data-er-question]")).to_have_text(items[index]["easy_read_text"])
        answer(page, plan[index])
        no_score_shown(page)
        next_question(page)
        expect(page.locator("[data-er-question]")).to_be_focused()
    assert layout_problems(page) == []
    axe(page)

    # The phone "dies": a reload resumes at question 4, answers kept.
    page.reload()
    expect(progress).to_have_text(f"Question 4 of {n}")
    saved = page.evaluate(_GET_DOC, co_id)
    assert [a["rating"] for a in saved["data"]["answers"]] == ["met", "partly", "not_met"]
    page.get_by_label("Anything to add? (optional)").fill("Staff always knock first.")
    for index in range(3, n):
        expect(progress).to_have_text(f"Question {index + 1} of {n}")
        answer(page, plan[index])
        next_question(page)

    # The answers to check, then Finish: waiting for a connection.
    expect(page.locator("#er-summary-title")).to_be_focused()
    summary = page.locator("[data-er-summary] li")
    expect(summary).to_have_count(n)
    expect(summary.nth(1)).to_contain_text("Answer: Partly")
    expect(summary.nth(3)).to_contain_text("Added: Staff always knock first.")
    assert layout_problems(page) == []
    axe(page)
    page.get_by_role("button", name="Finish").click()
    expect(page.locator("[data-submitted]")).to_have_text(FINISHED_WAITING)
    assert stored_co_audit(live_server, co_id) == []

    context.set_offline(False)
    sent(page, staff_id, co_id)
    expect(page.locator("[data-submitted]")).to_have_text(SENT)
    rating = {"Yes": "met", "Partly": "partly", "No": "not_met", "Not sure": "na"}
    [co_audit] = stored_co_audit(live_server, co_id)
    expected = [rating[w] for w in plan]  # in the template's order
    assert co_audit == {
        "with": "person",
        "person": "R01",
        "compare_with": staff_id,
        "easy_read": True,
        "consent_given": True,
        "status": "submitted",
        "auditor": "supervisor@demo.test",
        "ratings": co_audit["ratings"],
    }
    assert sorted(co_audit["ratings"]) == sorted(expected)
    assert co_audit["ratings"][:4] == ["met", "partly", "not_met", "na"]


def test_not_today_saves_nothing(open_app, live_server):
    """From a staff audit's page (the manager's: they see every audit of their service)."""
    context = open_app(width=320, height=640, as_user="manager")
    page = context.new_page()
    with live_server.app.app_context():
        db = get_session()
        audit = db.scalar(
            sa.select(Audit)
            .join(Service)
            .where(
                Service.name == ROSEWOOD,
                Audit.status == "submitted",
                Audit.co_audit_with.is_(None),
                Audit.subject_type == "person",
            )
            .limit(1)
        )
        url = f"/audits/{audit.uuid}"
    response = page.goto(url)
    assert response.status == 200, url
    link = page.get_by_role("link", name="(easy read)")
    link.click()
    expect(page.get_by_role("button", name="Not today")).to_be_visible()
    expect(page.locator("[data-er-begin]")).to_contain_text("has agreed to take part — start")
    before = page.evaluate(f"async () => (await self.careobsOutbox.listDocuments({_USER})).length")
    stored = co_audits_stored(live_server)
    page.get_by_role("button", name="Not today").click()
    expect(page.locator("[data-er-ended]")).to_be_visible()
    expect(page.locator("[data-er-begin]")).to_be_hidden()  # no agreement to press afterwards
    after = page.evaluate(f"async () => (await self.careobsOutbox.listDocuments({_USER})).length")
    assert after == before
    assert easy_read_drafts(page) == []
    assert co_audits_stored(live_server) == stored


@pytest.fixture
def checker_task(live_server):
    """A quality checker of Rosewood (made once) assigned a submitted staff audit of a person
    there: (staff audit id, the names of the organisation's staff and of the staff auditor)."""
    with live_server.app.app_context():
        db = get_session()
        rosewood = db.scalar(sa.select(Service).where(Service.name == ROSEWOOD))
        user = db.scalar(sa.select(User).where(User.email == CHECKER))
        if user is None:
            user = accounts.create_user(
                db,
                organisation_id=rosewood.organisation_id,
                email=CHECKER,
                display_name="Casey Checker",
            )
            accounts.set_password(db, user, DEMO_PASSWORD)
            accounts.set_memberships(db, user, {rosewood.id: "quality_checker"})
            db.flush()
        staff_audit = db.scalar(
            sa.select(Audit)
            .join(ChecklistVersion, ChecklistVersion.id == Audit.checklist_version_id)
            .join(Checklist, Checklist.id == ChecklistVersion.checklist_id)
            .where(
                Audit.service_id == rosewood.id,
                Audit.status == "submitted",
                Audit.co_audit_with.is_(None),
                Checklist.subject_type == "person",
            )
            .order_by(Audit.started_at.desc())
            .limit(1)
        )
        manager = db.scalar(sa.select(User).where(User.email == "manager@demo.test"))
        db.add(
            CheckerAssignment(
                organisation_id=rosewood.organisation_id,
                service_id=rosewood.id,
                user_id=user.id,
                kind="co_audit",
                audit_id=staff_audit.id,
                created_by_id=manager.id,
            )
        )
        db.commit()
        names = db.scalars(
            sa.select(StaffMember.name).where(StaffMember.organisation_id == user.organisation_id)
        ).all()
        return str(staff_audit.uuid), [*names, staff_audit.auditor.display_name]


def test_a_quality_checker_completes_their_assigned_co_audit(open_app, live_server, checker_task):
    staff_id, staff_names = checker_task
    context = open_app(width=320, height=640)
    page = context.new_page()
    live_server.login(page, CHECKER)

    body = page.evaluate("async () => await (await fetch('/api/v1/bootstrap')).text()")
    for name in staff_names:
        assert name not in body
    bootstrap = json.loads(body)
    assert [t["compare_with"] for t in bootstrap["co_audit_tasks"]] == [staff_id]
    assert all(s["staff"] == [] for s in bootstrap["services"])

    page.goto("/audits/easy-read")
    task = page.locator("[data-er-context] a")
    expect(task).to_have_count(1)
    task.click()
    expect(page.locator("[data-er-person]")).to_be_hidden()  # no agreement screen
    expect(page.get_by_role("button", name="Not today")).to_be_hidden()
    page.get_by_role("button", name="Start").click()
    expect(page.locator("#easy-read-question")).to_be_visible()
    co_id = page.url.split("#", 1)[1]
    n = int(page.locator("[data-er-progress]").inner_text().rsplit(" ", 1)[1])
    for index in range(n):
        # Drawn, and focus on the question, in one step: then the answer may be chosen.
        expect(page.locator("[data-er-progress]")).to_have_text(f"Question {index + 1} of {n}")
        answer(page, "Not sure")
        next_question(page)
    page.get_by_role("button", name="Finish").click()
    sent(page, co_id)
    [co_audit] = stored_co_audit(live_server, co_id)
    assert (co_audit["with"], co_audit["person"], co_audit["compare_with"]) == (
        "quality_checker",
        None,
        staff_id,
    )
    assert co_audit["auditor"] == CHECKER and co_audit["ratings"] == ["na"] * n

    tasks = page.evaluate("async () => (await (await fetch('/api/v1/bootstrap')).json())")
    assert tasks["co_audit_tasks"] == []
