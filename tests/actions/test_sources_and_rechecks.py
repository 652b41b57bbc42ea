"""Actions from visits and QUIS sessions, and targeted re-checks: booked, due, fulfilled."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from careobs.actions.models import Action, RecheckBooking
from careobs.actions.queries import rechecks_due
from careobs.audit.models import AuditEvent
from careobs.db import get_session, utcnow
from careobs.feedback.models import Feedback
from careobs.notifications.due import remind
from careobs.notifications.models import Notification
from tests.clock import local_today
from tests.support.quis import interaction, quis_doc
from tests.support.sync import SyncApi
from tests.support.visits import action as agreed


def test_a_submitted_visit_turns_its_agreed_actions_into_actions_once(
    login_as, org, hal_user, visit_doc, db
):
    sync = SyncApi(login_as(org.supervisor))
    document = visit_doc(
        actions=[agreed(org.staff_members["Hal Homecare"]), agreed(None, due_on=None)]
    )
    assert sync(document)[0]["status"] == "created"
    assert sync(document)[0]["status"] != "created"  # re-sent: nothing new

    db.expire_all()
    made = list(db.scalars(sa.select(Action).order_by(Action.id)))
    assert len(made) == 2
    assert {a.source for a in made} == {"visit"}
    assert made[0].owner_staff_id == org.staff_members["Hal Homecare"].id
    assert made[0].cqc_tags == ["S6", "W7"]
    assert made[1].owner_name == "No owner"
    assert str(made[0].visit.uuid) == document["id"]
    # The visited worker hears through the visit's feedback, when it is released.
    notices = list(db.scalars(sa.select(Notification).where(Notification.user_id == hal_user.id)))
    assert [n for n in notices if n.kind in ("action_assigned", "action_due")] == []


def test_the_worker_sees_actions_agreed_at_their_visit_once_the_feedback_is_released(
    login_as, org, hal_user, visit_doc, db
):
    sync = SyncApi(login_as(org.supervisor))
    document = visit_doc(
        actions=[agreed(org.staff_members["Hal Homecare"])], release_feedback=False
    )
    assert sync(document)[0]["status"] == "created"
    [made] = db.scalars(sa.select(Action))
    hal = login_as(hal_user)

    assert hal.get(f"/actions/{made.uuid}").status_code == 404
    assert f"/actions/{made.uuid}" not in hal.get("/actions/mine").get_data(as_text=True)

    [feedback] = db.scalars(sa.select(Feedback))
    login_as(org.supervisor).post(f"/feedback/{feedback.uuid}/edit", data={"release": "1"})
    released = hal.get(f"/actions/{made.uuid}").get_data(as_text=True)
    assert f'href="/visits/{document["id"]}"' in released
    assert f"/actions/{made.uuid}" in hal.get("/actions/mine").get_data(as_text=True)
    assert hal.get(f"/visits/{document['id']}").status_code == 200


def test_no_reminder_about_an_action_still_held_back_from_its_owner(
    app, login_as, org, hal_user, visit_doc, db
):
    sync = SyncApi(login_as(org.supervisor))
    due = local_today().isoformat()
    document = visit_doc(
        actions=[agreed(org.staff_members["Hal Homecare"], due_on=due)], release_feedback=False
    )
    assert sync(document)[0]["status"] == "created"

    def reminders() -> list[Notification]:
        with app.app_context():
            remind(get_session(), local_today())
            get_session().commit()
        db.expire_all()
        return list(
            db.scalars(
                sa.select(Notification).where(
                    Notification.user_id == hal_user.id, Notification.kind == "action_due"
                )
            )
        )

    assert reminders() == []
    [feedback] = db.scalars(sa.select(Feedback))
    login_as(org.supervisor).post(f"/feedback/{feedback.uuid}/edit", data={"release": "1"})
    [notice] = reminders()
    [made] = db.scalars(sa.select(Action))
    assert notice.link == f"/actions/{made.uuid}"


def test_an_action_links_its_visit_only_for_those_who_may_open_it(
    login_as, org, homecare_manager, visit_doc, db, data
):
    sync = SyncApi(login_as(org.supervisor))
    document = visit_doc(actions=[agreed(homecare_manager)])
    assert sync(document)[0]["status"] == "created"
    [made] = db.scalars(sa.select(Action))
    # A care worker of another service who owns the action by name cannot open the visit.
    outsider = data.user(org.org, "owner@acme.test", "Olu Owner", roles={org.care_home: "staff"})
    made.owner_user_id = outsider.id
    db.commit()

    page = login_as(outsider).get(f"/actions/{made.uuid}").get_data(as_text=True)
    manager_page = login_as(homecare_manager).get(f"/actions/{made.uuid}").get_data(as_text=True)

    assert "Monitoring visit of" in page
    assert f'href="/visits/{document["id"]}"' not in page
    assert f'href="/visits/{document["id"]}"' in manager_page


def test_owners_other_than_the_visited_worker_are_told_of_a_visits_actions(
    login_as, org, homecare_manager, visit_doc, db
):
    sync = SyncApi(login_as(org.supervisor))
    assert sync(visit_doc(actions=[agreed(homecare_manager)]))[0]["status"] == "created"
    [made] = db.scalars(sa.select(Action))
    [notice] = db.scalars(
        sa.select(Notification).where(Notification.user_id == homecare_manager.id)
    )
    assert notice.link == f"/actions/{made.uuid}"


def test_a_draft_visit_makes_no_actions(login_as, org, visit_doc, db):
    sync = SyncApi(login_as(org.supervisor))
    assert sync(visit_doc(status="draft", actions=[agreed(org.supervisor)]))[0]["status"]
    assert db.scalar(sa.select(sa.func.count()).select_from(Action)) == 0


def test_an_action_from_a_quis_session(login_as, org, db):
    client = login_as(org.supervisor)
    carla = org.staff_members["Carla Carer"]
    doc = quis_doc(org.care_home, status="submitted", interactions=[interaction("PS", staff=carla)])
    assert SyncApi(client)(doc)[0]["status"] == "created"

    page = client.get(f"/quis/sessions/{doc['id']}").get_data(as_text=True)
    assert f"/actions/new?quis_session={doc['id']}" in page
    form_page = client.get(f"/actions/new?quis_session={doc['id']}").get_data(as_text=True)
    assert 'value="C1" checked' in form_page
    response = client.post(
        f"/actions/new?quis_session={doc['id']}",
        data={
            "service": org.care_home.uuid.hex,
            "description": "Talk with people during lunch, not over them.",
            "owner": f"staff-{carla.uuid.hex}",
            "due_on": (local_today() + timedelta(days=7)).isoformat(),
            "cqc_tags": ["C1"],
        },
    )
    assert response.status_code == 302
    [made] = db.scalars(sa.select(Action))
    assert made.source == "quis"
    assert str(made.quis_session.uuid) == doc["id"]
    assert f"/quis/sessions/{doc['id']}" in client.get(response.location).get_data(as_text=True)


def book(client, action, staff, due_by, focus=()):
    return client.post(
        f"/actions/{action.uuid}/recheck",
        data={"staff": staff.uuid.hex, "due_by": due_by.isoformat(), "focus": list(focus)},
    )


def test_a_recheck_is_booked_due_reminded_and_fulfilled_by_the_next_visit(
    app, login_as, org, checklist, make_action, visit_doc, db
):
    hal = org.staff_members["Hal Homecare"]
    action = make_action(owner=hal)
    client = login_as(org.supervisor)
    default_due = local_today() + timedelta(days=28)  # the organisation's re-check days
    assert default_due.isoformat() in client.get(f"/actions/{action.uuid}").get_data(as_text=True)
    due_by = local_today() + timedelta(days=5)
    focus = [str(checklist.items[0].key), str(checklist.items[9].key)]

    assert book(client, action, hal, due_by, focus).status_code == 302

    with app.app_context():
        [(staff_id, info)] = rechecks_due(get_session(), [hal.id, 999]).items()
    assert staff_id == hal.id
    assert info.due_by == due_by and info.action_uuid == action.uuid
    assert info.focus == [checklist.items[0].text, checklist.items[9].text]
    assert "recheck_booked" in db.scalars(sa.select(AuditEvent.action)).all()

    with app.app_context():
        sent = remind(get_session(), local_today())
        again = remind(get_session(), local_today())
        get_session().commit()
    assert sent["recheck_due"] == 1 and again["recheck_due"] == 0  # the supervisor, once
    [notice] = db.scalars(
        sa.select(Notification).where(Notification.dedupe_key.like("recheck-due-%"))
    )
    assert notice.user_id == org.supervisor.id and notice.link == f"/actions/{action.uuid}"

    # A visit from before the booking does not count; the next one does.
    sync = SyncApi(login_as(org.supervisor))
    assert sync(visit_doc())[0]["status"] == "created"  # planned 20 Nov 2026
    with app.app_context():
        assert hal.id in rechecks_due(get_session(), [hal.id])
    # Minutes after the booking: "tomorrow at 09:00" is more than the day ahead a device may
    # send before 09:00 UTC, and is refused then.
    later = utcnow().replace(second=0, microsecond=0) + timedelta(minutes=5)
    document = visit_doc(
        planned_at=later.isoformat(),
        arrived_at=(later + timedelta(minutes=1)).isoformat(),
        left_at=(later + timedelta(minutes=31)).isoformat(),
    )
    assert sync(document)[0]["status"] == "created"
    db.expire_all()
    [booking] = db.scalars(sa.select(RecheckBooking))
    assert booking.fulfilled_at is not None
    assert str(booking.fulfilled_by_visit.uuid) == document["id"]
    with app.app_context():
        assert rechecks_due(get_session(), [hal.id]) == {}


def test_a_visit_fulfils_a_recheck_booked_on_or_before_its_day_on_the_local_clock(
    login_as, org, make_action, visit_doc, db
):
    """Days are London's: in summer, 23:30 UTC is already the next day there."""
    hal = org.staff_members["Hal Homecare"]
    client = login_as(org.supervisor)
    sync = SyncApi(client)
    action = make_action(owner=hal)
    assert book(client, action, hal, local_today() + timedelta(days=5)).status_code == 302

    def visit_at(arrived: datetime) -> None:
        document = visit_doc(
            planned_at=arrived.isoformat(),
            arrived_at=arrived.isoformat(),
            left_at=(arrived + timedelta(minutes=30)).isoformat(),
        )
        assert sync(document)[0]["status"] == "created"
        db.expire_all()

    # Booked at 00:30 on 16 July in London; a visit at 23:00 on the 15th was the day before.
    db.execute(
        sa.update(RecheckBooking).values(created_at=datetime(2026, 7, 15, 23, 30, tzinfo=UTC))
    )
    db.commit()
    visit_at(datetime(2026, 7, 15, 22, 0, tzinfo=UTC))
    assert db.scalar(sa.select(RecheckBooking.fulfilled_at)) is None

    # Booked at 10:00 on 16 July; a visit at 00:20 that day is on the day it was booked.
    db.execute(sa.update(RecheckBooking).values(created_at=datetime(2026, 7, 16, 9, 0, tzinfo=UTC)))
    db.commit()
    visit_at(datetime(2026, 7, 15, 23, 20, tzinfo=UTC))
    assert db.scalar(sa.select(RecheckBooking.fulfilled_at)) is not None


def test_a_recheck_of_a_worker_from_another_service_is_refused(login_as, org, make_action, db):
    action = make_action()
    carla = org.staff_members["Carla Carer"]
    response = book(login_as(org.supervisor), action, carla, local_today() + timedelta(days=3))
    assert response.status_code == 400
    past = book(
        login_as(org.supervisor),
        action,
        org.staff_members["Hal Homecare"],
        local_today() - timedelta(days=1),
        [str(uuid.uuid4())],
    )
    assert past.status_code == 400
    assert db.scalar(sa.select(sa.func.count()).select_from(RecheckBooking)) == 0


def test_a_cancelled_actions_recheck_is_not_due(app, login_as, org, make_action, db):
    hal = org.staff_members["Hal Homecare"]
    action = make_action()
    book(login_as(org.supervisor), action, hal, local_today() + timedelta(days=3))
    db.execute(sa.update(Action).values(status="cancelled"))
    db.commit()
    with app.app_context():
        assert rechecks_due(get_session(), [hal.id]) == {}
