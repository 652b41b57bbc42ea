"""An action's life: added by hand, progressed, done or cancelled; overdue; bad input."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from careobs.actions.models import Action, ActionNote
from careobs.audit.models import AuditEvent
from careobs.notifications.models import Notification
from tests.clock import local_today


def actions(db) -> list[Action]:
    db.expire_all()
    return list(db.scalars(sa.select(Action).order_by(Action.id)))


def audit_actions(db) -> list[str]:
    return list(db.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def new_form(org, **overrides) -> dict:
    form = {
        "service": org.homecare.uuid.hex,
        "description": "Shadow a senior carer on two medicines rounds.",
        "owner": f"staff-{org.staff_members['Hal Homecare'].uuid.hex}",
        "due_on": (local_today() + timedelta(days=14)).isoformat(),
        "cqc_tags": ["S8", "W7"],
    }
    form.update(overrides)
    return form


def test_a_supervisor_adds_an_action_by_hand_and_its_owner_is_told(login_as, org, hal_user, db):
    client = login_as(org.supervisor)
    response = client.post("/actions/new", data=new_form(org))

    [action] = actions(db)
    assert response.status_code == 302
    assert response.location.endswith(f"/actions/{action.uuid}")
    assert action.status == "open"
    assert action.source == "manual"
    assert action.owner_staff_id == org.staff_members["Hal Homecare"].id
    assert action.cqc_tags == ["S8", "W7"]
    assert "action_created" in audit_actions(db)
    [notice] = db.scalars(sa.select(Notification).where(Notification.user_id == hal_user.id))
    assert notice.link == f"/actions/{action.uuid}"
    assert "Hal" not in notice.body and "medicines" not in notice.body

    page = client.get(f"/actions/{action.uuid}").get_data(as_text=True)
    assert "Safe — Medicines optimisation" in page
    assert "Well-led — Learning, improvement and innovation" in page


def test_open_in_progress_done_with_notes_and_completed_at(login_as, org, make_action, db):
    action = make_action()
    client = login_as(org.supervisor)

    client.post(f"/actions/{action.uuid}/progress", data={"status": "in_progress", "note": ""})
    client.post(
        f"/actions/{action.uuid}/progress", data={"status": "in_progress", "note": "Booked."}
    )
    assert actions(db)[0].completed_at is None
    client.post(f"/actions/{action.uuid}/progress", data={"status": "done", "note": "Done."})

    [done] = actions(db)
    assert done.status == "done"
    assert done.completed_at is not None
    notes = list(db.scalars(sa.select(ActionNote).order_by(ActionNote.id)))
    assert [(n.from_status, n.to_status, n.text) for n in notes] == [
        ("open", "in_progress", ""),
        (None, None, "Booked."),
        ("in_progress", "done", "Done."),
    ]
    assert audit_actions(db).count("action_status_changed") == 2
    assert audit_actions(db).count("action_note_added") == 1

    client.post(f"/actions/{action.uuid}/progress", data={"status": "open", "note": "Again."})
    assert actions(db)[0].completed_at is None  # reopened


def test_only_managers_cancel(login_as, org, make_action, db):
    action = make_action(service_=org.care_home, owner=org.staff_members["Carla Carer"])

    refused = login_as(org.supervisor).post(
        f"/actions/{action.uuid}/progress", data={"status": "cancelled", "note": "No need."}
    )
    assert refused.status_code in (400, 403)
    assert actions(db)[0].status == "open"

    ok = login_as(org.manager).post(
        f"/actions/{action.uuid}/progress", data={"status": "cancelled", "note": "No need."}
    )
    assert ok.status_code == 302
    [cancelled] = actions(db)
    assert cancelled.status == "cancelled"
    assert cancelled.completed_at is None


def test_an_empty_note_without_a_status_change_is_refused(login_as, org, make_action, db):
    action = make_action()
    response = login_as(org.supervisor).post(
        f"/actions/{action.uuid}/progress", data={"status": "open", "note": "  "}
    )
    assert response.status_code == 400
    assert "Write a note or change the status." in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(ActionNote)) == 0


# -- overdue ---------------------------------------------------------------------------------


def test_overdue_means_past_due_and_not_closed(org, make_action):
    today = date(2026, 11, 27)
    action = make_action(due_on=today - timedelta(days=1))
    assert action.is_overdue(today)
    action.due_on = today
    assert not action.is_overdue(today)
    action.due_on = today - timedelta(days=1)
    for status in ("done", "cancelled"):
        action.status = status
        assert not action.is_overdue(today)
    action.status = "in_progress"
    assert action.is_overdue(today)


def test_the_list_flags_overdue_in_words_and_filters_it(login_as, org, make_action, db):
    late = make_action(due_on=local_today() - timedelta(days=1))
    today = make_action(due_on=local_today())
    finished = make_action(due_on=local_today() - timedelta(days=3))
    db.execute(sa.update(Action).where(Action.id == finished.id).values(status="done"))
    db.commit()
    client = login_as(org.supervisor)

    page = client.get("/actions/").get_data(as_text=True)
    assert page.count(">Overdue<") == 1
    assert str(finished.uuid) not in page  # open or in progress by default

    only = client.get("/actions/?overdue=y").get_data(as_text=True)
    assert str(late.uuid) in only and str(today.uuid) not in only
    every = client.get("/actions/?status=any").get_data(as_text=True)
    assert str(finished.uuid) in every


# -- bad input -------------------------------------------------------------------------------


def test_bad_input_gives_form_errors_and_writes_nothing(login_as, org, db):
    client = login_as(org.supervisor)
    carla = f"staff-{org.staff_members['Carla Carer'].uuid.hex}"
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    cases = [
        (new_form(org, description=""), "Say what will be done."),
        (new_form(org, cqc_tags=["S8", "X99"]), "not a valid choice"),
        (new_form(org, owner=carla), "Choose an owner who works in this service."),
        (new_form(org, due_on=yesterday), "The due date cannot be in the past."),
        (new_form(org, owner=""), "Choose who owns this action."),
        (new_form(org, service=org.care_home.uuid.hex + "0"), "Not a valid choice"),
    ]
    for form, message in cases:
        response = client.post("/actions/new", data=form)
        assert response.status_code == 400, message
        assert message in response.get_data(as_text=True), message
    assert actions(db) == []
    assert "action_created" not in audit_actions(db)


def test_editing_keeps_an_unchanged_past_due_date(login_as, org, make_action, db):
    action = make_action(due_on=local_today() - timedelta(days=2))
    client = login_as(org.supervisor)
    form = new_form(org, due_on=action.due_on.isoformat(), description="Changed wording.")

    assert client.post(f"/actions/{action.uuid}/edit", data=form).status_code == 302
    assert actions(db)[0].description == "Changed wording."
    form["due_on"] = (local_today() - timedelta(days=1)).isoformat()
    assert client.post(f"/actions/{action.uuid}/edit", data=form).status_code == 400
    assert "action_updated" in audit_actions(db)
