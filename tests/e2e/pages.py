"""Every page careobs has, and how to reach it in the browser as the right user.

Each visit shows one page, or one state of a page (a form after a validation error), in a page
that the test opened already logged in as ``visit.who`` (or anonymous when that is None). The
accessibility and layout tests run over all of them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Page, expect


@dataclass(frozen=True)
class Visit:
    """``visit.open(page, live_server, open_page)`` shows the page in ``page``."""

    name: str
    who: str | None
    open: Callable


def goto(page: Page, path: str, status: int = 200) -> None:
    response = page.goto(path)
    assert response is not None
    assert response.status == status, f"{path} answered {response.status}, not {status}"


def heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def path_visit(name: str, who: str | None, path: str, title: str, status: int = 200) -> Visit:
    """Open ``path``, or the demo record ``live_server.urls[path]``, and check its heading."""

    def _open(page, live, _open_page):
        goto(page, live.urls.get(path, path), status)
        heading(page, title)

    return Visit(name, who, _open)


def login_failed(page, live, _open_page):
    live.login(page, "manager@demo.test", "not-the-password")
    expect(page.get_by_text("The email or password is incorrect.")).to_be_visible()


def service_edit(page, live, _open_page):
    goto(page, live.urls["service_edit"])
    heading(page, "Rosewood House")
    expect(page.get_by_role("heading", name="Areas")).to_be_visible()
    expect(page.get_by_role("button", name="Stop using Lounge")).to_be_visible()


def person_form_error(page, _live, _open_page):
    goto(page, "/admin/people/new")
    page.get_by_label("Service").select_option(label="Rosewood House")
    page.get_by_label("Code").fill("Mary Smith")
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_role("alert")).to_contain_text("This looks like a name")
    expect(page.get_by_label("Code")).to_have_attribute("aria-invalid", "true")


def create_invitation(page: Page, live) -> str:
    """Invite a new user from the admin's ``page``; returns the invitation link it shows."""
    goto(page, "/admin/users/new")
    page.get_by_label("Email").fill(f"new-{uuid.uuid4().hex[:10]}@example.org")
    page.get_by_label("Name", exact=True).fill("Robin Newman")
    page.get_by_label("Rosewood House").select_option(label="Supervisor")
    page.get_by_role("button", name="Create and get invitation link").click()
    heading(page, "Invitation for Robin Newman")
    link = page.get_by_label("Invitation link").input_value()
    assert link.startswith(f"{live.base_url}/invitation/"), link
    return link


def invitation_link(page, live, _open_page):
    create_invitation(page, live)


def invitation_acceptance(page, live, open_page):
    link = create_invitation(open_page(as_user="admin"), live)
    goto(page, link)  # ``page`` is a fresh, anonymous context
    heading(page, "Welcome to careobs")


def quis_recorder(page, _live, _open_page):
    goto(page, "/quis/record")
    # The recorder fills its setup form from the bootstrap API; scan it once it is ready.
    expect(page.locator("#setup")).to_be_visible()
    heading(page, "New QUIS observation")
    expect(page.locator("#setup-service option").first).to_be_attached()


def quis_session(page, live, _open_page):
    goto(page, live.urls["quis_session"])
    expect(page.get_by_role("heading", level=1)).to_contain_text("QUIS: Rosewood House")


def feedback_for_worker(page, _live, _open_page):
    """Feedback Sam has not acknowledged yet: the acknowledge button and the reflection form."""
    goto(page, "/feedback/mine")
    heading(page, "My feedback")
    item = page.locator("ul.notices li").filter(has_text="not yet acknowledged").first
    item.get_by_role("link").click()
    heading(page, "Feedback for Sam Okafor")
    expect(page.get_by_role("button", name="I have read and understood this")).to_be_visible()
    expect(page.get_by_label("Your reflection")).to_be_visible()


def feedback_reply_error(page, live, open_page):
    """The worker's feedback page after sending an empty reflection."""
    feedback_for_worker(page, live, open_page)
    page.get_by_role("button", name="Send your reflection").click()
    expect(page.get_by_label("Your reflection")).to_have_attribute("aria-invalid", "true")


def feedback_for_author(page, _live, _open_page):
    """Released feedback with the worker's reflection, as its author sees it."""
    goto(page, "/feedback/")
    heading(page, "Feedback")
    page.locator("tr").filter(has_text="Replied").first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Feedback for ")
    expect(page.get_by_role("heading", name="Reflection from Sam Okafor")).to_be_visible()


def feedback_edit(page, _live, _open_page):
    """A draft from a monitoring visit, opened for editing before release."""
    goto(page, "/feedback/?status=draft")
    heading(page, "Feedback")
    visit_drafts = page.locator("tbody tr").filter(
        has=page.get_by_role("cell", name="Monitoring visit", exact=True)
    )
    visit_drafts.first.get_by_role("link").click()
    page.get_by_role("link", name="Edit and release").click()
    expect(page.get_by_role("button", name="Save draft")).to_be_visible()
    expect(page.get_by_label("What went well")).to_be_visible()


def charts_drawn(page: Page) -> None:
    """Wait for dashboards.js to have drawn every chart (it marks the root when done). A chart
    is drawn only once it nears the screen, so each is scrolled to in turn."""
    figures = page.locator("figure[data-chart]")
    for i in range(figures.count()):
        figures.nth(i).scroll_into_view_if_needed()
        expect(figures.nth(i)).to_have_attribute("data-drawn", "true")
    expect(page.locator("[data-dashboard-endpoint][data-charts-drawn=true]")).to_have_count(1)
    expect(page.locator("figure[data-chart]:not([data-drawn=true])")).to_have_count(0)


def dashboard_visit(name: str, who: str, path: str, title: str) -> Visit:
    """A dashboard with its tables and its charts drawn from the JSON endpoint."""

    def _open(page, _live, _open_page):
        goto(page, path)
        heading(page, title)
        expect(page.locator("table.dash-table").first).to_be_visible()
        charts_drawn(page)

    return Visit(name, who, _open)


def dashboard_filter_error(page, _live, _open_page):
    """The QUIS dashboard asked for a period that ends before it starts."""
    goto(page, "/dashboards/quis?date_from=2026-03-01&date_to=2026-01-01", status=400)
    heading(page, "QUIS observations")
    expect(page.locator(".error-summary")).to_contain_text("Must be on or after the start date.")
    expect(page.get_by_label("To", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.locator("table.dash-table")).to_have_count(0)


def my_practice(page, _live, _open_page):
    """The care worker's own page, reached through /dashboards/me."""
    goto(page, "/dashboards/me")
    assert "/dashboards/workers/" in page.url, page.url
    heading(page, "My practice")
    charts_drawn(page)


def homecare_worker_uuid(live) -> str:
    """The Riverside Homecare care worker with the most submitted monitoring visits."""
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from careobs.org.models import StaffMember
    from careobs.visits.models import MonitoringVisit

    with Session(live.app.extensions["careobs.engine"]) as db:
        return str(
            db.scalar(
                sa.select(StaffMember.uuid)
                .join(MonitoringVisit, MonitoringVisit.staff_id == StaffMember.id)
                .where(MonitoringVisit.status == "submitted")
                .group_by(StaffMember.uuid, StaffMember.name)
                .order_by(sa.func.count().desc(), StaffMember.name)
                .limit(1)
            )
        )


def worker_for_manager(page, live, _open_page):
    """A homecare worker's page, with their visit scores charted, as their manager sees it."""
    goto(page, f"/dashboards/workers/{homecare_worker_uuid(live)}")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("My practice")
    expect(page.locator("table[data-table=scores] tbody tr").first).to_be_visible()
    charts_drawn(page)
    expect(page.locator("figure[data-chart=scores]")).to_be_visible()


DASHBOARD_PAGES = [
    dashboard_visit("dashboard-quis", "manager", "/dashboards/quis", "QUIS observations"),
    dashboard_visit("dashboard-visits", "manager", "/dashboards/visits", "Monitoring visits"),
    dashboard_visit("dashboard-coverage", "manager", "/dashboards/coverage", "Coverage"),
    dashboard_visit("dashboard-audits", "manager", "/dashboards/audits", "Audits"),
    dashboard_visit(
        "dashboard-compliments", "manager", "/dashboards/compliments", "Compliments and concerns"
    ),
    Visit("dashboard-filter-error", "manager", dashboard_filter_error),
    Visit("dashboard-my-practice", "staff", my_practice),
    Visit("dashboard-worker-manager", "manager", worker_for_manager),
]

FEEDBACK_PAGES = [
    path_visit("notifications-staff", "staff", "/notifications/", "Notifications"),
    path_visit("notifications-supervisor", "supervisor", "/notifications/", "Notifications"),
    path_visit("push-settings", "staff", "/notifications/settings", "Phone notifications"),
    path_visit("my-feedback", "staff", "/feedback/mine", "My feedback"),
    Visit("feedback-worker", "staff", feedback_for_worker),
    Visit("feedback-reply-error", "staff", feedback_reply_error),
    path_visit("feedback-list", "supervisor", "/feedback/", "Feedback"),
    Visit("feedback-author", "supervisor", feedback_for_author),
    Visit("feedback-edit", "supervisor", feedback_edit),
]


def action_with_recheck(page, _live, _open_page):
    """The demo action with a targeted re-check booked, with its progress and re-check forms."""
    goto(page, "/actions/?service=&status=any")
    heading(page, "Actions")
    page.get_by_role("link", name="Medicines refresher").first.click()
    heading(page, "Action")
    expect(page.get_by_text("monitoring visit due by")).to_be_visible()
    page.locator("#book-recheck summary").click()
    expect(page.get_by_label("Re-check due by")).to_be_visible()


def action_form_error(page, _live, _open_page):
    """The new action form after submitting it empty."""
    goto(page, "/actions/new")
    page.get_by_role("button", name="Add the action").click()
    expect(page.get_by_label("What will be done")).to_have_attribute("aria-invalid", "true")


ACTION_PAGES = [
    path_visit("actions-list", "manager", "/actions/", "Actions"),
    path_visit("actions-overdue", "supervisor", "/actions/?overdue=y", "Actions"),
    path_visit("actions-mine-staff", "staff", "/actions/mine", "My actions"),
    path_visit("actions-mine-supervisor", "supervisor", "/actions/mine", "My actions"),
    path_visit("action-new", "supervisor", "/actions/new", "Add an action"),
    Visit("action-form-error", "supervisor", action_form_error),
    Visit("action-detail", "manager", action_with_recheck),
]


def selection_drawn(page, _live, _open_page):
    """A worker draw just made: the stored record with its inputs table, then verified."""
    goto(page, "/selection/")
    heading(page, "Choose who to check next")
    page.get_by_label("How many to draw").fill("2")
    # The demo has drawn this morning already: a second draw today says why.
    page.get_by_label("Why draw again today?").fill("Two of this morning's three are away.")
    page.get_by_role("button", name="Draw").click()
    heading(page, "Care workers to check: draw record")
    page.get_by_role("link", name="Verify this draw").click()
    expect(page.get_by_text("Verified:")).to_be_visible()


def selection_error(page, _live, _open_page):
    """The people draw after asking for none."""
    goto(page, "/selection/people")
    page.get_by_label("How many to draw").fill("0")
    page.get_by_role("button", name="Draw").click()
    expect(page.get_by_label("How many to draw")).to_have_attribute("aria-invalid", "true")


SELECTION_PAGES = [
    path_visit("selection-workers", "supervisor", "/selection/", "Choose who to check next"),
    path_visit(
        "selection-people", "manager", "/selection/people", "Choose people to ask for feedback"
    ),
    Visit("selection-drawn", "manager", selection_drawn),
    Visit("selection-error", "supervisor", selection_error),
    path_visit("selection-history", "manager", "/selection/history", "Past draws"),
]


def evidence_pack(page, _live, _open_page):
    """The evidence pack of the demo homecare service, chosen on the form for the default year."""
    goto(page, "/evidence/")
    heading(page, "Evidence pack")
    page.get_by_label("Service").select_option(label="Riverside Homecare")
    page.get_by_role("button", name="Show the evidence pack").click()
    heading(page, "Evidence pack: Riverside Homecare")
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
    expect(page.get_by_role("heading", name="S7 Infection prevention and control")).to_be_visible()


def evidence_form_error(page, _live, _open_page):
    """The evidence pack form after choosing an end date before the start."""
    goto(page, "/evidence/")
    page.get_by_label("From").fill("2026-06-30")
    page.get_by_label("To").fill("2026-01-01")
    page.get_by_role("button", name="Show the evidence pack").click()
    expect(page.get_by_role("alert")).to_contain_text("on or after the start date")


EVIDENCE_PAGES = [
    path_visit("evidence-form", "manager", "/evidence/", "Evidence pack"),
    Visit("evidence-pack", "manager", evidence_pack),
    Visit("evidence-form-error", "admin", evidence_form_error),
]


def login_locked_out(page, live, _open_page):
    """The login page answering 429: the account has failed too often (failures written directly,
    from another address, so the shared test server's own address is never locked out)."""
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from careobs.accounts.models import LoginFailure

    email = f"locked-{uuid.uuid4().hex[:8]}@example.org"
    limit = live.app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    with Session(live.app.extensions["careobs.engine"]) as db:
        db.execute(sa.insert(LoginFailure), [{"ip": "203.0.113.9", "email": email}] * limit)
        db.commit()
    goto(page, "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("not-the-password")
    with page.expect_response("**/login") as answer:
        page.get_by_role("button", name="Log in").click()
    assert answer.value.status == 429
    expect(page.get_by_role("alert")).to_contain_text("Too many failed attempts")


def visit_record(page, live, _open_page):
    """A submitted monitoring visit at Riverside Homecare, as its manager sees it."""
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from careobs.visits.models import MonitoringVisit

    with Session(live.app.extensions["careobs.engine"]) as db:
        visit = db.scalar(
            sa.select(MonitoringVisit.uuid)
            .where(MonitoringVisit.status == "submitted")
            .order_by(MonitoringVisit.planned_at.desc())
            .limit(1)
        )
    goto(page, f"/visits/{visit}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Monitoring visit")


def audit_record(page, live, _open_page):
    """The demo's latest submitted audit, as the manager of its service sees it."""
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from careobs.audits.models import Audit

    with Session(live.app.extensions["careobs.engine"]) as db:
        audit = db.scalar(
            sa.select(Audit.uuid)
            .where(Audit.status == "submitted")
            .order_by(Audit.started_at.desc())
            .limit(1)
        )
    goto(page, f"/audits/{audit}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(": ")
    expect(page.get_by_role("heading", name="Answers")).to_be_visible()


def audit_schedules_of_a_service(page, live, _open_page):
    goto(page, "/audits/plan")
    heading(page, "Audit schedules")
    page.get_by_role("link", name="Rosewood House").first.click()
    heading(page, "Audit schedules: Rosewood House")


def champion_home(page, _live, _open_page):
    goto(page, "/")
    expect(page.get_by_role("heading", name="Your audits")).to_be_visible()


def audit_setup(page, _live, _open_page):
    goto(page, "/audits/record")
    heading(page, "New audit")
    expect(page.locator("#a-service option").first).to_be_attached()


def audit_form(page, _live, _open_page):
    audit_setup(page, _live, _open_page)
    page.locator("#a-template").select_option(label="Care plan audit")
    page.get_by_label("Service").select_option(label="Rosewood House")
    page.locator("#a-subject").select_option(index=1)
    page.get_by_role("button", name="Start audit").click()
    expect(page.locator("#audit-form")).to_be_visible()
    page.locator(".item-card label").nth(2).click()  # Not met: its proposed action shows
    expect(page.locator(".item-card input[type=date]").first).to_be_visible()


def compliment_form_error(page, _live, _open_page):
    """The compliment form sent with nothing filled in but its defaults."""
    goto(page, "/compliments/new")
    page.get_by_role("button", name="Record it").click()
    heading(page, "Record a compliment or concern")
    expect(page.locator(".error-summary")).to_contain_text("Write what they said.")
    expect(page.get_by_label("What they said")).to_have_attribute("aria-invalid", "true")


def concern_entry(page, _live, _open_page):
    """A concern from the demo log, with its response form, reached from the log."""
    goto(page, "/compliments/?kind=concern")
    page.locator(".card h2 a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Concern:")
    expect(page.get_by_role("heading", name="Response and outcome")).to_be_visible()


def compliment_section_rename_error(page, _live, _open_page):
    """A section renamed to another section's name: the page again, that field in error."""
    goto(page, "/compliments/sections/")
    field = page.get_by_label("Section name: Food", exact=True)
    field.fill("care")
    page.get_by_role("button", name="Rename Food", exact=True).click()
    heading(page, "Sections of the service")
    expect(page.locator(".error-summary")).to_contain_text("There is already a section called")
    expect(page.get_by_label("Section name: Food", exact=True)).to_have_attribute(
        "aria-invalid", "true"
    )


COMPLIMENT_PAGES = [
    path_visit("compliments-log", "manager", "/compliments/", "Compliments and concerns"),
    path_visit(
        "compliment-new", "supervisor", "/compliments/new", "Record a compliment or concern"
    ),
    Visit("compliment-form-error", "supervisor", compliment_form_error),
    Visit("concern-entry", "manager", concern_entry),
    path_visit("compliment-sections", "admin", "/compliments/sections/", "Sections of the service"),
    Visit("compliment-section-rename-error", "admin", compliment_section_rename_error),
]


def voice_conversation(page, live, _open_page):
    """A conversation's page from the demo (the first recorded)."""
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from careobs.org.models import Person
    from careobs.voice.models import Conversation

    with Session(live.app.extensions["careobs.engine"]) as db:
        conversation_id, code = db.execute(
            sa.select(Conversation.uuid, Person.code)
            .join(Person, Person.id == Conversation.person_id)
            .order_by(Conversation.id)
            .limit(1)
        ).one()
    address = f"/voice/{conversation_id}"
    goto(page, address)
    heading(page, f"Conversation with {code}")


VOICE_PAGES = [
    path_visit("voice-record", "supervisor", "/voice/record", "Conversation with a person drawn"),
    path_visit("voice-summary", "manager", "/voice/summary", "People's voice"),
    Visit("voice-conversation", "manager", voice_conversation),
]


def audit_template_draft(page, _live, _open_page):
    """The Care plan audit's page with a draft (started here when there is none): each item's
    easy-read wording under it, the add-item form with its easy-read field."""
    goto(page, "/admin/checklists/")
    page.get_by_role("link", name="Care plan audit").first.click()
    heading(page, "Care plan audit")
    start = page.get_by_role("button", name="Edit: start a new draft version")
    if start.count():
        start.click()
    expect(page.get_by_role("heading", name="Draft version 2")).to_be_visible()
    expect(page.get_by_text("Easy-read wording: written for 14 of 14 items.").last).to_be_visible()
    page.get_by_text("Add an item to The person at the centre").click()
    expect(page.get_by_label("Easy-read wording (optional)").first).to_be_visible()


def easy_read_item_error(page, live, open_page):
    """An item to add that was refused (no standard wording): its own page, the easy-read
    wording kept to send again."""
    audit_template_draft(page, live, open_page)
    form = page.locator("details.add-item").first
    form.get_by_label("Easy-read wording (optional)").fill("Can you reach your call bell?")
    form.get_by_role("button", name="Add item").click()
    heading(page, "Add an item")
    expect(page.get_by_role("alert")).to_contain_text("What to check")
    expect(page.get_by_label("What to check")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Easy-read wording (optional)")).to_have_value(
        "Can you reach your call bell?"
    )


CHECKLIST_PAGES = [
    path_visit("checklists", "admin", "/admin/checklists/", "Checklists"),
    Visit("audit-template-draft", "admin", audit_template_draft),
    Visit("easy-read-item-error", "admin", easy_read_item_error),
]


def checker_home(page, _live, _open_page):
    goto(page, "/")
    expect(page.get_by_role("heading", name="Your co-audits")).to_be_visible()
    expect(page.get_by_role("heading", name="Your conversations")).to_be_visible()


def checkers_work(page, _live, _open_page):
    """The manager's list of what Riverside's quality checker holds, from their home page."""
    goto(page, "/")
    page.get_by_role("link", name="Quality checkers' work at Riverside Homecare").click()
    heading(page, "Quality checkers' work at Riverside Homecare")


def checkers_co_audit(page, _live, _open_page):
    """Asking a checker to co-audit the demo's staff audit of H03 (careobs/checkers/demo.py)."""
    import uuid

    from careobs.checkers.demo import NAMESPACE

    goto(page, f"/checkers/co-audits/{uuid.uuid5(NAMESPACE, 'riverside-care-plan-H03')}")
    heading(page, "Ask a quality checker to co-audit this")


def checkers_conversation(page, live, _open_page):
    """Giving a person Riverside's morning draw picked to a checker (the last one drawn)."""
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from careobs.selection.models import SelectionDraw

    with Session(live.app.extensions["careobs.engine"]) as db:
        draw = db.scalars(
            sa.select(SelectionDraw)
            .where(SelectionDraw.kind == "people", SelectionDraw.repeat_reason.is_(None))
            .order_by(SelectionDraw.id.desc())
        ).first()
        draw_id, code = draw.uuid, draw.result[-1]["label"]
    goto(page, f"/checkers/draws/{draw_id}/people/{code}")
    heading(page, f"Give the conversation with {code} to a quality checker")


CHECKER_PAGES = [
    Visit("checker-home", "checker@demo.test", checker_home),
    Visit("checkers-work", "manager", checkers_work),
    Visit("checkers-co-audit", "manager", checkers_co_audit),
    Visit("checkers-conversation", "manager", checkers_conversation),
]


PAGES = [
    path_visit("login", None, "/login", "Log in"),
    Visit("login-locked-out", None, login_locked_out),
    path_visit("not-allowed", "staff", "/admin/", "Not allowed", status=403),
    path_visit(
        "invitation-invalid", None, "/invitation/not-a-token", "This invitation cannot be used", 410
    ),
    path_visit("visits", "manager", "/visits/", "Monitoring visits"),
    path_visit("audits", "supervisor", "/audits/", "Audits"),
    Visit("audit-setup", "supervisor", audit_setup),
    Visit("audit-form", "supervisor", audit_form),
    Visit("audit-record", "manager", audit_record),
    path_visit("audits-due", "supervisor", "/audits/due", "Audits due"),
    path_visit("audit-plan", "manager", "/audits/plan", "Audit schedules"),
    Visit("audit-schedules", "manager", audit_schedules_of_a_service),
    Visit("champion-home", "champion@demo.test", champion_home),
    Visit("visit-record", "manager", visit_record),
    path_visit("settings", "admin", "/admin/settings/", "Monitoring visit settings"),
    *CHECKLIST_PAGES,
    Visit("login-failed", None, login_failed),
    path_visit("home-admin", "admin", "/", "Hello, Alex Morgan"),
    path_visit("home-manager", "manager", "/", "Hello, Priya Shah"),
    path_visit("home-supervisor", "supervisor", "/", "Hello, Jo Evans"),
    path_visit("home-staff", "staff", "/", "Hello, Sam Okafor"),
    path_visit("account", "staff", "/account", "Your account"),
    path_visit("change-password", "staff", "/account/password", "Change your password"),
    path_visit("admin-hub", "admin", "/admin/", "Admin"),
    path_visit("admin-hub-manager", "manager", "/admin/", "Admin"),
    path_visit("services", "admin", "/admin/services", "Services"),
    Visit("service-edit", "admin", service_edit),
    path_visit("service-new", "admin", "/admin/services/new", "Add a service"),
    path_visit("people", "manager", "/admin/people/", "People supported"),
    path_visit("person-new", "admin", "/admin/people/new", "Add a person"),
    path_visit("person-edit", "admin", "person_edit", "R01"),
    Visit("person-form-error", "admin", person_form_error),
    path_visit("staff", "admin", "/admin/staff/", "Staff"),
    path_visit("staff-new", "admin", "/admin/staff/new", "Add a member of staff"),
    path_visit("staff-edit", "admin", "staff_edit", "Aisha Khan"),
    path_visit("users", "admin", "/admin/users/", "Users"),
    path_visit("user-invite", "admin", "/admin/users/new", "Invite a user"),
    path_visit("user-edit", "admin", "user_edit", "Jo Evans"),
    Visit("invitation-link", "admin", invitation_link),
    Visit("invitation-acceptance", None, invitation_acceptance),
    path_visit("audit-log", "admin", "/admin/audit/", "Audit log"),
    path_visit("export", "admin", "/admin/export", "Export your data"),
    path_visit("retention", "admin", "/admin/retention/", "How long records are kept"),
    path_visit("redaction", "manager", "redact_quis_session", "Remove personal data"),
    path_visit("quis-sessions", "supervisor", "/quis/", "QUIS observations"),
    Visit("quis-session", "manager", quis_session),
    Visit("quis-recorder", "supervisor", quis_recorder),
    path_visit("sync-conflicts", "manager", "/sync/quarantine/", "Conflicting copies"),
    path_visit(
        "sync-conflict", "manager", "sync_conflict", "Conflicting copy of a QUIS observation"
    ),
    *FEEDBACK_PAGES,
    *DASHBOARD_PAGES,
    *ACTION_PAGES,
    *EVIDENCE_PAGES,
    *SELECTION_PAGES,
    *COMPLIMENT_PAGES,
    *VOICE_PAGES,
    *CHECKER_PAGES,
    path_visit("offline", None, "/offline", "You are offline"),
    path_visit("not-found", "admin", "/admin/nothing-here", "Not found", status=404),
]
