"""The audit form (document kind ``audit``) in the browser, as a supervisor uses it on a phone.

Audits of every subject type — a person by code, a care worker, an area, the whole service — are
recorded with no network once the page is cached, sent once when the connection returns, and
stored with their answers and band; a Not met item's proposed action becomes exactly one action.
Progress ("n of N answered", "Next unanswered") and a reload in the middle of an audit are checked
on their own. Outcomes are checked on the page, in the device outbox and in the database.
"""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from careobs.accounts.models import User
from careobs.actions.models import Action
from careobs.audits import starter
from careobs.audits.models import Audit, AuditAnswer
from careobs.checklists import service as checklists
from careobs.checklists.models import Checklist
from careobs.db import get_session
from tests.e2e.test_layout import layout_problems
from tests.e2e.waits import wait_until

ROSEWOOD = "Rosewood House"
RIVERSIDE = "Riverside Homecare"
SUPERVISION = "Supervision records audit"  # a staff audit: no starter template is one
WAITING = "Submitted. Saved on this device; it will be sent when there is a connection."
SENT = "Submitted and sent."

_USER = "document.querySelector('meta[name=\"careobs-user\"]').content"
_GET_DOC = f"async (id) => (await self.careobsOutbox.getDocument({_USER}, id)) ?? null"
_DOC_GONE = f"async (id) => (await self.careobsOutbox.getDocument({_USER}, id)) === undefined"


def device_doc(page: Page, doc_id: str) -> dict | None:
    return page.evaluate(_GET_DOC, doc_id)


@pytest.fixture(scope="module")
def staff_template(live_server) -> str:
    """A published audit template about a care worker in the demo organisation (its id)."""
    with live_server.app.app_context():
        db = get_session()
        admin = db.scalar(sa.select(User).where(User.email == "admin@demo.test"))
        found = db.scalar(
            sa.select(Checklist).where(
                Checklist.organisation_id == admin.organisation_id, Checklist.name == SUPERVISION
            )
        )
        if found is None:
            draft = checklists.create_audit_template(
                db,
                admin.organisation_id,
                admin,
                name=SUPERVISION,
                subject_type="staff",
                description="",
                frequency_days=90,
                cqc_statements=["S6"],
                green_from=90,
                amber_from=75,
            )
            checklists.fill(
                draft,
                [
                    (
                        "Records",
                        [("Supervision held on time", False, ""), ("Notes signed", False, "")],
                    ),
                    ("Training", [("Mandatory training in date", True, "")]),
                ],
            )
            checklists.publish(db, draft, admin)
            db.commit()
            found = draft.checklist
        return str(found.uuid)


def stored(live_server, doc_id: str) -> list[dict]:
    """Every stored audit with this document id, with its answers and the actions it raised."""
    with live_server.app.app_context():
        db = get_session()
        audits = db.scalars(sa.select(Audit).where(Audit.uuid == uuid.UUID(doc_id))).all()
        found = []
        for audit in audits:
            ratings = db.scalars(
                sa.select(AuditAnswer.rating).where(AuditAnswer.audit_id == audit.id)
            ).all()
            raised = db.scalars(sa.select(Action).where(Action.audit_id == audit.id)).all()
            found.append(
                {
                    "status": audit.status,
                    "template": audit.checklist_version.checklist.name,
                    "subject_type": audit.subject_type,
                    "subject": audit.subject_text,
                    "service": audit.service.name,
                    "score": audit.score,
                    "band": audit.band,
                    "critical_failures": audit.critical_failures,
                    "ratings": sorted(ratings),
                    "actions": [(a.description, a.source) for a in raised],
                }
            )
        return found


def items_of(page: Page, doc_id: str) -> list[dict]:
    """The audit's template items in order, as the device holds them."""
    doc = device_doc(page, doc_id)
    return [item for domain in doc["template"]["domains"] for item in domain["items"]]


def rate(page: Page, item: dict, rating: str) -> None:
    page.locator(f'label[for="rating-{item["id"]}-{rating}"]').click()
    expect(page.locator(f"#rating-{item['id']}-{rating}")).to_be_checked()


def answer_all(page: Page, items: list[dict], plan: dict[int, str]) -> None:
    """Rate every item: Met unless ``plan`` (by index) says otherwise; the count is redrawn
    only once the answer is saved on the device, so waiting for it waits for IndexedDB."""
    for index, item in enumerate(items):
        rate(page, item, plan.get(index, "met"))
        expect(page.locator("[data-answered]")).to_have_text(
            f"{index + 1} of {len(items)} answered"
        )


def start(page: Page, template: str, service: str, subject: str | None) -> str:
    """Open the form for ``template`` (as the audits page's start link does), fill in the
    set-up and start; returns the new document id."""
    page.goto(f"/audits/record?template={template}")
    expect(page.locator("#audit-setup")).to_be_visible()
    page.get_by_label("Service").select_option(label=service)
    if subject is None:
        expect(page.locator("#a-subject")).to_be_disabled()
        expect(page.locator("#a-subject")).to_have_text("The whole service")
    else:
        page.locator("#a-subject").select_option(label=subject)
    page.get_by_role("button", name="Start audit").click()
    expect(page.locator("#audit-form")).to_be_visible()
    doc_id = page.url.split("#", 1)[1]
    uuid.UUID(doc_id)
    return doc_id


def template_id(live_server, name: str) -> str:
    with live_server.app.app_context():
        return str(get_session().scalar(sa.select(Checklist.uuid).where(Checklist.name == name)))


def test_audits_of_every_subject_type_offline_sync_once(open_app, live_server, staff_template):
    context = open_app(as_user="supervisor")
    page = context.new_page()

    # Online once: the audits page offers every template, then the form under the worker.
    response = page.goto("/audits/")
    assert response is not None and response.status == 200
    for t in starter.TEMPLATES:
        expect(page.get_by_role("link", name=t.name, exact=True)).to_be_visible()
    page.get_by_role("link", name=starter.CARE_PLAN.name, exact=True).click()
    expect(page.locator("#audit-setup")).to_be_visible()
    expect(page.locator("#a-template option:checked")).to_have_text(starter.CARE_PLAN.name)
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    assert page.evaluate("() => Boolean(navigator.serviceWorker.controller)")
    # The worker keeps the capture pages (a page opened with a query is not kept as it is).
    wait_until(page, "async () => Boolean(await caches.match('/audits/record'))")

    context.set_offline(True)
    page.reload()
    expect(page.locator("#audit-setup")).to_be_visible()
    assert page.evaluate("() => navigator.onLine") is False

    # The care plan audit of a person: one plain item Not met with a proposed action, one N/A.
    care_plan = start(page, template_id(live_server, starter.CARE_PLAN.name), ROSEWOOD, "R01")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{starter.CARE_PLAN.name}: R01")
    items = items_of(page, care_plan)
    plain = next(i for i, item in enumerate(items) if not item["critical"])
    answer_all(page, items, {plain: "not_met", len(items) - 1: "na"})
    not_met = items[plain]
    action_box = page.locator(f"#act-{not_met['id']}")
    expect(action_box).to_be_visible()
    expect(page.locator(f"#act-{items[0 if plain else 1]['id']}")).to_be_hidden()
    page.locator(f"#act-{not_met['id']}-what").fill("Update the plan with the person and family")
    page.locator(f"#act-{not_met['id']}-due").fill("2030-01-31")
    expect(page.locator("[data-actions] li")).to_have_count(1)
    expect(page.locator("[data-actions] li")).to_contain_text(
        "Update the plan with the person and family · Jo Evans (you) · by 31/01/2030"
    )
    # By hand: 12 Met (24) + 1 Not met (0) of 13 applicable items (26 points) = 92.3%: green.
    applicable = len(items) - 1
    points = 2 * (applicable - 1)
    score = f"{points * 100 / (2 * applicable):.1f}%"
    expect(page.locator("[data-score]")).to_have_text(f"Score {score}")
    expect(page.locator("[data-band]")).to_have_text("Green")
    expect(page.locator("[data-outcome]")).to_contain_text("Green: meets the standard")
    page.get_by_role("button", name="Submit audit").click()
    expect(page.locator("[data-submitted]")).to_have_text(WAITING)

    # The IPC audit of an area: a critical item Not met forces red, said in words.
    ipc = start(page, template_id(live_server, starter.INFECTION_CONTROL.name), ROSEWOOD, "Lounge")
    items = items_of(page, ipc)
    critical = next(i for i, item in enumerate(items) if item["critical"])
    answer_all(page, items, {critical: "not_met"})
    expect(page.locator("[data-band]")).to_have_text("Red (critical item not met)")
    expect(page.locator("[data-outcome]")).to_contain_text(
        "Red: significant improvement needed (1 critical item not met: red whatever the score)"
    )
    page.get_by_role("button", name="Submit audit").click()
    expect(page.locator("[data-submitted]")).to_have_text(WAITING)

    # The incidents review of the whole service: no subject to choose.
    incidents = start(
        page, template_id(live_server, starter.BEHAVIOUR_AND_INCIDENTS.name), RIVERSIDE, None
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{starter.BEHAVIOUR_AND_INCIDENTS.name}: the whole service"
    )
    answer_all(page, items_of(page, incidents), {0: "partly"})
    page.get_by_role("button", name="Submit audit").click()
    expect(page.locator("[data-submitted]")).to_have_text(WAITING)

    # The supervision audit of a care worker.
    supervision = start(page, staff_template, RIVERSIDE, "Zara Hussain (Care worker)")
    answer_all(page, items_of(page, supervision), {})
    page.get_by_role("button", name="Submit audit").click()
    expect(page.locator("[data-submitted]")).to_have_text(WAITING)

    documents = (care_plan, ipc, incidents, supervision)
    for doc_id in documents:
        assert device_doc(page, doc_id)["data"]["status"] == "submitted"
        assert stored(live_server, doc_id) == []

    # Back online: each is sent once and leaves the device.
    context.set_offline(False)
    for doc_id in documents:
        wait_until(page, _DOC_GONE, doc_id)
    expect(page.locator("[data-submitted]")).to_have_text(SENT)

    [first] = stored(live_server, care_plan)
    assert (first["status"], first["subject_type"], first["subject"]) == (
        "submitted",
        "person",
        "R01",
    )
    assert (first["band"], f"{first['score']:.1f}%", first["critical_failures"]) == (
        "green",
        score,
        0,
    )
    assert first["ratings"].count("not_met") == 1 and first["ratings"].count("na") == 1
    assert first["actions"] == [("Update the plan with the person and family", "audit")]

    [second] = stored(live_server, ipc)
    assert (second["subject_type"], second["subject"], second["band"]) == ("area", "Lounge", "red")
    assert second["critical_failures"] == 1 and second["actions"] == []

    [third] = stored(live_server, incidents)
    assert (third["subject_type"], third["subject"], third["service"]) == (
        "service",
        "the service",
        RIVERSIDE,
    )
    assert third["ratings"].count("partly") == 1

    [fourth] = stored(live_server, supervision)
    assert (fourth["subject_type"], fourth["subject"], fourth["band"]) == (
        "staff",
        "Zara Hussain",
        "green",
    )

    # The stored audit's page says the outcome in words and links the action it raised.
    page.goto(f"/audits/{care_plan}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{starter.CARE_PLAN.name}: R01")
    expect(page.locator(".outcome-line")).to_contain_text(f"{score} · Green: meets the standard")
    expect(
        page.get_by_role("link", name="Update the plan with the person and family")
    ).to_be_visible()


def test_progress_next_unanswered_and_reload_keep_the_draft(open_page, live_server, axe):
    page = open_page(width=320, height=640, as_user="supervisor")
    doc_id = start(page, template_id(live_server, starter.MEDICINES_RECORDS.name), ROSEWOOD, "R02")
    items = items_of(page, doc_id)
    total = len(items)
    expect(page.locator("[data-answered]")).to_have_text(f"0 of {total} answered")
    assert layout_problems(page) == []
    axe(page)

    # Three answered in order, then "Next unanswered" goes to the fourth.
    for index in range(3):
        rate(page, items[index], "met")
        expect(page.locator("[data-answered]")).to_have_text(f"{index + 1} of {total} answered")
    page.get_by_role("button", name="Next unanswered").click()
    expect(page.locator(f"#rating-{items[3]['id']}-met")).to_be_focused()
    # "Go to…" lists each section with how much of it is answered, and moves there.
    jump = page.get_by_label("Go to a part of the audit")
    expect(jump.locator("option").nth(1)).to_contain_text("(3 of ")
    jump.select_option(label="Summary")
    expect(page.get_by_role("heading", name="Summary (optional)")).to_be_focused()
    # A comment and a Partly met further down; then a reload keeps every answer.
    rate(page, items[5], "partly")
    expect(page.locator("[data-answered]")).to_have_text(f"4 of {total} answered")
    page.get_by_role("button", name="Next unanswered").click()
    expect(page.locator(f"#rating-{items[3]['id']}-met")).to_be_focused()
    comment = page.locator(f"#comment-{items[0]['id']}")
    comment.locator("xpath=ancestor::details/summary").click()
    comment.fill("Two gaps on the back page")
    wait_until(
        page,
        f"""async (id) => {{
          const doc = await self.careobsOutbox.getDocument({_USER}, id);
          return doc.data.answers.some((a) => a.comment === "Two gaps on the back page");
        }}""",
        doc_id,
    )
    page.reload()
    expect(page.locator("#audit-form")).to_be_visible()
    expect(page.locator("[data-answered]")).to_have_text(f"4 of {total} answered")
    for index in (0, 1, 2):
        expect(page.locator(f"#rating-{items[index]['id']}-met")).to_be_checked()
    expect(page.locator(f"#rating-{items[5]['id']}-partly")).to_be_checked()
    expect(page.locator(f"#comment-{items[0]['id']}")).to_have_value("Two gaps on the back page")

    # Submitting an unfinished audit says what is left and sends nothing.
    page.get_by_role("button", name="Submit audit").click()
    expect(page.locator("[data-submit-errors] li")).to_have_text(
        [
            f"Answer every item ({total - 4} left, first: “{items[3]['text']}”). "
            "Use N/A where it does not apply."
        ]
    )
    assert device_doc(page, doc_id)["state"] == "draft"
    assert stored(live_server, doc_id) == []

    # The draft is offered on the set-up screen, and opens where it was left.
    page.goto("/audits/record")
    expect(page.locator("#audit-drafts")).to_be_visible()
    expect(page.locator("#audit-drafts a")).to_contain_text(starter.MEDICINES_RECORDS.name)
    assert layout_problems(page) == []
    page.locator("#audit-drafts a").click()
    expect(page.locator("[data-answered]")).to_have_text(f"4 of {total} answered")

    # Finished and submitted online: sent at once; its stored page reads well at 320 px.
    left_to_answer = [i for i in range(total) if i not in (0, 1, 2, 5)]
    for index in left_to_answer:
        rate(page, items[index], "met")
    expect(page.locator("[data-answered]")).to_have_text(f"{total} of {total} answered")
    expect(page.get_by_role("button", name="Next unanswered")).to_be_hidden()
    page.get_by_role("button", name="Submit audit").click()
    expect(page.locator("[data-submitted]")).to_have_text(SENT)
    [audit] = stored(live_server, doc_id)
    assert (audit["status"], audit["subject"], audit["ratings"].count("partly")) == (
        "submitted",
        "R02",
        1,
    )
    page.goto(f"/audits/{doc_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{starter.MEDICINES_RECORDS.name}: R02"
    )
    expect(page.get_by_text("Two gaps on the back page")).to_be_visible()
    assert layout_problems(page) == []
    axe(page)


def bootstrap_changed(page: Page, change) -> None:
    """Serve the page a bootstrap that ``change(body)`` altered (in place)."""

    def handle(route):
        body = route.fetch().json()
        change(body)
        route.fulfill(json=body)

    page.route("**/api/v1/bootstrap", handle)


def test_the_live_band_follows_the_templates_own_bands(open_page, live_server):
    """A template whose green starts at 95% makes 92.9% amber on the phone, as on the server."""
    page = open_page(as_user="supervisor")
    care_plan = template_id(live_server, starter.CARE_PLAN.name)

    def stricter(body):
        assert body["settings"]["audits"]["bands"][care_plan] == {
            "green_from": 90,
            "amber_from": 75,
        }
        body["settings"]["audits"]["bands"][care_plan] = {"green_from": 95, "amber_from": 90}

    bootstrap_changed(page, stricter)
    doc_id = start(page, care_plan, ROSEWOOD, "R01")
    items = items_of(page, doc_id)
    plain = next(i for i, item in enumerate(items) if not item["critical"])
    answer_all(page, items, {plain: "not_met"})
    # By hand: 13 Met and 1 Not met = 26 of 28 points = 92.9%: amber between 90 and 95.
    expect(page.locator("[data-score]")).to_have_text("Score 92.9%")
    expect(page.locator("[data-band]")).to_have_text("Amber")
    expect(page.locator("[data-outcome]")).to_contain_text("Amber: some improvement needed")
    expect(page.locator("[data-outcome]")).to_contain_text(
        "Green from 95%, amber from 90%, red below."
    )


def test_no_published_template_is_said_at_once(open_page):
    page = open_page(as_user="supervisor")
    bootstrap_changed(page, lambda body: body.update(audit_templates=[]))
    page.goto("/audits/record")
    expect(page.locator("#audit-setup-errors li")).to_have_text(
        ["No audit template is published yet: ask an administrator to publish one."]
    )
    page.get_by_role("button", name="Start audit").click()
    expect(page.locator("#audit-setup")).to_be_visible()
    assert "#" not in page.url


def test_an_audit_the_server_refuses_needs_attention(open_page, live_server):
    """The server's reason is shown on the form and in the audits page's device list, and the
    audit stays on the device to be tried again."""
    page = open_page(as_user="supervisor")
    reason = "R01 is not a person supported by this service."

    def refuse(route):
        [document] = route.request.post_data_json["documents"]
        errors = {"subject.code": [reason]}
        result = {"id": document["id"], "status": "invalid", "revision": 0, "errors": errors}
        route.fulfill(json={"results": [result]})

    page.route("**/api/v1/sync", refuse)
    doc_id = start(page, template_id(live_server, starter.CARE_PLAN.name), ROSEWOOD, "R01")
    answer_all(page, items_of(page, doc_id), {})
    page.get_by_role("button", name="Submit audit").click()
    expect(page.locator("[data-submitted]")).to_contain_text(
        "Submitted, but the server did not accept it:"
    )
    expect(page.locator("[data-submitted]")).to_contain_text(reason)
    assert device_doc(page, doc_id)["state"] == "attention"
    assert stored(live_server, doc_id) == []

    page.goto("/audits/")
    record = page.locator("#device-records [data-current] li")
    expect(record).to_have_count(1)
    expect(record).to_contain_text("Needs attention")
    expect(record).to_contain_text(reason)
    expect(record.get_by_role("button", name="Try again")).to_be_visible()
    expect(record.get_by_role("link")).to_have_attribute("href", f"/audits/record#{doc_id}")


def test_a_refusal_is_shown_in_the_servers_own_words(open_page, live_server):
    """A refused audit ("forbidden") shows the server's sentence as it is, with no field name
    in front of it: it is written for the care worker holding the phone."""
    page = open_page(as_user="supervisor")
    reason = (
        "You are not an audit champion for Care plan audit at Rosewood House any more, so the "
        "server cannot keep this audit. Ask your manager."
    )

    def refuse(route):
        [document] = route.request.post_data_json["documents"]
        errors = {"template_id": [reason]}
        result = {"id": document["id"], "status": "forbidden", "revision": 0, "errors": errors}
        route.fulfill(json={"results": [result]})

    page.route("**/api/v1/sync", refuse)
    doc_id = start(page, template_id(live_server, starter.CARE_PLAN.name), ROSEWOOD, "R01")
    answer_all(page, items_of(page, doc_id), {})
    page.get_by_role("button", name="Submit audit").click()
    expect(page.locator("[data-submitted]")).to_contain_text(reason)
    assert device_doc(page, doc_id)["message"] == reason


def test_a_link_can_name_the_template_service_and_subject(open_page, live_server):
    """What "Audits due" links to: the set-up filled in, ready to start; a subject not on the
    device's lists is left to choose."""
    page = open_page(as_user="supervisor")
    ipc = template_id(live_server, starter.INFECTION_CONTROL.name)
    bootstrap = page.request.get("/api/v1/bootstrap").json()
    rosewood = next(s for s in bootstrap["services"] if s["name"] == ROSEWOOD)
    lounge = next(a for a in rosewood["areas"] if a["name"] == "Lounge")
    page.goto(f"/audits/record?template={ipc}&service={rosewood['id']}&subject={lounge['id']}")
    expect(page.locator("#a-template option:checked")).to_have_text(starter.INFECTION_CONTROL.name)
    expect(page.locator("#a-service option:checked")).to_have_text(ROSEWOOD)
    expect(page.locator("#a-subject option:checked")).to_have_text("Lounge")
    page.get_by_role("button", name="Start audit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{starter.INFECTION_CONTROL.name}: Lounge"
    )

    page.goto(f"/audits/record?template={ipc}&service={rosewood['id']}&subject={uuid.uuid4()}")
    expect(page.locator("#a-subject option:checked")).to_have_text("Choose an area")
