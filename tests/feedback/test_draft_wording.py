"""Counts in feedback drafts and flash messages read as English: "1 positive social
interaction", "2 kind, respectful care interactions", "1 member of staff", never "(s)"."""

from __future__ import annotations

from tests.support.feedback import feedback_for, sync_as
from tests.support.quis import interaction, quis_doc


def test_a_draft_counts_one_social_and_two_care_interactions(login, db, org):
    carla = org.staff_members["Carla Carer"]
    document = quis_doc(
        org.care_home,
        status="submitted",
        interactions=[
            interaction("PS", staff=carla, minute=1),
            interaction("PC", staff=carla, minute=2),
            interaction("PC", staff=carla, minute=3),
        ],
    )
    sue = login(org.supervisor)
    assert sync_as(sue)(document)[0]["status"] == "created"

    response = sue.post(f"/feedback/from-quis/{document['id']}", follow_redirects=True)

    assert "Feedback drafted for 1 member of staff. Check and release each." in (
        response.get_data(as_text=True)
    )
    (draft,) = feedback_for(db, carla)
    assert draft.went_well.splitlines() == [
        "1 positive social interaction seen, where you treated people as individuals beyond "
        "the task.",
        "2 kind, respectful care interactions.",
    ]
    assert "(s)" not in draft.went_well


def test_team_feedback_says_how_many_members_of_staff(login, db, org):
    carla = org.staff_members["Carla Carer"]
    document = quis_doc(
        org.care_home, status="submitted", interactions=[interaction("PS", staff=carla)]
    )
    sue = login(org.supervisor)
    assert sync_as(sue)(document)[0]["status"] == "created"
    form = {"staff": [carla.uuid.hex], "went_well": "A calm, kind lunch.", "to_develop": ""}

    first = sue.post(f"/feedback/team/{document['id']}", data=form, follow_redirects=True)
    again = sue.post(f"/feedback/team/{document['id']}", data=form, follow_redirects=True)

    assert "Team feedback drafted for 1 member of staff." in first.get_data(as_text=True)
    assert (
        "Team feedback drafted for 0 members of staff (1 already had feedback from this "
        "session)." in again.get_data(as_text=True)
    )
