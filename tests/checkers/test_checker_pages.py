"""What a quality checker sees: their home page (their co-audits and conversations, codes and
template names, never a staff name), a navigation of Home alone, every other page refused; the
device's bootstrap lists their conversations; they record the ones given to them (follow-ups
for the manager) and nothing else."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from careobs.actions.models import Action
from careobs.checkers.models import CheckerAssignment
from careobs.voice.documents import FOR_THE_MANAGER, NOT_GIVEN
from careobs.voice.models import Conversation
from tests.support.voice import conversation_doc, follow_up


@pytest.fixture
def given(db, org, homecare_manager, checker, staff_audit, homecare_draw, login_as):
    """The manager gives Pat the care plan audit of H01 to co-audit and H01 to talk with."""
    manager = login_as(homecare_manager)
    response = manager.post(
        f"/checkers/co-audits/{staff_audit.uuid}", data={"checker": checker.uuid.hex}
    )
    assert response.status_code == 302
    response = manager.post(
        f"/checkers/draws/{homecare_draw.uuid}/people/H01", data={"checker": checker.uuid.hex}
    )
    assert response.status_code == 302
    db.expire_all()
    return db.scalars(sa.select(CheckerAssignment).order_by(CheckerAssignment.id)).all()


STAFF_NAMES = ("Hal Homecare", "Sue Supervisor", "Hana Manager", "Carla Carer")


def test_the_home_page_lists_their_work_without_staff_names(
    org, checker, staff_audit, homecare_draw, given, login_as
):
    page = login_as(checker).get("/").get_data(as_text=True)
    assert "You are a quality checker at Acme Care Homecare." in page
    assert "Your co-audits" in page and "Your conversations" in page
    assert "Care plan audit</strong> · H01 · Acme Care Homecare" in page
    assert (
        f'href="/audits/easy-read?compare_with={staff_audit.uuid}&amp;with=quality_checker"' in page
    )
    record = (
        f"/voice/record?draw={homecare_draw.uuid}&amp;person=H01&amp;service={org.homecare.uuid}"
    )
    assert f'href="{record}"' in page
    assert "Talk with H01" in page
    assert not any(name in page for name in STAFF_NAMES)
    for absent in ("Your feedback", "Trends", "Observe", "Set up", "You are not a member"):
        assert absent not in page


def test_the_navigation_is_home_and_their_co_audits(checker, given, login_as):
    page = login_as(checker).get("/").get_data(as_text=True)
    nav = page[page.index('<nav class="app-nav"') : page.index("</nav>")]
    assert nav.count("<li>") == 2 and 'href="/"' in nav and 'href="/audits/easy-read"' in nav
    for hidden in ("/dashboards", "/feedback", "/visits", "/quis", "/admin"):
        assert hidden not in nav
    assert 'href="/account' in page  # their account stays in the header


@pytest.mark.parametrize(
    "path",
    [
        "/dashboards/",
        "/dashboards/quis",
        "/feedback/",
        "/feedback/mine",
        "/visits/",
        "/quis/",
        "/actions/",
        "/actions/mine",
        "/admin/people/",
        "/admin/staff/",
        "/admin/users/",
        "/selection/",
        "/selection/people",
        "/compliments/",
        "/evidence/",
        "/audits/",
        "/audits/due",
        "/audits/plan",
        "/voice/summary",
        "/export/",
        "/sync/quarantine/",
        "/visits/record",
        "/quis/record",
    ],
)
def test_every_other_page_is_refused(checker, given, login_as, path):
    assert login_as(checker).get(path).status_code in (403, 404), path


@pytest.mark.parametrize("path", ["/", "/account", "/notifications/", "/api/v1/bootstrap"])
def test_their_home_account_and_notifications_open(checker, given, login_as, path):
    assert login_as(checker).get(path).status_code == 200, path


def test_a_checker_who_is_also_a_care_worker_elsewhere_keeps_their_feedback(
    db, org, checker, given, login_as
):
    from careobs.accounts import service as accounts

    user = db.merge(checker)
    accounts.set_memberships(db, user, {org.care_home.id: "staff"})
    db.commit()
    pat = login_as(checker)
    assert pat.get("/feedback/mine").status_code == 200
    assert "Talk with H01" in pat.get("/").get_data(as_text=True)


def test_the_pages_about_their_work_are_refused_too(
    org, checker, staff_audit, homecare_draw, given, login_as
):
    pat = login_as(checker)
    assert pat.get(f"/selection/{homecare_draw.uuid}").status_code in (403, 404)
    assert pat.get(f"/audits/{staff_audit.uuid}").status_code in (403, 404)
    assert pat.get(f"/checkers/services/{org.homecare.uuid}").status_code == 404


def test_the_bootstrap_lists_their_conversations_and_nobody_elses(
    org, checker, homecare_draw, given, login_as
):
    body = login_as(checker).get("/api/v1/bootstrap").get_json()
    assert body["conversation_tasks"] == [
        {
            "draw_id": str(homecare_draw.uuid),
            "person_code": "H01",
            "service_id": str(org.homecare.uuid),
        }
    ]
    text = str(body)
    assert not any(name in text for name in STAFF_NAMES)
    supervisor = login_as(org.supervisor).get("/api/v1/bootstrap").get_json()
    assert supervisor["conversation_tasks"] == []


def test_the_conversation_form_opens_for_their_person_only(checker, homecare_draw, given, login_as):
    pat = login_as(checker)
    url = "/voice/record"
    assert (
        pat.get(url, query_string={"draw": homecare_draw.uuid, "person": "H01"}).status_code == 200
    )
    assert (
        pat.get(url, query_string={"draw": homecare_draw.uuid, "person": "H02"}).status_code == 404
    )
    assert pat.get(url, query_string={"draw": uuid.uuid4(), "person": "H01"}).status_code == 404
    assert pat.get(url, query_string={"draw": "\x00", "person": "H01"}).status_code == 404


def test_they_record_the_given_conversation_and_its_follow_up_goes_to_the_manager(
    db, org, homecare_manager, checker, homecare_draw, given, client_as, login_as
):
    document = conversation_doc(
        homecare_draw, "H01", actions=[follow_up("Ask about the evening call times.")]
    )
    [result] = client_as(checker)(document)
    assert result["status"] == "created", result
    stored = db.scalar(
        sa.select(Conversation).where(Conversation.uuid == uuid.UUID(document["id"]))
    )
    assert (stored.interviewer_id, stored.person_id) == (checker.id, org.people["H01"].id)
    [action] = db.scalars(sa.select(Action).where(Action.service_id == org.homecare.id))
    assert (action.description, action.owner_user_id, action.owner_staff_id) == (
        "Ask about the evening call times.",
        None,
        None,
    )
    manager = login_as(homecare_manager)
    assert manager.get(f"/actions/{action.uuid}").status_code == 200
    pat = login_as(checker)
    assert pat.get(f"/voice/{stored.uuid}").status_code == 200
    assert pat.get(f"/actions/{action.uuid}").status_code in (403, 404)
    home = pat.get("/").get_data(as_text=True)
    assert "What you have done" in home and "Conversation with H01 · Acme Care Homecare" in home
    assert "Talk with H01" not in home
    assert login_as(checker).get("/api/v1/bootstrap").get_json()["conversation_tasks"] == []


def test_a_follow_up_naming_an_owner_is_invalid_for_a_checker(
    db, org, checker, homecare_draw, given, client_as
):
    hal = org.staff_members["Hal Homecare"]
    document = conversation_doc(
        homecare_draw, "H01", actions=[follow_up(owner=str(hal.uuid)), follow_up()]
    )
    [result] = client_as(checker)(document)
    assert result["status"] == "invalid"
    assert result["errors"]["actions[0].owner_id"][0] == FOR_THE_MANAGER
    assert "actions[1].owner_id" not in result["errors"]
    assert db.scalar(sa.select(sa.func.count()).select_from(Conversation)) == 0


def test_a_conversation_not_given_to_them_is_forbidden_in_words(
    db, org, checker, homecare_draw, given, client_as, data
):
    pat = client_as(checker)
    [result] = pat(conversation_doc(homecare_draw, "H02"))
    assert result["status"] == "forbidden"
    assert result["errors"] == {"person_code": [NOT_GIVEN]}
    from tests.support.voice import draw_people

    home_draw = draw_people(db, org.supervisor, org.care_home, 1)
    code = home_draw.result[0]["label"]
    [result] = pat(conversation_doc(home_draw, code))
    assert result["status"] == "forbidden"
    assert db.scalar(sa.select(sa.func.count()).select_from(Conversation)) == 0


def test_a_taken_back_conversation_is_forbidden_and_the_supervisors_are_not_theirs(
    db, org, homecare_manager, checker, homecare_draw, given, client_as, login_as
):
    sue = client_as(org.supervisor)
    [result] = sue(conversation_doc(homecare_draw, "H02", outcome="declined"))
    assert result["status"] == "created"
    theirs = db.scalar(sa.select(Conversation))
    assert login_as(checker).get(f"/voice/{theirs.uuid}").status_code == 404

    conversation = next(a for a in given if a.kind == "conversation")
    login_as(homecare_manager).post(f"/checkers/assignments/{conversation.id}/remove")
    [result] = client_as(checker)(conversation_doc(homecare_draw, "H01"))
    assert result["status"] == "forbidden"


@pytest.mark.parametrize(
    "fields",
    [
        {"draw_id": "\x00"},
        {"draw_id": 12},
        {"person_code": "\ud800"},
        {"person_code": ["H01"]},
        {"outcome": "asked", "answers": [{"question": "x" * 10_000}]},
        {"started_at": 10**30},
        {"actions": [{"id": "nope", "owner_id": None, "description": "\x00"}]},
    ],
)
def test_hostile_documents_from_a_checker_are_answered_one_by_one(
    db, checker, homecare_draw, given, client_as, fields
):
    bad = conversation_doc(homecare_draw, "H01", **fields)
    good = conversation_doc(homecare_draw, "H01", outcome="declined")
    results = client_as(checker)(bad, good)
    assert results[0]["status"] in ("invalid", "forbidden"), results[0]
    assert results[1]["status"] == "created", results[1]


def test_the_checkers_pages_are_named_by_endpoint_not_by_path(app):
    """Any page added later under /audits/easy-read… is not let through by its path: only the
    easy-read form's endpoint is a checker's."""
    from careobs.permissions import checker_may_open

    assert checker_may_open("audits.easy_read_page")
    assert not checker_may_open("audits.detail")
    assert not checker_may_open("audits.index")
    with app.test_request_context():
        from flask import url_for

        assert url_for("audits.easy_read_page") == "/audits/easy-read"
