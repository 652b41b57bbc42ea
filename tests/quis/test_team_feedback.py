"""Feedback to the team on duty during a QUIS session: the same words to each chosen worker."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.feedback.models import Feedback
from careobs.org.models import StaffMember
from tests.support.quis import interaction, quis_doc


def submitted_session(client, acme, staff=None) -> dict:
    document = quis_doc(
        acme.care_home, status="submitted", interactions=[interaction("PS", staff=staff)]
    )
    assert client.post("/api/v1/sync", json={"documents": [document]}).status_code == 200
    return document


def test_team_feedback_goes_to_each_chosen_worker_once(client, auth, data, db):
    acme = data.organisation()
    carla = acme.staff_members["Carla Carer"]
    dan = StaffMember(
        organisation_id=acme.org.id,
        service_id=acme.care_home.id,
        name="Dan Day",
        job_role="Care worker",
        user_id=acme.staff.id,
    )
    db.add(dan)
    db.commit()
    auth.login(acme.supervisor)
    document = submitted_session(client, acme, staff=carla)
    page = client.get(f"/quis/sessions/{document['id']}").get_data(as_text=True)
    assert "Feedback to the team on duty" in page and "Dan Day" in page

    form = {
        "staff": [carla.uuid.hex, dan.uuid.hex],
        "went_well": "A calm, kind lunch.",
        "to_develop": "",
        "send": "1",
    }
    assert client.post(f"/feedback/team/{document['id']}", data=form).status_code == 302
    client.post(f"/feedback/team/{document['id']}", data=form)  # again: nobody gets it twice

    db.expire_all()
    rows = db.scalars(sa.select(Feedback).order_by(Feedback.staff_id)).all()
    assert sorted(r.staff_id for r in rows) == sorted([carla.id, dan.id])
    assert {r.went_well for r in rows} == {"A calm, kind lunch."}
    assert {r.status for r in rows} == {"released"}


def test_team_feedback_needs_people_and_words(client, auth, data, db):
    acme = data.organisation()
    carla = acme.staff_members["Carla Carer"]
    auth.login(acme.supervisor)
    document = submitted_session(client, acme)

    no_words = {"staff": [carla.uuid.hex], "went_well": " ", "to_develop": ""}
    no_people = {"went_well": "Well done.", "to_develop": ""}
    for form in (no_words, no_people):
        response = client.post(f"/feedback/team/{document['id']}", data=form)
        assert response.status_code == 302
    assert db.scalar(sa.select(sa.func.count()).select_from(Feedback)) == 0


def test_team_feedback_is_refused_to_care_workers(client, auth, data, db):
    acme = data.organisation()
    auth.login(acme.supervisor)
    document = submitted_session(client, acme)
    auth.logout()
    auth.login(acme.staff)
    form = {"staff": [acme.staff_members["Carla Carer"].uuid.hex], "went_well": "x"}
    assert client.post(f"/feedback/team/{document['id']}", data=form).status_code == 404
    assert db.scalar(sa.select(sa.func.count()).select_from(Feedback)) == 0
