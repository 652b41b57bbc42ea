"""Audit champions: a manager names a care worker with a login (Stan Staff, care worker at Acme
House) for one template in one service; Stan may then complete and sync audits of that template
there — and nothing more — sees them on his home page, and his bootstrap carries exactly that.
Assignment and removal are audited; naming someone who is not a care worker there is refused."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from careobs import permissions
from careobs.accounts.models import Membership
from careobs.audit.models import AuditEvent
from careobs.audits.due import organisation_today
from careobs.audits.schedules import AuditChampion
from careobs.checklists.models import Checklist
from careobs.db import get_session
from careobs.notifications.due import remind
from careobs.notifications.models import Notification
from careobs.org.models import Service
from tests.support import fixtures
from tests.support.audits import CARE_PLAN, IPC, MAR, area, audit_doc, person, proposed_action
from tests.support.quis import quis_doc
from tests.support.visits import spot_check

checklist = fixtures.checklist  # the visit checklist, for the visit Stan may not send


def template_of(db, org, name) -> Checklist:
    return db.scalar(
        sa.select(Checklist).where(Checklist.organisation_id == org.org.id, Checklist.name == name)
    )


def champions_page(service) -> str:
    return f"/audits/services/{service.uuid}/champions"


def assignments(db) -> list[AuditChampion]:
    db.expire_all()
    return list(db.scalars(sa.select(AuditChampion)))


@pytest.fixture
def manager(org, login_as, templates):
    return login_as(org.manager)


@pytest.fixture
def name_champion(db, org, manager):
    """``name_champion(template name)``: the manager names Stan for it at the care home."""

    def name(template=CARE_PLAN, user=None, service=None):
        return manager.post(
            champions_page(service or org.care_home),
            data={
                "template": template_of(db, org, template).uuid.hex,
                "user": (user or org.staff).uuid.hex,
            },
        )

    return name


@pytest.fixture
def stan(org, client_as):
    """Stan Staff syncing."""
    return client_as(org.staff)


def test_a_manager_names_and_removes_a_champion_both_audited(db, org, manager, name_champion):
    assert name_champion().status_code == 302
    [champion] = assignments(db)
    assert (champion.user_id, champion.service_id) == (org.staff.id, org.care_home.id)
    text = manager.get(f"/audits/services/{org.care_home.uuid}/schedules").get_data(as_text=True)
    assert "Stan Staff: Care plan audit" in text

    assert manager.post(f"/audits/champions/{champion.uuid}/remove").status_code == 302

    assert assignments(db) == []
    logged = db.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.action.startswith("audit_champion."))
        .order_by(AuditEvent.id)
    ).all()
    assert logged == ["audit_champion.assign", "audit_champion.remove"]


def test_naming_the_same_champion_twice_keeps_one(db, name_champion):
    name_champion()
    assert name_champion().status_code == 302
    assert len(assignments(db)) == 1


@pytest.mark.parametrize("who", ["supervisor", "manager", "outsider", "admin"])
def test_only_a_care_worker_of_the_service_can_be_named(db, org, name_champion, who):
    response = name_champion(user=getattr(org, who))
    assert response.status_code == 400
    assert assignments(db) == []


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"template": "nope", "user": "nope"},
        {"template": uuid.uuid4().hex, "user": uuid.uuid4().hex},
        {"user": "' OR 1=1 --"},
    ],
)
def test_bad_champion_input_is_refused_with_the_form(db, org, manager, fields):
    response = manager.post(champions_page(org.care_home), data=fields)
    assert response.status_code == 400
    assert assignments(db) == []


@pytest.mark.parametrize("role", ["supervisor", "staff", "outsider"])
def test_only_managers_and_admins_name_champions(db, org, login_as, templates, role):
    client = login_as(getattr(org, role))
    data = {"template": template_of(db, org, CARE_PLAN).uuid.hex, "user": org.staff.uuid.hex}
    assert client.post(champions_page(org.care_home), data=data).status_code == 403
    assert assignments(db) == []


def test_another_organisation_cannot_remove_a_champion(db, org, other, login_as, name_champion):
    name_champion()
    champion = assignments(db)[0]
    response = login_as(other.admin).post(f"/audits/champions/{champion.uuid}/remove")
    assert response.status_code == 404
    assert len(assignments(db)) == 1


# --- what a champion may sync ---------------------------------------------------------------------


def test_a_champion_syncs_audits_of_their_template_in_their_service(
    org, templates, name_champion, stan
):
    name_champion()
    name_champion(IPC)
    audit = audit_doc(
        org.care_home,
        templates[CARE_PLAN],
        person("R01"),
        ratings={templates[CARE_PLAN].plain[0]: "not_met"},
        actions=[proposed_action(org.staff_members["Carla Carer"])],
    )
    lounge = audit_doc(org.care_home, templates[IPC], area(org.areas["Lounge"]))

    assert [r["status"] for r in stan(audit, lounge)] == ["created", "created"]


def test_a_champion_may_not_sync_anything_else(org, templates, name_champion, stan, checklist):
    name_champion()
    care_plan = templates[CARE_PLAN]
    documents = [
        audit_doc(org.care_home, templates[MAR], person("R01")),  # another template
        audit_doc(org.homecare, care_plan, person("H01")),  # another service
        spot_check(org.care_home, org.staff_members["Carla Carer"], checklist),  # a visit
        quis_doc(org.care_home, area=org.areas["Lounge"]),  # a QUIS observation
    ]

    assert [r["status"] for r in stan(*documents)] == ["forbidden"] * 4


def test_a_removed_champion_may_sync_no_more(db, org, templates, name_champion, stan, manager):
    name_champion()
    champion = assignments(db)[0]
    manager.post(f"/audits/champions/{champion.uuid}/remove")

    [result] = stan(audit_doc(org.care_home, templates[CARE_PLAN], person("R01")))
    assert result["status"] == "forbidden"


def test_a_champion_who_is_no_longer_a_care_worker_there_may_not(app, db, org, name_champion):
    name_champion()
    with app.app_context():
        from careobs.accounts import service as accounts

        accounts.set_memberships(db, org.staff, {org.care_home.id: None})
        db.commit()
    db.expire_all()
    service = db.get(Service, org.care_home.id)
    assert permissions.may_complete_audit(org.staff, service) is False


def test_the_permissions_module_answers_per_template(db, org, name_champion):
    name_champion()
    db.expire_all()
    home = db.get(Service, org.care_home.id)
    homecare = db.get(Service, org.homecare.id)
    care_plan, mar = template_of(db, org, CARE_PLAN), template_of(db, org, MAR)

    assert permissions.may_complete_audit(org.staff, home, care_plan) is True
    assert permissions.may_complete_audit(org.staff, home, mar) is False
    assert permissions.may_complete_audit(org.staff, homecare, care_plan) is False
    assert permissions.may_complete_audit(org.staff, home) is True
    assert permissions.may_capture_in(org.staff, home) is False  # no visits, no QUIS
    assert permissions.may_complete_any_audit(org.staff) is True
    assert permissions.may_complete_any_audit(org.outsider) is False


# --- what a champion sees -------------------------------------------------------------------------


def test_a_champions_bootstrap_carries_exactly_their_templates_and_roster(
    org, login_as, name_champion, templates
):
    name_champion()  # the care plan audit: people by code, staff for action owners, no areas

    body = login_as(org.staff).get("/api/v1/bootstrap").get_json()

    assert [t["name"] for t in body["audit_templates"]] == [CARE_PLAN]
    assert body["audit_templates"][0]["id"] == templates[CARE_PLAN].id
    assert body["checklists"] == []  # no monitoring visits
    [service] = body["services"]
    assert service["id"] == str(org.care_home.uuid)
    assert [p["code"] for p in service["people"]] == ["R01", "R02"]
    assert [s["name"] for s in service["staff"]] == ["Carla Carer"]
    assert service["areas"] == []
    assert body["user"]["roles"]["services"] == {str(org.care_home.uuid): "staff"}


def test_an_area_template_brings_the_areas_but_not_the_people(org, login_as, name_champion):
    name_champion(IPC)

    [service] = login_as(org.staff).get("/api/v1/bootstrap").get_json()["services"]

    assert sorted(a["name"] for a in service["areas"]) == ["Dining room", "Lounge"]
    assert service["people"] == []


def test_a_care_worker_who_is_no_champion_gets_no_templates(org, login_as, templates):
    body = login_as(org.staff).get("/api/v1/bootstrap").get_json()
    assert body["audit_templates"] == [] and body["services"] == []


def test_a_champion_sees_their_audits_on_their_home_page(db, org, login_as, name_champion):
    name_champion()
    manager = login_as(org.manager)
    manager.post(
        f"/audits/services/{org.care_home.uuid}/schedules",
        data={"template": template_of(db, org, CARE_PLAN).uuid.hex, "frequency_days": "30"},
    )
    manager.post(
        f"/audits/services/{org.care_home.uuid}/schedules",
        data={"template": template_of(db, org, MAR).uuid.hex, "frequency_days": "7"},
    )

    client = login_as(org.staff)
    home = client.get("/").get_data(as_text=True)
    due = client.get("/audits/due", query_string={"status": "all"}).get_data(as_text=True)

    assert "Your audits" in home and "Care plan audit · Acme Care House" in home
    assert "Care plan audit: R01" in home and "Medicines" not in home  # MAR is not theirs
    assert "Care plan audit: R02" in due and "Medicines" not in due
    # Still nothing more: no dashboards, no visits to record.
    assert client.get("/dashboards/visits").status_code == 403
    assert client.get("/visits/record").status_code in {302, 403}


def test_a_champion_reaches_the_audit_form_and_a_care_worker_does_not(org, login_as, name_champion):
    assert login_as(org.staff).get("/audits/record").status_code == 403
    name_champion()
    assert login_as(org.staff).get("/audits/record").status_code == 200


def test_a_champion_is_reminded_of_their_own_templates_due(app, db, org, manager, name_champion):
    """The daily reminder tells Stan, champion of the care plan audit, of the care plans overdue
    only; the manager and the supervisor hear of every scheduled audit there."""
    with app.app_context():
        today = organisation_today(get_session(), org.org.id)
    week_ago = (today - timedelta(days=7)).isoformat()
    for name in (CARE_PLAN, MAR):
        response = manager.post(
            f"/audits/services/{org.care_home.uuid}/schedules",
            data={
                "template": template_of(db, org, name).uuid.hex,
                "frequency_days": "30",
                "starts_on": week_ago,
            },
        )
        assert response.status_code == 302
    assert name_champion(CARE_PLAN).status_code == 302

    with app.app_context():
        sent = remind(get_session(), today)
        get_session().commit()
        again = remind(get_session(), today)
        get_session().commit()

    assert sent["audits_due"] == 3 and again["audits_due"] == 0
    db.expire_all()
    notices = db.scalars(sa.select(Notification).where(Notification.kind == "audits_due")).all()
    body = {n.user_id: n.body for n in notices}
    # R01 and R02 each overdue for a care plan audit and a MAR audit: 4; Stan's own: 2.
    assert body == {
        org.manager.id: "Scheduled audits at Acme Care House: 4 overdue.",
        org.supervisor.id: "Scheduled audits at Acme Care House: 4 overdue.",
        org.staff.id: "Scheduled audits at Acme Care House: 2 overdue.",
    }


def test_a_champion_no_longer_in_force_is_not_reminded(app, db, org, manager, name_champion):
    with app.app_context():
        today = organisation_today(get_session(), org.org.id)
    response = manager.post(
        f"/audits/services/{org.care_home.uuid}/schedules",
        data={
            "template": template_of(db, org, CARE_PLAN).uuid.hex,
            "frequency_days": "30",
            "starts_on": (today - timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert name_champion(CARE_PLAN).status_code == 302
    # Stan has left the care home (still a user of the organisation): his assignment lapses.
    db.execute(
        sa.delete(Membership).where(
            Membership.user_id == org.staff.id, Membership.service_id == org.care_home.id
        )
    )
    db.commit()

    with app.app_context():
        sent = remind(get_session(), today)
        get_session().commit()

    assert sent["audits_due"] == 2
    db.expire_all()
    told = db.scalars(sa.select(Notification.user_id).where(Notification.kind == "audits_due"))
    assert set(told) == {org.manager.id, org.supervisor.id}
