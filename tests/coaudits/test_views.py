"""The comparison's API and page and the follow-up of a difference, through the Flask test
client: every role, the other organisation, nobody logged in and hostile input — the right
status, never a 5xx. Figures: see conftest.py (10 of 12 items agree)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from markupsafe import escape

from careobs.actions.models import Action
from careobs.audits.models import CoAuditFollowUp
from careobs.checklists.models import ChecklistItem
from careobs.db import utcnow
from tests.support.coaudits import co_audit
from tests.support.database import count
from tests.support.web import Auth, CsrfClient, assert_no_inline_code

ROLES = ("admin", "manager", "supervisor", "staff", "other")
# Who sees the comparison: who may read both audits. Sue wrote the co-audit but may not read
# Mo's audit (a supervisor does not read audits she did not write), so she does not see it.
SEES = {"admin": 200, "manager": 200, "supervisor": 404, "staff": 404, "other": 404}


def users(org, other):
    return {
        "admin": org.admin,
        "manager": org.manager,
        "supervisor": org.supervisor,
        "staff": org.staff,
        "other": other.admin,
    }


def api(client, audit_id):
    return client.get(f"/api/v1/audits/{audit_id}/comparison")


@pytest.mark.parametrize("role", ROLES)
def test_the_api_for_every_role_by_either_id(org, other, pair, login_as, role):
    staff_audit, co = pair
    client = login_as(users(org, other)[role])
    for audit_id in (co.uuid, staff_audit.uuid):
        response = api(client, audit_id)
        assert response.status_code == SEES[role]
        assert response.mimetype == "application/json"
        if SEES[role] != 200:
            assert response.get_json()["error"]["code"] == "not_found"
            continue
        body = response.get_json()
        assert body["audit"] == str(staff_audit.uuid) and body["co_audit"] == str(co.uuid)
        assert body["agreement"] == pytest.approx(10 / 12)
        assert body["compared_items"] == 12 and body["agreed_items"] == 10
        assert len(body["items"]) == 14


def test_the_items_name_the_template_items_and_put_differences_first(pair, plan, login_as, org):
    _staff_audit, co = pair
    body = api(login_as(org.manager), co.uuid).get_json()
    by_index = {item.id: n for n, item in enumerate(plan.items)}
    order = [by_index[i["item_id"]] for i in body["items"]]
    assert order == [0, 4, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13]
    first, second = body["items"][:2]
    assert first == {
        "item_id": plan.items[0].id,
        "audit": "not_met",
        "co_audit": "met",
        "agree": False,
        "compared": True,
    }
    assert second["audit"] == "met" and second["co_audit"] == "not_met"
    twelve = body["items"][12]
    assert (twelve["audit"], twelve["co_audit"], twelve["agree"]) == ("na", "met", False)
    assert twelve["compared"] is False


def test_nobody_logged_in_gets_401_and_the_page_a_login(pair, client):
    _, co = pair
    response = api(client, co.uuid)
    assert response.status_code == 401 and response.mimetype == "application/json"
    assert client.get(f"/audits/{co.uuid}/comparison").status_code in (302, 401)


@pytest.fixture
def manager(org, login_as):
    return login_as(org.manager)


def test_latest_submitted_co_audit_is_what_the_staff_audit_leads_to(db, org, pair, manager):
    staff_audit, co = pair
    later = co_audit(
        db,
        staff_audit,
        by=org.manager,
        with_="quality_checker",
        code=None,
        ratings={0: "not_met", 3: "partly"},
        started_at=co.started_at + timedelta(days=1),
    )
    co_audit(
        db,
        staff_audit,
        by=org.manager,
        started_at=co.started_at + timedelta(days=2),
        status="draft",
    )
    body = api(manager, staff_audit.uuid).get_json()
    assert body["co_audit"] == str(later.uuid)
    # Item 12 is N/A on the staff audit: 13 compared; the quality checker agrees with all 13.
    assert (body["compared_items"], body["agreed_items"]) == (13, 13)
    assert body["agreement"] == 1.0
    # The earlier co-audit is still reached by its own id.
    assert api(manager, co.uuid).get_json()["co_audit"] == str(co.uuid)


def test_a_staff_audit_without_a_co_audit_is_not_found(staff_audit, manager):
    response = api(manager, staff_audit.uuid)
    assert response.status_code == 404
    assert manager.get(f"/audits/{staff_audit.uuid}/comparison").status_code == 404


def test_a_co_audit_whose_staff_audit_has_not_arrived(db, org, staff_audit, manager):
    early = co_audit(
        db,
        None,
        by=org.manager,
        compare_with=uuid.uuid4(),
        version=staff_audit.checklist_version,
        service=org.care_home,
        started_at=staff_audit.started_at,
    )
    response = api(manager, early.uuid)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "staff_audit_not_arrived"
    assert error["message"] == (
        "The staff audit this co-audit is compared with has not reached the server yet."
    )
    page = manager.get(f"/audits/{early.uuid}/comparison")
    assert page.status_code == 200
    assert "has not reached the server yet" in page.get_data(as_text=True)
    follow = manager.post(f"/audits/{early.uuid}/comparison/follow-up", data={"item": "x"})
    assert follow.status_code == 403


def test_a_co_audit_naming_another_organisations_audit_compares_with_nothing(
    db, org, other, staff_audit, manager, data
):
    """Its staff audit is "not arrived" for Acme: another organisation's audit is never read."""
    early = co_audit(
        db,
        None,
        by=org.manager,
        compare_with=staff_audit.uuid,
        version=staff_audit.checklist_version,
        service=org.care_home,
        started_at=staff_audit.started_at,
    )
    staff_audit.organisation_id = other.org.id
    db.commit()
    assert api(manager, early.uuid).status_code == 409


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/audits/not-a-uuid/comparison",
        "/api/v1/audits/%00/comparison",
        "/api/v1/audits/%ED%A0%80/comparison",
        "/api/v1/audits/99999999999999999999999999/comparison",
        f"/api/v1/audits/{uuid.uuid5(uuid.NAMESPACE_URL, 'unknown')}/comparison",
        "/audits/not-a-uuid/comparison",
        f"/audits/{uuid.uuid5(uuid.NAMESPACE_URL, 'unknown')}/comparison",
    ],
)
def test_bad_addresses_are_not_found(pair, manager, path):
    assert manager.get(path).status_code == 404


def test_the_page_in_words(pair, plan, manager):
    _staff_audit, co = pair
    response = manager.get(f"/audits/{co.uuid}/comparison")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert_no_inline_code(page)
    assert "10 of 12 items agree (83%)" in page
    assert "Items where either answer is N/A or “Not sure” are left out" in page
    assert "Co-audit with R01" in page
    assert "Staff audit: Not met · R01: Yes" in page
    assert "Staff audit: Met · R01: No" in page
    assert "Staff audit: N/A · R01: Yes" in page
    # Differences first: item 0, then item 4, then the rest in order.
    positions = [page.index(str(escape(plan.items[n].text))) for n in (0, 4, 1, 2)]
    assert positions == sorted(positions)
    assert page.count('name="item"') == 2
    # Never a staff member's name: not the co-auditor's, not the staff auditor's.
    assert "Sue Supervisor" not in page and "Mo Manager" not in page


@pytest.mark.parametrize("role", ROLES)
def test_the_page_for_every_role(org, other, pair, login_as, role):
    _, co = pair
    response = login_as(users(org, other)[role]).get(f"/audits/{co.uuid}/comparison")
    assert response.status_code == SEES[role]


def follow_up(client, audit_id, item, **kwargs):
    return client.post(f"/audits/{audit_id}/comparison/follow-up", data={"item": item}, **kwargs)


def test_one_tap_raises_one_action_owned_by_who_tapped_due_in_14_days(db, org, pair, plan, manager):
    staff_audit, co = pair
    key = plan.items[0].key
    response = follow_up(manager, co.uuid, key.hex)
    assert response.status_code == 302
    action = db.scalar(sa.select(Action))
    assert response.headers["Location"].endswith(f"/actions/{action.uuid}")
    assert action.owner_user_id == org.manager.id and action.created_by_id == org.manager.id
    assert action.source == "audit" and action.audit_id == co.id
    assert action.status == "open"
    zone_today = utcnow().astimezone(ZoneInfo("Europe/London")).date()
    assert action.due_on == zone_today + timedelta(days=14)
    # The question as the person was asked it: the starter templates' easy-read wording.
    asked = db.scalar(
        sa.select(ChecklistItem.easy_read_text).where(ChecklistItem.key == plan.items[0].key)
    )
    assert asked
    assert action.description == (
        f"Follow up R01's co-audit: '{asked}' — staff audit Not met, R01 said Yes"
    )
    assert "W7" in action.cqc_tags
    [followed] = db.scalars(sa.select(CoAuditFollowUp)).all()
    assert (followed.audit_id, followed.item_key, followed.action_id) == (co.id, key, action.id)
    # Again, by either id, from another session: the same action, nothing new.
    again = follow_up(manager, staff_audit.uuid, str(key))
    assert again.status_code == 302 and again.headers["Location"].endswith(str(action.uuid))
    assert count(db, Action) == 1 and count(db, CoAuditFollowUp) == 1
    page = manager.get(f"/audits/{co.uuid}/comparison").get_data(as_text=True)
    assert "Followed up:" in page and f"/actions/{action.uuid}" in page
    assert page.count('name="item"') == 1  # only item 4 is still to follow up


@pytest.mark.parametrize("role", ROLES)
def test_who_may_follow_up(db, org, other, pair, plan, login_as, role):
    _, co = pair
    response = follow_up(login_as(users(org, other)[role]), co.uuid, plan.items[4].key.hex)
    assert response.status_code == {"admin": 302, "manager": 302}.get(role, 404)
    assert count(db, Action) == (1 if role in ("admin", "manager") else 0)


@pytest.mark.parametrize(
    "item",
    [
        None,
        "",
        "\x00",
        "\ud800",
        "9" * 400,
        "not-a-key",
        str(uuid.uuid5(uuid.NAMESPACE_URL, "unknown")),
        "agreeing",
        "not compared",
    ],
)
def test_bad_items_are_refused_and_raise_nothing(db, pair, plan, manager, item):
    _, co = pair
    item = {"agreeing": plan.items[1].key.hex, "not compared": plan.items[12].key.hex}.get(
        item, item
    )
    if item == "\ud800":  # a lone surrogate cannot be encoded: send its raw UTF-8-ish bytes
        data, kwargs = b"item=%ED%A0%80", {"content_type": "application/x-www-form-urlencoded"}
    else:
        data, kwargs = ({} if item is None else {"item": item}), {}
    response = manager.post(f"/audits/{co.uuid}/comparison/follow-up", data=data, **kwargs)
    assert response.status_code == 400
    assert "Only an item on which the two audits differ" in response.get_data(as_text=True)
    assert count(db, Action) == 0 and count(db, CoAuditFollowUp) == 0


def test_a_follow_up_without_the_csrf_token_is_refused(app, db, pair, plan, org):
    _, co = pair
    app.test_client_class = CsrfClient
    client = app.test_client()
    Auth(client).login(org.manager)
    response = client.post(
        f"/audits/{co.uuid}/comparison/follow-up", data={"item": plan.items[0].key.hex}, csrf=False
    )
    assert response.status_code == 400
    assert count(db, Action) == 0


def test_both_audits_pages_link_to_the_comparison_and_lists_label_co_audits(db, org, pair, manager):
    staff_audit, co = pair
    link = f"/audits/{co.uuid}/comparison"
    for audit in (staff_audit, co):
        page = manager.get(f"/audits/{audit.uuid}").get_data(as_text=True)
        assert link in page and "See the comparison" in page
    listed = manager.get("/audits/").get_data(as_text=True)
    assert listed.count("Co-audit with R01") == 1
    checker = co_audit(db, staff_audit, by=org.manager, with_="quality_checker", code=None)
    listed = manager.get("/audits/").get_data(as_text=True)
    assert "Co-audit by a quality checker" in listed
    assert f"/audits/{checker.uuid}/comparison" in manager.get(f"/audits/{checker.uuid}").get_data(
        as_text=True
    )


def test_a_staff_audit_with_no_co_audit_has_no_comparison_link(staff_audit, manager):
    page = manager.get(f"/audits/{staff_audit.uuid}").get_data(as_text=True)
    assert "See the comparison" not in page and "/comparison" not in page


def test_the_answer_is_described_in_the_openapi_document(pair, manager, client):
    _, co = pair
    spec = client.get("/api/v1/openapi.json").get_json()
    path = spec["paths"]["/api/v1/audits/{audit_id}/comparison"]["get"]
    assert set(path["responses"]) == {"200", "401", "404", "409"}
    schema = spec["components"]["schemas"]["Comparison"]
    body = api(manager, co.uuid).get_json()
    assert set(schema["required"]) <= set(body) <= set(schema["properties"])
    item_schema = schema["properties"]["items"]["items"]
    for item in body["items"]:
        assert set(item_schema["required"]) <= set(item) <= set(item_schema["properties"])
        assert item["audit"] in item_schema["properties"]["audit"]["enum"]


def test_a_draft_co_audit_is_compared_but_not_followed_up(db, org, staff_audit, plan, manager):
    draft = co_audit(
        db, staff_audit, by=org.manager, ratings={0: "met"}, status="draft", answered=5
    )
    body = api(manager, draft.uuid).get_json()
    # Items 5-13 unanswered on the draft: not compared; of 0-4, item 0 differs, 3 Partly/Met.
    assert body["compared_items"] == 5 and body["agreed_items"] == 3
    page = manager.get(f"/audits/{draft.uuid}/comparison").get_data(as_text=True)
    assert "Not in this co-audit" in page and 'name="item"' not in page
    response = follow_up(manager, draft.uuid, plan.items[0].key.hex)
    assert response.status_code == 403 and count(db, Action) == 0


def test_the_co_audit_page_links_to_its_comparison_only_for_who_may_see_it(db, org, pair, login_as):
    _, co = pair
    # Sue wrote the co-audit but may not read Mo's staff audit: no link to a page she cannot see.
    page = login_as(org.supervisor).get(f"/audits/{co.uuid}").get_data(as_text=True)
    assert "See the comparison" not in page
