"""A manager gives a quality checker a staff audit to co-audit or a drawn person to talk with,
and takes it back: one assignment however often it is asked, an audit event each way, a notice
to the checker with no personal data, and every other role or hostile input refused."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.checkers.models import CheckerAssignment
from careobs.notifications.models import Notification
from careobs.push.models import PushMessage, PushSubscription
from tests.support.database import count


def assignments(db) -> list[CheckerAssignment]:
    db.expire_all()
    return list(db.scalars(sa.select(CheckerAssignment).order_by(CheckerAssignment.id)))


def events(db, action: str) -> list[AuditEvent]:
    return list(db.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def co_audit_page(audit) -> str:
    return f"/checkers/co-audits/{audit.uuid}"


def conversation_page(draw, code: str) -> str:
    return f"/checkers/draws/{draw.uuid}/people/{code}"


# --- co-audits ------------------------------------------------------------------------------------


def test_a_manager_asks_a_checker_to_co_audit_once_however_often_they_ask(
    db, org, homecare_manager, checker, staff_audit, login_as
):
    manager = login_as(homecare_manager)
    audit_page = manager.get(f"/audits/{staff_audit.uuid}").get_data(as_text=True)
    assert "Ask a quality checker to co-audit this" in audit_page
    form = manager.get(co_audit_page(staff_audit))
    assert form.status_code == 200
    assert "Pat (quality checker)" in form.get_data(as_text=True)

    for _ in range(2):  # a double submit
        response = manager.post(co_audit_page(staff_audit), data={"checker": checker.uuid.hex})
        assert response.status_code == 302

    [given] = assignments(db)
    assert (given.kind, given.audit_id, given.user_id, given.service_id) == (
        "co_audit",
        staff_audit.id,
        checker.id,
        org.homecare.id,
    )
    assert given.created_by_id == homecare_manager.id
    [event] = events(db, "checker_assignment.assign")
    assert event.summary == (
        "Pat (quality checker): co-audit of Care plan audit (H01) at Acme Care Homecare"
    )
    [notice] = db.scalars(sa.select(Notification).where(Notification.user_id == checker.id))
    assert (notice.kind, notice.title, notice.body, notice.link) == (
        "coaudit_assigned",
        "You have a new co-audit to do",
        "",
        "/",
    )
    again = manager.get(co_audit_page(staff_audit)).get_data(as_text=True)
    assert "Already asked" in again and "Take the co-audit back from Pat" in again


def test_the_checker_gets_a_push_with_no_personal_data(
    db, org, homecare_manager, checker, staff_audit, login_as
):
    db.add(
        PushSubscription(
            user_id=checker.id,
            endpoint="https://push.example/pat",
            p256dh="BPubKey",
            auth="authsecret",
        )
    )
    db.commit()
    login_as(homecare_manager).post(co_audit_page(staff_audit), data={"checker": checker.uuid.hex})
    [message] = db.scalars(sa.select(PushMessage))
    notice = db.get(Notification, message.notification_id)
    assert message.payload == {
        "title": "You have a new co-audit to do",
        "url": f"/notifications/{notice.uuid}",
        "tag": "coaudit_assigned",
    }


@pytest.mark.parametrize("who", ["supervisor", "staff", "admin_other_org"])
def test_only_the_services_managers_and_admins_may_ask(
    db, org, other, checker, staff_audit, login_as, who
):
    user = {"supervisor": org.supervisor, "staff": org.staff, "admin_other_org": other.admin}[who]
    client = login_as(user)
    assert "co-audit this" not in client.get(f"/audits/{staff_audit.uuid}").get_data(as_text=True)
    for response in (
        client.get(co_audit_page(staff_audit)),
        client.post(co_audit_page(staff_audit), data={"checker": checker.uuid.hex}),
    ):
        assert response.status_code in (403, 404)
    assert assignments(db) == []


def test_an_admin_may_ask_and_the_checker_sees_no_audit_page(
    db, org, checker, staff_audit, login_as
):
    response = login_as(org.admin).post(
        co_audit_page(staff_audit), data={"checker": checker.uuid.hex}
    )
    assert response.status_code == 302
    assert len(assignments(db)) == 1
    pat = login_as(checker)
    assert pat.get(f"/audits/{staff_audit.uuid}").status_code in (403, 404)
    assert pat.get(co_audit_page(staff_audit)).status_code == 404


@pytest.mark.parametrize(
    "value",
    [
        "",
        "\x00",
        "\ud800",
        "not-a-uuid",
        str(uuid.uuid5(uuid.NAMESPACE_URL, "unknown")),
        "9" * 400,
        "staff-user",
    ],
)
def test_a_checker_not_offered_is_refused_with_the_form_and_nothing_written(
    db, org, homecare_manager, checker, staff_audit, login_as, value
):
    if value == "staff-user":
        value = org.supervisor.uuid.hex  # a user, but not a checker of the service
    client = login_as(homecare_manager)
    if value == "\ud800":  # a lone surrogate, as a browser's bytes (a test client cannot encode it)
        response = client.post(
            co_audit_page(staff_audit),
            data=b"checker=%ED%A0%80",
            content_type="application/x-www-form-urlencoded",
        )
    else:
        response = client.post(co_audit_page(staff_audit), data={"checker": value})
    assert response.status_code == 400
    assert "Please check the form" in response.get_data(as_text=True)
    assert assignments(db) == []


def test_a_checker_of_another_service_is_not_offered(
    data, db, org, homecare_manager, staff_audit, login_as
):
    elsewhere = data.user(
        org.org, "cy@acme.test", "Cy Checker", roles={org.care_home: "quality_checker"}
    )
    db.commit()
    client = login_as(homecare_manager)
    assert "Cy Checker" not in client.get(co_audit_page(staff_audit)).get_data(as_text=True)
    response = client.post(co_audit_page(staff_audit), data={"checker": elsewhere.uuid.hex})
    assert response.status_code == 400
    assert assignments(db) == []


@pytest.mark.parametrize(
    "path",
    [
        "/checkers/co-audits/not-a-uuid",
        f"/checkers/co-audits/{uuid.uuid5(uuid.NAMESPACE_URL, 'unknown')}",
    ],
)
def test_an_unknown_audit_is_not_found(org, homecare_manager, login_as, path):
    assert login_as(homecare_manager).get(path).status_code == 404


# --- conversations --------------------------------------------------------------------------------


def test_a_manager_gives_a_drawn_person_to_one_checker(
    db, org, homecare_manager, checker, second_checker, homecare_draw, login_as
):
    manager = login_as(homecare_manager)
    draw_page = manager.get(f"/selection/{homecare_draw.uuid}").get_data(as_text=True)
    assert draw_page.count("Give this conversation to a quality checker") == 2

    response = manager.post(
        conversation_page(homecare_draw, "H01"), data={"checker": checker.uuid.hex}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/selection/{homecare_draw.uuid}")
    # Given again, to someone else: still Pat's, and the manager is told so.
    response = manager.post(
        conversation_page(homecare_draw, "H01"),
        data={"checker": second_checker.uuid.hex},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "The conversation with H01 is already Pat (quality checker)&#39;s." in page
    assert "Given to Pat (quality checker), a quality checker." in page
    assert page.count("Give this conversation to a quality checker") == 1  # H02 only

    [given] = assignments(db)
    assert (given.kind, given.draw_id, given.person_id, given.user_id) == (
        "conversation",
        homecare_draw.id,
        org.people["H01"].id,
        checker.id,
    )
    [event] = events(db, "checker_assignment.assign")
    assert event.summary == "Pat (quality checker): conversation with H01 at Acme Care Homecare"
    notices = db.scalars(sa.select(Notification)).all()
    assert [(n.user_id, n.title) for n in notices] == [
        (checker.id, "You have a new conversation to do")
    ]


@pytest.mark.parametrize("code", ["R01", "H09", "H01\x00", "%00", "x" * 300])
def test_someone_the_draw_did_not_pick_is_not_found(
    db, org, homecare_manager, checker, homecare_draw, login_as, code
):
    client = login_as(homecare_manager)
    assert client.get(conversation_page(homecare_draw, code)).status_code == 404
    response = client.post(
        conversation_page(homecare_draw, code), data={"checker": checker.uuid.hex}
    )
    assert response.status_code == 404
    assert assignments(db) == []


def test_a_supervisor_or_checker_may_not_give_conversations(
    db, org, checker, homecare_draw, login_as
):
    supervisor = login_as(org.supervisor)
    page = supervisor.get(f"/selection/{homecare_draw.uuid}").get_data(as_text=True)
    assert "Give this conversation" not in page
    assert supervisor.get(conversation_page(homecare_draw, "H01")).status_code == 403
    assert login_as(checker).get(conversation_page(homecare_draw, "H01")).status_code == 404
    assert assignments(db) == []


# --- taking back, and lapsed assignments ----------------------------------------------------------


def test_a_manager_takes_an_assignment_back(
    db, org, homecare_manager, checker, homecare_draw, login_as
):
    manager = login_as(homecare_manager)
    manager.post(conversation_page(homecare_draw, "H02"), data={"checker": checker.uuid.hex})
    given_id = assignments(db)[0].id
    page = manager.get(f"/checkers/services/{org.homecare.uuid}").get_data(as_text=True)
    assert "Pat (quality checker): conversation with H02" in page

    assert login_as(checker).post(f"/checkers/assignments/{given_id}/remove").status_code == 404
    assert (
        login_as(org.supervisor).post(f"/checkers/assignments/{given_id}/remove").status_code == 404
    )
    response = manager.post(f"/checkers/assignments/{given_id}/remove")
    assert response.status_code == 302
    assert assignments(db) == []
    [event] = events(db, "checker_assignment.remove")
    assert event.summary == "Pat (quality checker): conversation with H02 at Acme Care Homecare"
    assert manager.post(f"/checkers/assignments/{given_id}/remove").status_code == 404


@pytest.mark.parametrize("number", ["0", "99999999999999999999", "2147483648", "-1", "x"])
def test_removing_an_unknown_assignment_is_not_found(org, homecare_manager, login_as, number):
    assert (
        login_as(homecare_manager).post(f"/checkers/assignments/{number}/remove").status_code == 404
    )


def test_another_organisations_admin_cannot_take_one_back(
    db, org, other, homecare_manager, checker, homecare_draw, login_as
):
    login_as(homecare_manager).post(
        conversation_page(homecare_draw, "H01"), data={"checker": checker.uuid.hex}
    )
    [given] = assignments(db)
    assert login_as(other.admin).post(f"/checkers/assignments/{given.id}/remove").status_code == 404
    assert login_as(other.admin).get(f"/checkers/services/{org.homecare.uuid}").status_code == 404
    assert len(assignments(db)) == 1


@pytest.mark.parametrize("change", ["role", "deactivated", "left"])
def test_a_lapsed_assignment_is_shown_to_the_manager_apart_and_gives_the_checker_nothing(
    db, org, homecare_manager, checker, homecare_draw, login_as, change
):
    from careobs.accounts import service as accounts

    login_as(homecare_manager).post(
        conversation_page(homecare_draw, "H01"), data={"checker": checker.uuid.hex}
    )
    pat = login_as(checker)
    assert "Talk with H01" in pat.get("/").get_data(as_text=True)
    user = db.merge(checker)
    if change == "role":
        accounts.set_memberships(db, user, {org.homecare.id: "staff"})
        reason = "Pat (quality checker) is now a care worker at Acme Care Homecare."
    elif change == "left":
        accounts.set_memberships(db, user, {org.homecare.id: None})
        reason = "Pat (quality checker) is no longer a member of Acme Care Homecare."
    else:
        user.active = False
        reason = "Pat (quality checker)&#39;s login has been deactivated."
    db.commit()

    page = login_as(homecare_manager).get(f"/checkers/services/{org.homecare.uuid}")
    text = page.get_data(as_text=True)
    assert "Not in force (1)" in text and reason in text
    assert "Given and in force (0)" in text
    if change != "deactivated":
        assert "Talk with H01" not in login_as(checker).get("/").get_data(as_text=True)
        assert login_as(checker).get(
            "/voice/record", query_string={"draw": homecare_draw.uuid, "person": "H01"}
        ).status_code in (403, 404)
    assert count(db, CheckerAssignment) == 1  # kept until the manager removes it


def test_the_managers_home_links_to_the_checkers_work_of_their_services(
    org, homecare_manager, login_as
):
    home = login_as(homecare_manager).get("/").get_data(as_text=True)
    assert f'href="/checkers/services/{org.homecare.uuid}"' in home
    assert f'href="/checkers/services/{org.care_home.uuid}"' not in home
    supervisor_home = login_as(org.supervisor).get("/").get_data(as_text=True)
    assert "/checkers/services/" not in supervisor_home


def test_the_draw_page_reads_the_given_conversations_in_one_query(
    app, org, homecare_manager, checker, second_checker, homecare_draw, login_as
):
    """Each given person's code and checker come with the assignment, not one read each."""
    manager = login_as(homecare_manager)
    for code, user in (("H01", checker), ("H02", second_checker)):
        response = manager.post(
            conversation_page(homecare_draw, code), data={"checker": user.uuid.hex}
        )
        assert response.status_code == 302
    statements: list[str] = []
    engine = app.extensions["careobs.engine"]

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        page = manager.get(f"/selection/{homecare_draw.uuid}").get_data(as_text=True)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert "Given to Pat (quality checker), a quality checker." in page
    assert "Given to Quinn Checker, a quality checker." in page
    given_reads = [s for s in statements if "checker_assignments.draw_id =" in s]
    assert len(given_reads) == 1
    one_by_one = [
        s for s in statements if s.rstrip().endswith(("people.id = ?", "people.id = %(pk_1)s"))
    ]
    assert one_by_one == []
