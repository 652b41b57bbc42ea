"""Who may complete which audit where, asked once (careobs.permissions.audit_access) by the
bootstrap, the sync, "Audits due" and the home page — for a user with mixed roles.

Stan Staff is made a supervisor of Acme Care Homecare while staying a care worker at Acme Care
House, where a manager names him champion of the care plan audit. He may then run QUIS and
visits, and complete every audit template, at the homecare service; at the care home only the
care plan audit. Each place that offers him work must say exactly that, or the phone offers
him work the server then refuses after he did it offline.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from careobs import permissions
from careobs.accounts import service as accounts
from careobs.audits.schedules import AuditChampion
from careobs.checklists.models import Checklist
from careobs.org.models import Service
from tests.support import fixtures
from tests.support.audits import CARE_PLAN, IPC, MAR, area, audit_doc, person, starter_templates
from tests.support.quis import quis_doc
from tests.support.visits import spot_check

checklist = fixtures.checklist  # the visit checklist


def template_of(db, org, name) -> Checklist:
    return db.scalar(
        sa.select(Checklist).where(Checklist.organisation_id == org.org.id, Checklist.name == name)
    )


@pytest.fixture
def mixed(app, db, org, templates, login_as):
    """Stan: supervisor at the homecare service, care worker and care plan champion at the
    care home. Returns his sync client."""
    with app.app_context():
        accounts.set_memberships(db, org.staff, {org.homecare.id: "supervisor"})
        db.commit()
    manager = login_as(org.manager)
    response = manager.post(
        f"/audits/services/{org.care_home.uuid}/champions",
        data={"template": template_of(db, org, CARE_PLAN).uuid.hex, "user": org.staff.uuid.hex},
    )
    assert response.status_code == 302
    db.expire_all()
    return org.staff


def test_the_one_answer_per_service(db, org, mixed):
    care_plan = template_of(db, org, CARE_PLAN)

    access = permissions.audit_access(db, mixed)

    assert access == {org.homecare.id: None, org.care_home.id: {care_plan.id}}
    listed = db.scalars(permissions.audit_services(mixed).with_only_columns(Service.id))
    assert set(listed) == set(access)
    services, templates = permissions.audits_due_scope(db, mixed)
    assert [s.name for s in services] == ["Acme Care Homecare", "Acme Care House"]
    assert templates == access
    home = db.get(Service, org.care_home.id)
    homecare = db.get(Service, org.homecare.id)
    mar = template_of(db, org, MAR)
    assert permissions.may_complete_audit(mixed, home, care_plan) is True
    assert permissions.may_complete_audit(mixed, home, mar) is False
    assert permissions.may_complete_audit(mixed, homecare, mar) is True
    assert permissions.may_capture_in(mixed, home) is False
    assert permissions.may_capture_in(mixed, homecare) is True


def test_the_bootstrap_says_per_service_what_the_user_may_do(
    org, login_as, mixed, templates, checklist
):
    body = login_as(mixed).get("/api/v1/bootstrap").get_json()

    every = [t["id"] for t in body["audit_templates"]]
    # The union: every published template, as he captures somewhere (name order).
    assert sorted(every) == sorted(t.id for t in templates.values()) and len(every) == 4
    homecare, home = body["services"]
    assert (homecare["name"], homecare["may_capture"]) == ("Acme Care Homecare", True)
    assert homecare["audit_template_ids"] == every
    assert (home["name"], home["may_capture"]) == ("Acme Care House", False)
    assert home["audit_template_ids"] == [templates[CARE_PLAN].id]
    # The care home's roster keeps what the care plan audit needs: people and staff, no areas.
    assert [p["code"] for p in home["people"]] == ["R01", "R02"]
    assert [s["name"] for s in home["staff"]] == ["Carla Carer"]
    assert home["areas"] == []
    assert [p["code"] for p in homecare["people"]] == ["H01", "H02"]
    # He makes visits at the homecare service.
    assert [c["id"] for c in body["checklists"]] == [checklist.id]
    assert body["user"]["roles"]["services"] == {
        str(org.homecare.uuid): "supervisor",
        str(org.care_home.uuid): "staff",
    }


def test_a_champion_only_bootstrap_says_the_same(org, login_as, templates):
    login_as(org.manager).post(
        f"/audits/services/{org.care_home.uuid}/champions",
        data={"template": templates[IPC].id.replace("-", ""), "user": org.staff.uuid.hex},
    )

    [home] = login_as(org.staff).get("/api/v1/bootstrap").get_json()["services"]

    assert home["may_capture"] is False
    assert home["audit_template_ids"] == [templates[IPC].id]


@pytest.fixture
def offered(org, templates, checklist):
    """One document of each thing Stan might do, with what the server must answer."""
    hal = org.staff_members["Hal Homecare"]
    carla = org.staff_members["Carla Carer"]
    return [
        (audit_doc(org.care_home, templates[CARE_PLAN], person("R01")), "created"),
        (audit_doc(org.care_home, templates[MAR], person("R01")), "forbidden"),
        (audit_doc(org.care_home, templates[IPC], area(org.areas["Lounge"])), "forbidden"),
        (quis_doc(org.care_home, area=org.areas["Lounge"]), "forbidden"),
        (spot_check(org.care_home, carla, checklist), "forbidden"),
        (audit_doc(org.homecare, templates[MAR], person("H01")), "created"),
        (spot_check(org.homecare, hal, checklist), "created"),
    ]


def test_the_sync_answers_as_the_bootstrap_offers(client_as, mixed, offered):
    results = client_as(mixed)(*(document for document, _ in offered))

    assert [r["status"] for r in results] == [expected for _, expected in offered]


def test_a_template_that_is_not_theirs_is_refused_in_plain_words(org, client_as, mixed, templates):
    [result] = client_as(mixed)(audit_doc(org.care_home, templates[MAR], person("R01")))

    assert result["status"] == "forbidden"
    assert result["errors"] == {
        "template_id": [
            "You are not an audit champion for Medicines administration records audit at "
            "Acme Care House any more, so the server cannot keep this audit. Ask your manager: "
            "they can name you champion again, or complete the audit themselves."
        ]
    }


NO_AUDITS_AT_HOMECARE = (
    "You cannot complete audits at Acme Care Homecare: you are not a manager, supervisor or "
    "audit champion there. Ask your manager if you should be."
)


def test_a_service_with_no_audits_for_them_is_refused_in_plain_words(org, client_as, templates):
    # Stan is a care worker at the care home and nothing at the homecare service: no word of
    # champions, whatever the template.
    stan = client_as(org.staff)
    known = audit_doc(org.homecare, templates[CARE_PLAN], person("H01"))
    unknown = audit_doc(org.homecare, templates[CARE_PLAN], person("H01"), template_version=99)

    results = stan(known, unknown)

    assert [r["status"] for r in results] == ["forbidden", "forbidden"]
    assert [r["errors"] for r in results] == [{"service_id": [NO_AUDITS_AT_HOMECARE]}] * 2


def test_a_removed_champion_is_told_so(db, org, client_as, login_as, templates):
    manager = login_as(org.manager)
    manager.post(
        f"/audits/services/{org.care_home.uuid}/champions",
        data={"template": template_of(db, org, CARE_PLAN).uuid.hex, "user": org.staff.uuid.hex},
    )
    db.expire_all()
    [assignment] = db.scalars(sa.select(AuditChampion)).all()
    assert manager.post(f"/audits/champions/{assignment.uuid}/remove").status_code == 302

    [result] = client_as(org.staff)(audit_doc(org.care_home, templates[CARE_PLAN], person("R01")))

    assert result["status"] == "forbidden"
    assert result["errors"] == {
        "template_id": [
            "You are not an audit champion for Care plan audit at Acme Care House any more, "
            "so the server cannot keep this audit. Ask your manager: they can name you "
            "champion again, or complete the audit themselves."
        ]
    }


def test_another_organisations_template_or_service_is_never_named(
    app, db, org, other, client_as, mixed, templates
):
    theirs = starter_templates(app, db, other.org.id)
    documents = [
        audit_doc(org.care_home, theirs[MAR], person("R01")),  # their template, our service
        audit_doc(other.care_home, templates[CARE_PLAN], person("R01")),  # their service
    ]

    results = client_as(mixed)(*documents)

    assert [r["status"] for r in results] == ["invalid", "invalid"]
    assert results[0]["errors"] == {"template_version": ["Unknown audit template version."]}
    assert results[1]["errors"]["service_id"] == ["Unknown service."]
    assert "Other" not in str(results)


def test_audits_due_and_the_home_page_follow_the_same_answer(db, org, login_as, mixed):
    def schedule(client, service, name, days):
        response = client.post(
            f"/audits/services/{service.uuid}/schedules",
            data={"template": template_of(db, org, name).uuid.hex, "frequency_days": days},
        )
        assert response.status_code == 302

    manager, admin = login_as(org.manager), login_as(org.admin)
    schedule(manager, org.care_home, CARE_PLAN, "30")
    schedule(manager, org.care_home, MAR, "7")
    schedule(admin, org.homecare, MAR, "7")

    client = login_as(mixed)
    due = client.get("/audits/due", query_string={"status": "all"}).get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)

    assert "Care plan audit: R01" in due and "Care plan audit: R02" in due
    # MAR: every person of the homecare service he supervises; none of the care home's.
    assert "Medicines administration records audit: H01" in due
    assert "Medicines administration records audit: H02" in due
    assert "Medicines administration records audit: R01" not in due
    assert "Care plan audit: R01" in home
    assert "Medicines administration records audit: R01" not in home
    assert "Care plan audit · Acme Care House" in home  # his assignment
