"""GET /api/v1/bootstrap for a quality checker (issue 16): their services without staff, only
the subjects and templates of their open co-audits, and ``co_audit_tasks`` — never a staff
name, never the staff audit's answers; an empty list for everyone else."""

from __future__ import annotations

import json

import pytest

from tests.audits.test_co_audit_documents import assign, co_audit, worker_template
from tests.support.audits import CARE_PLAN, IPC, area, audit_doc, person, staff


@pytest.fixture
def checker(data, org):
    """Quinn, a quality checker of the care home only."""
    user = data.user(
        org.org, "quinn@acme.test", "Quinn Checker", roles={org.care_home: "quality_checker"}
    )
    data.session.commit()
    return user


@pytest.fixture
def supervisor(org, client_as):
    return client_as(org.supervisor)


@pytest.fixture
def staff_audits(org, templates, supervisor):
    """Sue's staff audits in the care home: care plan of R01, infection control of the Lounge,
    care plan of R02 (not assigned)."""
    documents = {
        "R01": audit_doc(org.care_home, templates[CARE_PLAN], person("R01")),
        "Lounge": audit_doc(org.care_home, templates[IPC], area(org.areas["Lounge"])),
        "R02": audit_doc(org.care_home, templates[CARE_PLAN], person("R02")),
    }
    assert [r["status"] for r in supervisor(*documents.values())] == ["created"] * 3
    return documents


def bootstrap(client_as, user) -> dict:
    response = client_as(user).client.get("/api/v1/bootstrap")
    assert response.status_code == 200
    return response.get_json()


def test_a_checker_gets_their_co_audits_and_nothing_of_staff(
    db, org, templates, staff_audits, checker, client_as
):
    assign(db, org, checker, staff_audits["R01"])
    assign(db, org, checker, staff_audits["Lounge"])

    body = bootstrap(client_as, checker)

    [home] = body["services"]
    assert home["id"] == str(org.care_home.uuid)
    assert (home["may_capture"], home["staff"]) == (False, [])
    assert home["people"] == [{"code": "R01", "consent": "not_recorded"}]  # not R02
    assert home["areas"] == [{"id": str(org.areas["Lounge"].uuid), "name": "Lounge"}]
    assert sorted(home["audit_template_ids"]) == sorted(
        [templates[CARE_PLAN].id, templates[IPC].id]
    )
    assert sorted(t["id"] for t in body["audit_templates"]) == sorted(
        [templates[CARE_PLAN].id, templates[IPC].id]
    )
    assert body["checklists"] == []
    assert body["user"]["roles"]["services"] == {str(org.care_home.uuid): "quality_checker"}
    assert body["co_audit_tasks"] == [
        {
            "compare_with": staff_audits["R01"]["id"],
            "service_id": str(org.care_home.uuid),
            "template_id": templates[CARE_PLAN].id,
            "template_version": templates[CARE_PLAN].version,
            "subject": {"type": "person", "id": None, "code": "R01"},
            "with": "quality_checker",
        },
        {
            "compare_with": staff_audits["Lounge"]["id"],
            "service_id": str(org.care_home.uuid),
            "template_id": templates[IPC].id,
            "template_version": templates[IPC].version,
            "subject": {"type": "area", "id": str(org.areas["Lounge"].uuid), "code": None},
            "with": "quality_checker",
        },
    ]
    text = json.dumps(body)
    for name in ("Sue Supervisor", "Carla Carer", "Hal Homecare", "Mo Manager"):
        assert name not in text
    assert "answers" not in text and "R02" not in text


def test_a_submitted_co_audit_closes_the_task_and_a_draft_does_not(
    db, org, templates, staff_audits, checker, client_as
):
    assign(db, org, checker, staff_audits["R01"])
    device = client_as(checker)
    draft = co_audit(
        org.care_home,
        templates[CARE_PLAN],
        person("R01"),
        staff_audits["R01"],
        by="quality_checker",
        status="draft",
    )
    assert [r["status"] for r in device(draft)] == ["created"]
    assert len(bootstrap(client_as, checker)["co_audit_tasks"]) == 1

    submitted = {**draft, "revision": 2, "data": {**draft["data"], "status": "submitted"}}
    assert [r["status"] for r in device(submitted)] == ["updated"]

    body = bootstrap(client_as, checker)
    assert body["co_audit_tasks"] == []
    assert body["services"][0]["people"] == []  # nothing left to co-audit about R01


def test_a_template_about_a_care_worker_is_never_a_checkers_task(
    app, db, org, supervisor, checker, client_as
):
    template = worker_template(app, db, org)
    of_carla = audit_doc(org.care_home, template, staff(org.staff_members["Carla Carer"]))
    assert [r["status"] for r in supervisor(of_carla)] == ["created"]
    assign(db, org, checker, of_carla)

    body = bootstrap(client_as, checker)

    assert body["co_audit_tasks"] == []
    assert body["audit_templates"] == []
    assert body["services"][0]["staff"] == []
    assert "Carla Carer" not in json.dumps(body)


def test_a_checker_who_lost_the_role_keeps_no_task(db, org, staff_audits, checker, client_as, data):
    assign(db, org, checker, staff_audits["R01"])
    checker.memberships[0].role = "staff"
    db.commit()

    body = bootstrap(client_as, checker)

    assert body["co_audit_tasks"] == []
    assert body["services"] == []


def test_everyone_else_gets_an_empty_list(db, org, staff_audits, checker, client_as):
    assign(db, org, checker, staff_audits["R01"])

    for user in (org.supervisor, org.manager, org.admin, org.staff):
        assert bootstrap(client_as, user)["co_audit_tasks"] == []
