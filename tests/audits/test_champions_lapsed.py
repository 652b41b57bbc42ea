"""Champion assignments no longer in force: Stan Staff, champion of the care plan audit at Acme
Care House, is deactivated, leaves the service, becomes its supervisor or a quality checker; the
service closes; the template has no published version left. The assignment then lets him do
nothing as a champion, the plan page shows it apart as "Not in force" with the reason in words,
the manager can remove it, and it is counted nowhere (the home page, "Audits due", the
bootstrap).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from careobs import permissions
from careobs.accounts import service as accounts
from careobs.accounts.models import User
from careobs.audits.schedules import AuditChampion
from careobs.checklists.models import Checklist, ChecklistVersion
from careobs.db import utcnow
from careobs.org.models import Service
from tests.support.audits import CARE_PLAN


def plan_page(service) -> str:
    return f"/audits/services/{service.uuid}/schedules"


def lapse_by_deactivation(app, db, org):
    db.get(User, org.staff.id).active = False


def lapse_by_leaving(app, db, org):
    with app.app_context():
        accounts.set_memberships(db, db.get(User, org.staff.id), {org.care_home.id: None})


def lapse_by_promotion(app, db, org):
    with app.app_context():
        accounts.set_memberships(db, db.get(User, org.staff.id), {org.care_home.id: "supervisor"})


def lapse_by_becoming_a_checker(app, db, org):
    with app.app_context():
        accounts.set_memberships(
            db, db.get(User, org.staff.id), {org.care_home.id: "quality_checker"}
        )


def lapse_by_closing(app, db, org):
    db.get(Service, org.care_home.id).active = False


def lapse_by_retiring_the_template(app, db, org):
    versions = db.scalars(
        sa.select(ChecklistVersion)
        .join(Checklist)
        .where(Checklist.organisation_id == org.org.id, Checklist.name == CARE_PLAN)
    )
    for version in versions:
        version.retired_at = utcnow()


LAPSES = [
    pytest.param(
        lapse_by_deactivation, "Stan Staff's login has been deactivated.", id="deactivated"
    ),
    pytest.param(
        lapse_by_leaving, "Stan Staff is no longer a member of Acme Care House.", id="left"
    ),
    pytest.param(
        lapse_by_promotion,
        "Stan Staff is now a supervisor at Acme Care House, not a care worker: as a "
        "supervisor they may complete any audit there.",
        id="promoted",
    ),
    pytest.param(
        lapse_by_becoming_a_checker,
        "Stan Staff is now a quality checker at Acme Care House, not a care worker.",
        id="quality-checker",
    ),
    pytest.param(lapse_by_closing, "Acme Care House is no longer active.", id="closed"),
    pytest.param(
        lapse_by_retiring_the_template,
        "Care plan audit has no published version to complete.",
        id="template-retired",
    ),
]


@pytest.fixture
def manager(org, login_as, templates):
    return login_as(org.manager)


@pytest.fixture
def champion(db, org, manager):
    """Stan named champion of the care plan audit at the care home (in force)."""
    template = db.scalar(
        sa.select(Checklist).where(
            Checklist.organisation_id == org.org.id, Checklist.name == CARE_PLAN
        )
    )
    response = manager.post(
        f"/audits/services/{org.care_home.uuid}/champions",
        data={"template": template.uuid.hex, "user": org.staff.uuid.hex},
    )
    assert response.status_code == 302
    db.expire_all()
    return db.scalar(sa.select(AuditChampion))


def in_force(db, user) -> list:
    db.expire_all()
    return list(db.scalars(permissions.championed(db.get(User, user.id))))


def test_an_assignment_in_force_has_no_reason_and_is_listed(db, org, manager, champion):
    assert permissions.lapsed_reason(champion) is None
    assert in_force(db, org.staff) == [champion]

    text = manager.get(plan_page(org.care_home)).get_data(as_text=True)

    assert "Stan Staff: Care plan audit" in text
    assert "Not in force" not in text


@pytest.mark.parametrize(("lapse", "reason"), LAPSES)
def test_a_lapsed_assignment_is_shown_apart_with_its_reason(
    app, db, org, manager, champion, lapse, reason
):
    lapse(app, db, org)
    db.commit()
    db.expire_all()

    # The permissions module says so in words, and its query agrees.
    assert permissions.lapsed_reason(db.get(AuditChampion, champion.id)) == reason
    assert in_force(db, org.staff) == []
    text = manager.get(plan_page(org.care_home)).get_data(as_text=True)
    assert "No champions in force." in text
    assert "Not in force (1)" in text
    assert f"<strong>Not in force:</strong> Stan Staff: Care plan audit. {reason}" in text.replace(
        "&#39;", "'"
    )


@pytest.mark.parametrize(("lapse", "reason"), LAPSES)
def test_the_manager_removes_a_lapsed_assignment(app, db, org, manager, champion, lapse, reason):
    lapse(app, db, org)
    db.commit()

    response = manager.post(f"/audits/champions/{champion.uuid}/remove")

    assert response.status_code == 302
    db.expire_all()
    assert db.scalars(sa.select(AuditChampion)).all() == []
    assert "Not in force" not in manager.get(plan_page(org.care_home)).get_data(as_text=True)


def test_a_lapsed_assignment_counts_nowhere(app, db, org, manager, champion, login_as):
    manager.post(
        plan_page(org.care_home),
        data={"template": champion.checklist.uuid.hex, "frequency_days": "30"},
    )
    lapse_by_leaving(app, db, org)
    db.commit()

    client = login_as(org.staff)
    home = client.get("/").get_data(as_text=True)
    body = client.get("/api/v1/bootstrap").get_json()

    assert "Your audits" not in home and "Care plan audit: R01" not in home
    assert client.get("/audits/due").status_code == 403
    assert body["services"] == [] and body["audit_templates"] == []
    assert permissions.audit_access(db, db.get(User, org.staff.id)) == {}


def test_a_promoted_champion_completes_every_audit_as_a_supervisor(
    app, db, org, champion, login_as, templates
):
    lapse_by_promotion(app, db, org)
    db.commit()

    [home] = login_as(org.staff).get("/api/v1/bootstrap").get_json()["services"]

    assert home["may_capture"] is True
    assert sorted(home["audit_template_ids"]) == sorted(t.id for t in templates.values())
