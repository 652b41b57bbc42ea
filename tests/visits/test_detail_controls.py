"""A monitoring visit's page shows its privacy flags, its addendum form and where to follow up
its actions to exactly the users the permissions package's predicates allow.

Its author and the managers of its service see the flags and the actions list; the care worker
the visit is about (once the feedback is released) sees neither and follows up in "My actions".
On a submitted visit that is the rule of ``may_add_addendum``; drafts are seen only by their
author and the managers, who see the flags.
"""

from __future__ import annotations

import pytest

from careobs.permissions import may_add_addendum, may_view_visit
from careobs.visits.models import MonitoringVisit
from tests.support.database import stored
from tests.support.visits import action

FLAGS = "Possible personal information"
ADDENDUM = "Add addendum"
ALL_ACTIONS = '<a href="/actions/">Follow up the actions</a>'
MY_ACTIONS = '<a href="/actions/mine">Follow up the actions</a>'


@pytest.mark.parametrize("status", ["submitted", "draft"])
def test_controls_follow_the_predicates(db, org, data, sync, auth, login_as, visit_doc, status):
    hal = org.staff_members["Hal Homecare"]
    hal.user_id = org.staff.id  # the factory care worker's login is Hal Homecare's
    hana = data.user(org.org, "hana@acme.test", "Hana Homecare", roles={org.homecare: "manager"})
    sid = data.user(org.org, "sid@acme.test", "Sid Second", roles={org.homecare: "supervisor"})
    db.commit()
    auth.login(org.supervisor)
    document = visit_doc(
        status=status,
        went_well="Mr Jones was greeted warmly.",
        actions=[action(hal)],
        release_feedback=True,
    )
    assert sync(document)[0]["status"] == "created"
    visit = stored(db, MonitoringVisit, document)
    assert visit.privacy_flags

    readers = [org.supervisor, hana, org.admin, org.staff]
    for user in readers:
        response = login_as(user).get(f"/visits/{document['id']}")
        if not may_view_visit(user, visit):
            assert user is org.staff and status == "draft"
            assert response.status_code == 404
            continue
        text = response.get_data(as_text=True)
        follows_up = may_add_addendum(user, visit) or status == "draft"
        assert (FLAGS in text) is follows_up
        assert (ADDENDUM in text) is may_add_addendum(user, visit)
        if status == "submitted":
            assert (ALL_ACTIONS in text) is follows_up
            assert (MY_ACTIONS in text) is not follows_up
    assert not may_add_addendum(org.staff, visit)  # the worker reads, but follows up nothing

    for user in (sid, org.outsider):
        assert not may_view_visit(user, visit)
        assert login_as(user).get(f"/visits/{document['id']}").status_code == 404
