"""Feedback to staff written offline with a QUIS session (the document's optional ``feedback``)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from careobs.feedback.models import Feedback
from careobs.notifications.models import Notification
from careobs.quis.models import QuisSession
from tests.support.quis import interaction, quis_doc


def feedback_rows(db) -> list[Feedback]:
    db.expire_all()
    return list(db.scalars(sa.select(Feedback).order_by(Feedback.id)))


def test_observer_words_replace_the_draft_and_release_on_submit(client, auth, data, db):
    acme = data.organisation()
    carla = acme.staff_members["Carla Carer"]
    carla.user_id = acme.staff.id
    db.commit()
    document = quis_doc(
        acme.care_home,
        status="submitted",
        interactions=[interaction("PS", staff=carla), interaction("NP", staff=carla, minute=2)],
        feedback=[
            {
                "staff_id": str(carla.uuid),
                "went_well": "Warm chat at lunch.",
                "to_develop": "",
                "release": True,
            }
        ],
    )
    auth.login(acme.supervisor)

    response = client.post("/api/v1/sync", json={"documents": [document]})

    assert response.get_json()["results"][0]["status"] == "created"
    (feedback,) = feedback_rows(db)
    assert feedback.staff_id == carla.id
    assert feedback.status == "released"
    assert feedback.went_well == "Warm chat at lunch."
    assert feedback.to_develop == ""  # exactly what the observer saw and sent, nothing added
    notices = db.scalars(sa.select(Notification).where(Notification.user_id == acme.staff.id))
    assert [n.kind for n in notices] == ["feedback_released"]


def test_unreleased_feedback_stays_a_draft_and_a_resend_adds_nothing(client, auth, data, db):
    acme = data.organisation()
    carla = acme.staff_members["Carla Carer"]
    document = quis_doc(
        acme.care_home,
        status="submitted",
        interactions=[interaction("PC", staff=carla)],
        feedback=[
            {"staff_id": str(carla.uuid), "went_well": "", "to_develop": "", "release": False}
        ],
    )
    auth.login(acme.supervisor)
    client.post("/api/v1/sync", json={"documents": [document]})
    client.post("/api/v1/sync", json={"documents": [document]})

    (feedback,) = feedback_rows(db)
    assert feedback.status == "draft"
    assert "kind, respectful care" in feedback.went_well


def test_feedback_for_staff_of_another_service_is_invalid(client, auth, data, db):
    acme = data.organisation()
    hal = acme.staff_members["Hal Homecare"]
    document = quis_doc(
        acme.care_home,
        status="submitted",
        interactions=[interaction("PS")],
        feedback=[{"staff_id": str(hal.uuid), "went_well": "x", "release": True}],
    )
    auth.login(acme.supervisor)

    result = client.post("/api/v1/sync", json={"documents": [document]}).get_json()["results"][0]

    assert result["status"] == "invalid"
    assert "feedback[0].staff_id" in result["errors"]
    assert feedback_rows(db) == []


def test_a_kept_draft_fills_empty_boxes_from_the_interactions(client, auth, data, db):
    acme = data.organisation()
    carla = acme.staff_members["Carla Carer"]
    document = quis_doc(
        acme.care_home,
        status="submitted",
        interactions=[interaction("PS", staff=carla), interaction("NP", staff=carla, minute=2)],
        feedback=[
            {"staff_id": str(carla.uuid), "went_well": "Mine.", "to_develop": "", "release": False}
        ],
    )
    auth.login(acme.supervisor)
    client.post("/api/v1/sync", json={"documents": [document]})

    (feedback,) = feedback_rows(db)
    assert feedback.status == "draft"
    assert feedback.went_well == "Mine."
    assert "Negative protective" in feedback.to_develop
    assert "Approach from the front" in feedback.to_develop


def test_empty_feedback_to_send_is_kept_as_careobs_draft_not_released(client, auth, data, db):
    """Earlier versions of the app sent empty boxes with "send" ticked ("leave a box empty and
    careobs drafts it"): the session is stored, and the feedback waits as careobs's draft for the
    observer to check and release from the session page; the worker hears nothing yet."""
    acme = data.organisation()
    carla = acme.staff_members["Carla Carer"]
    carla.user_id = acme.staff.id
    db.commit()
    document = quis_doc(
        acme.care_home,
        status="submitted",
        interactions=[interaction("PS", staff=carla), interaction("NP", staff=carla, minute=2)],
        feedback=[
            {"staff_id": str(carla.uuid), "went_well": " ", "to_develop": "", "release": True}
        ],
    )
    auth.login(acme.supervisor)

    result = client.post("/api/v1/sync", json={"documents": [document]}).get_json()["results"][0]

    assert result["status"] == "created"
    session = db.scalar(sa.select(QuisSession).where(QuisSession.uuid == uuid.UUID(document["id"])))
    assert session is not None and session.status == "submitted"
    (feedback,) = feedback_rows(db)
    assert (feedback.staff_id, feedback.quis_session_id) == (carla.id, session.id)
    assert feedback.status == "draft"
    assert feedback.released_at is None
    assert feedback.went_well.startswith("1 positive social interaction seen, where")
    assert "Negative protective" in feedback.to_develop
    assert "Things that help:" in feedback.to_develop
    notices = db.scalars(sa.select(Notification).where(Notification.user_id == acme.staff.id))
    assert list(notices) == []
