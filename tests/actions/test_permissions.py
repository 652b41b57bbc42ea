"""Who may reach each action page: anonymous, the owning worker, another worker, the
supervisor, a manager of another service, the service's manager, an admin, another organisation.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from careobs.actions.models import ActionNote
from tests.clock import local_today

# The action lives in Acme's homecare service, owned by Hal Homecare (linked to hal_user).
# org.manager manages only the care home; homecare_manager manages homecare.
EXPECTED = {
    #  who                    list  mine  new   detail edit  note  status recheck
    "anonymous": (302, 302, 302, 302, 302, 302, 302, 302),
    "owner_worker": (403, 200, 403, 200, 403, 302, 302, 403),
    "other_worker": (403, 200, 403, 404, 404, 404, 404, 404),
    "supervisor": (200, 200, 200, 200, 200, 302, 302, 302),
    "other_service_manager": (200, 200, 200, 404, 404, 404, 404, 404),
    "service_manager": (200, 200, 200, 200, 200, 302, 302, 302),
    "admin": (200, 200, 200, 200, 200, 302, 302, 302),
    "other_org_admin": (200, 200, 200, 404, 404, 404, 404, 404),
}


@pytest.fixture
def people(org, other, hal_user, homecare_manager):
    return {
        "anonymous": None,
        "owner_worker": hal_user,
        "other_worker": org.staff,
        "supervisor": org.supervisor,
        "other_service_manager": org.manager,
        "service_manager": homecare_manager,
        "admin": org.admin,
        "other_org_admin": other.admin,
    }


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_every_route_answers_each_role_as_expected(who, people, login_as, make_action, org, db):
    action = make_action()
    client = login_as(people[who])
    base = f"/actions/{action.uuid}"
    hal = org.staff_members["Hal Homecare"]
    due = (local_today() + timedelta(days=3)).isoformat()
    got = (
        client.get("/actions/").status_code,
        client.get("/actions/mine").status_code,
        client.get("/actions/new").status_code,
        client.get(base).status_code,
        client.get(f"{base}/edit").status_code,
        client.post(f"{base}/progress", data={"note": "Read the policy."}).status_code,
        client.post(f"{base}/progress", data={"status": "in_progress", "note": "x"}).status_code,
        client.post(f"{base}/recheck", data={"staff": hal.uuid.hex, "due_by": due}).status_code,
    )
    assert got == EXPECTED[who]


def test_a_worker_adds_notes_but_cannot_change_the_status(login_as, hal_user, make_action, db):
    action = make_action()
    client = login_as(hal_user)
    page = client.get(f"/actions/{action.uuid}").get_data(as_text=True)
    assert 'name="status"' not in page
    client.post(f"/actions/{action.uuid}/progress", data={"status": "done", "note": "Did it."})
    db.expire_all()
    [note] = db.scalars(sa.select(ActionNote))
    assert note.to_status is None and note.text == "Did it."
    assert note.action.status == "open"


def test_my_actions_lists_only_the_users_own(login_as, org, hal_user, make_action):
    mine = make_action()
    theirs = make_action(service_=org.care_home, owner=org.staff_members["Carla Carer"])
    page = login_as(hal_user).get("/actions/mine").get_data(as_text=True)
    assert str(mine.uuid) in page and str(theirs.uuid) not in page
    listed = login_as(org.manager).get("/actions/?status=any").get_data(as_text=True)
    assert str(theirs.uuid) in listed and str(mine.uuid) not in listed
