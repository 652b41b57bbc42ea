"""A QUIS session's page shows its privacy flags, feedback, action and addendum controls to
exactly the users the permissions package says may use them, and no page at all to anyone else."""

from __future__ import annotations

import pytest

from careobs.permissions import may_add_addendum, may_write_quis_feedback
from careobs.quis.models import QuisSession
from tests.support.database import stored
from tests.support.quis import interaction, quis_doc

FLAGS = "Possible personal information"
FEEDBACK = "Draft feedback for the staff observed"
ACTION = "Add an action"
ADDENDUM = "Add addendum"


def recorded(client, org, status: str) -> dict:
    """A session in Acme's care home, observed by the supervisor, whose notes name someone."""
    document = quis_doc(
        org.care_home,
        status=status,
        notes="Mr Jones sat by the window.",
        interactions=[interaction("PS", staff=org.staff_members["Carla Carer"])],
    )
    assert client.post("/api/v1/sync", json={"documents": [document]}).status_code == 200
    return document


@pytest.mark.parametrize("status", ["submitted", "draft"])
def test_controls_follow_the_predicates(app, db, org, data, auth, client, login_as, status):
    homecare_manager = data.user(
        org.org, "hana@acme.test", "Hana Homecare", roles={org.homecare: "manager"}
    )
    db.commit()
    auth.login(org.supervisor)
    document = recorded(client, org, status)
    session = stored(db, QuisSession, document)
    assert session.privacy_flags

    for user in (org.supervisor, org.manager, org.admin):
        page = login_as(user).get(f"/quis/sessions/{document['id']}")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        follows_up = may_write_quis_feedback(user, session)
        assert follows_up  # the observer, the care home's manager, an admin
        assert (FLAGS in text) is follows_up
        assert (FEEDBACK in text) is (status == "submitted" and follows_up)
        assert (ACTION in text) is (status == "submitted" and follows_up)
        assert (ADDENDUM in text) is may_add_addendum(user, session)

    for user in (org.staff, org.outsider, homecare_manager):
        assert not may_write_quis_feedback(user, session)
        status_code = login_as(user).get(f"/quis/sessions/{document['id']}").status_code
        assert status_code in {403, 404}  # no capture role at all, or not their session
