"""One rule says which staff audit a co-audit is compared with
(careobs.permissions.comparisons.same_pair / pair_mismatch), asked again when the staff audit
arrives AFTER its co-audit: a device offline may name an audit the server does not hold yet,
and what then arrives under that id may be about another person, template or service. Such a
pair is never compared (409 ``staff_audit_mismatch``) nor counted in the figures; a draft
staff audit answers 409 ``staff_audit_not_submitted`` until it is submitted."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from careobs.coaudits.queries import co_audit_rows, most_disagreed
from careobs.permissions.comparisons import MISMATCH, NOT_SUBMITTED
from tests.support.audits import CARE_PLAN, MAR, STARTED, audit_doc, person, template_info
from tests.support.coaudits import co_audit, stored_audit
from tests.support.sync import SyncApi

START, END = STARTED - timedelta(days=1), STARTED + timedelta(days=1)


def api(client, audit_id):
    return client.get(f"/api/v1/audits/{audit_id}/comparison")


@pytest.fixture
def early(db, org, staff_audit):
    """Sue's co-audit of R01 (care plan, care home, every item Met, one Not met) naming an
    audit id the server does not hold yet."""
    return co_audit(
        db,
        None,
        by=org.supervisor,
        compare_with=uuid.uuid4(),
        version=staff_audit.checklist_version,
        service=org.care_home,
        started_at=STARTED + timedelta(hours=2),
        ratings={0: "not_met"},
    )


def arrive(db, login_as, user, document, early):
    """The staff audit the co-audit names reaches the server second, under the id it named."""
    document["id"] = str(early.compare_with)
    [result] = SyncApi(login_as(user))(document)
    assert result["status"] == "created", result
    return stored_audit(db, document["id"])


def assert_never_compared(db, org, manager, early, staff):
    response = api(manager, early.uuid)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "staff_audit_mismatch"
    assert error["message"] == MISMATCH
    page = manager.get(f"/audits/{early.uuid}/comparison")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "is about another person/template/service" in text
    assert "agreement-title" not in text and "Staff audit:" not in text
    # The staff audit's own id does not lead to a co-audit that is not its own.
    assert api(manager, staff.uuid).status_code == 404
    follow = manager.post(f"/audits/{early.uuid}/comparison/follow-up", data={"item": "x"})
    assert follow.status_code == 403
    # Figures: listed, not arrived, nothing compared, no item disagreed on.
    services = [org.care_home.id, org.homecare.id]
    [row] = [r for r in co_audit_rows(db, services, START, END) if r.id == early.id]
    assert (row.arrived, row.compared, row.agreed) == (False, 0, 0)
    assert most_disagreed(db, [early.id]) == []


def test_a_staff_audit_of_another_person_arriving_second(db, org, early, login_as):
    document = audit_doc(org.care_home, _plan(db, early), person("R02"))
    staff = arrive(db, login_as, org.manager, document, early)
    assert_never_compared(db, org, login_as(org.manager), early, staff)


def test_a_staff_audit_of_another_template_arriving_second(db, org, early, templates, login_as):
    document = audit_doc(org.care_home, templates[MAR], person("R01"))
    staff = arrive(db, login_as, org.manager, document, early)
    assert_never_compared(db, org, login_as(org.manager), early, staff)


def test_a_staff_audit_of_another_service_arriving_second(db, org, early, login_as):
    document = audit_doc(org.homecare, _plan(db, early), person("H01"))
    staff = arrive(db, login_as, org.admin, document, early)
    # The care home's manager is told it is not its pair, and nothing of the homecare audit.
    assert_never_compared(db, org, login_as(org.admin), early, staff)


def test_the_matching_staff_audit_arriving_second_is_compared(db, org, early, login_as):
    """The control: the same steps with the right person give the comparison (13 of 14 agree)."""
    document = audit_doc(org.care_home, _plan(db, early), person("R01"))
    arrive(db, login_as, org.manager, document, early)
    body = api(login_as(org.manager), early.uuid).get_json()
    assert (body["compared_items"], body["agreed_items"]) == (14, 13)
    [row] = [r for r in co_audit_rows(db, [org.care_home.id], START, END) if r.id == early.id]
    assert (row.arrived, row.compared, row.agreed) == (True, 14, 13)
    [item] = most_disagreed(db, [early.id])
    assert (item.compared, item.differed) == (1, 1)


def test_a_draft_staff_audit_is_not_compared_until_submitted(db, org, early, login_as):
    manager = login_as(org.manager)
    document = audit_doc(org.care_home, _plan(db, early), person("R01"), status="draft")
    staff = arrive(db, login_as, org.manager, document, early)
    for audit_id in (early.uuid, staff.uuid):
        response = api(manager, audit_id)
        assert response.status_code == 409
        error = response.get_json()["error"]
        assert (error["code"], error["message"]) == ("staff_audit_not_submitted", NOT_SUBMITTED)
    page = manager.get(f"/audits/{early.uuid}/comparison")
    assert "still a draft" in page.get_data(as_text=True)
    [row] = [r for r in co_audit_rows(db, [org.care_home.id], START, END) if r.id == early.id]
    assert (row.arrived, row.compared) == (False, 0)
    assert most_disagreed(db, [early.id]) == []
    # Submitted: compared.
    document["revision"] = 2
    document["data"]["status"] = "submitted"
    [result] = SyncApi(manager)(document)
    assert result["status"] == "updated", result
    assert api(manager, early.uuid).status_code == 200


def test_nobody_logged_in_and_another_organisation(app, db, org, other, early, login_as):
    document = audit_doc(org.care_home, _plan(db, early), person("R02"))
    arrive(db, login_as, org.manager, document, early)
    assert api(login_as(other.admin), early.uuid).status_code == 404
    assert api(app.test_client(), early.uuid).status_code == 401


def _plan(db, early):
    return template_info(db, CARE_PLAN, early.organisation_id)


def test_a_pair_with_no_item_both_answered_is_counted_apart(db, org, staff_audit, login_as):
    """Arrived but every item Not sure on the co-audit: not "compared" (so "Co-audits compared
    (n)" equals the k of "over k co-audits"), but counted in its own column."""
    co_audit(db, staff_audit, by=org.supervisor, rating="na")
    co_audit(db, staff_audit, by=org.manager, ratings={0: "not_met"})
    manager = login_as(org.manager)
    day = staff_audit.started_at.date()
    query = {"date_from": str(day), "date_to": str(day), "grouping": "month"}
    payload = manager.get("/api/v1/dashboards/audits", query_string=query).get_json()
    tables = {t["key"]: t for t in payload["tables"]}
    [row] = tables["coaudit_agreement"]["rows"]
    assert row[1] == 1 and row[7].endswith("over 1 co-audit")
    assert row[8] == 1
    [service] = tables["coaudits_by_service"]["rows"]
    assert (service[1], service[2], service[6]) == (2, 1, 1)
