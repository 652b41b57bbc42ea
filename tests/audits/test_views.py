"""The audit pages through the Flask test client: every route for every role, the other
organisation and nobody logged in, and bad addresses — the right status, never a 5xx.

Acme (tests/conftest.py): an admin; Mo Manager, manager of the care home only; Sue Supervisor in
both services, who sends the audits; Stan Staff, a care worker at the care home, who is Carla
Carer's login here so that an audit of Carla's practice is about him.
"""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from careobs.audits.models import Audit
from careobs.checklists import service as checklists
from careobs.permissions import may_follow_up_audit
from tests.support.audits import (
    CARE_PLAN,
    TemplateInfo,
    audit_doc,
    person,
    proposed_action,
    staff,
    template_info,
)

DESCRIPTION = "Review the care plan with the person and their family."


@pytest.fixture
def staff_template(app, db, org) -> TemplateInfo:
    """A published audit template about a care worker (no starter template is one)."""
    with app.app_context():
        draft = checklists.create_audit_template(
            db,
            org.org.id,
            org.admin,
            name="Supervision records audit",
            subject_type="staff",
            description="",
            frequency_days=90,
            cqc_statements=["S6"],
            green_from=90,
            amber_from=75,
        )
        checklists.fill(draft, [("Records", [("Supervision held on time", True, "")])])
        checklists.publish(db, draft, org.admin)
        db.commit()
    return template_info(db, "Supervision records audit", org.org.id)


@pytest.fixture
def sent(db, org, templates, staff_template, client_as):
    """Audits Sue sent: a care plan audit of R01 (one item Not met, with an action), one of H01
    in homecare, and two of Carla's practice (submitted and draft), by name → document id."""
    carla = org.staff_members["Carla Carer"]
    carla.user_id = org.staff.id  # Stan's login is Carla's here
    db.commit()
    plan = templates[CARE_PLAN]
    documents = {
        "care_home": audit_doc(
            org.care_home,
            plan,
            person("R01"),
            ratings={plan.plain[0]: "not_met"},
            actions=[proposed_action(carla, description=DESCRIPTION)],
        ),
        "homecare": audit_doc(org.homecare, plan, person("H01")),
        "of_carla": audit_doc(org.care_home, staff_template, staff(carla)),
        "of_carla_draft": audit_doc(
            org.care_home, staff_template, staff(carla), status="draft", answers=[]
        ),
    }
    results = client_as(org.supervisor)(*documents.values())
    assert [r["status"] for r in results] == ["created"] * 4, results
    return {name: document["id"] for name, document in documents.items()}


def users(org, other) -> dict:
    return {
        "admin": org.admin,
        "manager": org.manager,
        "supervisor": org.supervisor,
        "staff": org.staff,
        "other": other.admin,
    }


ROLES = ("admin", "manager", "supervisor", "staff", "other")

# Who reads which audit: its author, managers of its service (the manager has the care home
# only), admins; the care worker an audit is about once it is submitted; nobody elsewhere.
DETAIL = {
    "care_home": {"admin": 200, "manager": 200, "supervisor": 200, "staff": 404, "other": 404},
    "homecare": {"admin": 200, "manager": 404, "supervisor": 200, "staff": 404, "other": 404},
    "of_carla": {"admin": 200, "manager": 200, "supervisor": 200, "staff": 200, "other": 404},
    "of_carla_draft": {
        "admin": 200,
        "manager": 200,
        "supervisor": 200,
        "staff": 404,
        "other": 404,
    },
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("audit", list(DETAIL))
def test_an_audit_page_for_every_role(org, other, sent, login_as, role, audit):
    response = login_as(users(org, other)[role]).get(f"/audits/{sent[audit]}")
    assert response.status_code == DETAIL[audit][role]


@pytest.mark.parametrize("role", ROLES)
def test_the_capture_page_for_every_role(org, other, login_as, role):
    """Whoever may complete audits somewhere opens the form (the other organisation's admin in
    their own organisation); a care worker may not."""
    response = login_as(users(org, other)[role]).get("/audits/record")
    assert response.status_code == (403 if role == "staff" else 200)
    if role != "staff":
        page = response.get_data(as_text=True)
        assert 'id="audit-setup-form"' in page
        assert "audit-form" in page and "<script>" not in page


@pytest.mark.parametrize("role", ROLES)
def test_the_list_shows_exactly_the_audits_each_role_may_read(org, other, sent, login_as, role):
    page = login_as(users(org, other)[role]).get("/audits/").get_data(as_text=True)
    for audit, statuses in DETAIL.items():
        assert (sent[audit] in page) is (statuses[role] == 200), audit


@pytest.mark.parametrize("role", ROLES)
def test_start_links_only_for_those_who_may_audit(org, other, templates, login_as, role):
    response = login_as(users(org, other)[role]).get("/audits/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    if role == "other":
        # Other Org has no audit templates of its own, and never sees Acme's.
        assert templates[CARE_PLAN].id not in page
    elif role == "staff":
        assert "Start an audit" not in page and "/audits/record" not in page
    else:
        assert "Start an audit" in page
        assert f"/audits/record?template={templates[CARE_PLAN].id}" in page


@pytest.mark.parametrize(
    "path", ["/audits/", "/audits/record", f"/audits/{uuid.uuid5(uuid.NAMESPACE_URL, 'unknown')}"]
)
def test_nobody_logged_in_is_sent_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "path",
    [
        f"/audits/{uuid.uuid5(uuid.NAMESPACE_URL, 'unknown')}",  # unknown
        "/audits/not-a-uuid",
        "/audits/12345678-1234-1234-1234-12345678901",  # one digit short
        "/audits/%00",
        "/audits/../audits/x",
    ],
)
@pytest.mark.parametrize("role", ROLES)
def test_bad_addresses_are_not_found(org, other, sent, login_as, role, path):
    assert login_as(users(org, other)[role]).get(path).status_code == 404


def test_a_bad_page_number_still_shows_the_list(org, sent, login_as):
    response = login_as(org.supervisor).get("/audits/?page=abc")
    assert response.status_code == 200
    assert sent["care_home"] in response.get_data(as_text=True)


def test_the_audit_page_says_the_outcome_and_links_the_action(db, org, sent, login_as):
    page = login_as(org.manager).get(f"/audits/{sent['care_home']}").get_data(as_text=True)
    assert "Care plan audit: R01" in page
    # 13 Met and 1 Not met of 14 items: 26 of 28 points = 92.9%, green.
    assert "92.9% · Green: meets the standard" in page
    assert "26 of 28 points · 13 met, 0 partly met, 1 not met, 0 not applicable." in page
    assert f">{DESCRIPTION}</a> · Carla Carer" in page  # the action it raised, linked
    assert "Sue Supervisor" in page


def test_the_worker_reads_their_audit_but_not_an_action_they_may_not_open(org, sent, login_as):
    page = login_as(org.staff).get(f"/audits/{sent['of_carla']}").get_data(as_text=True)
    assert "Supervision records audit: Carla Carer" in page
    assert "No actions proposed." in page


def test_the_kind_page_is_the_audit_page(app, sent):
    """Conflicting copies of an audit link to its stored page."""
    from careobs.capture.kinds import page_of

    with app.test_request_context():
        assert page_of("audit", sent["care_home"]) == f"/audits/{sent['care_home']}"


@pytest.mark.parametrize(
    "query",
    [
        {"service": "not-a-uuid"},
        {"template": "00000000-0000-0000-0000-000000000000"},
        {"service": "00000000-0000-0000-0000-000000000000"},
        {"template": "\x00"},
    ],
)
def test_a_start_link_naming_nothing_this_user_may_audit_is_not_found(login_as, org, query):
    response = login_as(org.supervisor).get("/audits/record", query_string=query)
    assert response.status_code == 404


def test_a_start_link_to_another_organisations_service_is_not_found(
    login_as, org, other, templates
):
    """The same page with this organisation's template and service opens."""
    client = login_as(org.supervisor)
    template = str(templates[next(iter(templates))].id)
    mine = client.get(
        "/audits/record", query_string={"template": template, "service": str(org.care_home.uuid)}
    )
    assert mine.status_code == 200
    theirs = client.get(
        "/audits/record", query_string={"template": template, "service": str(other.care_home.uuid)}
    )
    assert theirs.status_code == 404


@pytest.mark.parametrize(
    ("role", "follows_up"),
    [("admin", True), ("manager", True), ("supervisor", True), ("staff", False), ("other", False)],
)
def test_who_follows_an_audit_up(app, db, org, other, sent, role, follows_up):
    """The auditor (the supervisor here) and the managers of its service; nobody else."""
    with app.app_context():
        audit = db.scalar(sa.select(Audit).where(Audit.uuid == uuid.UUID(sent["care_home"])))
        assert may_follow_up_audit(users(org, other)[role], audit) is follows_up
