"""The evidence pack's sentences count in English: "1 QUIS session", "1 interaction",
"1 action", never "1 QUIS sessions"."""

from __future__ import annotations

from datetime import timedelta

from careobs.actions import service as actions
from careobs.db import get_session
from careobs.evidence.pack import CHECKED, DONE, build
from careobs.org.models import Service
from tests.clock import local_today
from tests.support.quis import START, interaction, quis_doc


def test_one_session_one_interaction_and_one_action_are_singular(app, client, auth, data):
    acme = data.organisation()
    auth.login(acme.supervisor)
    document = quis_doc(acme.care_home, status="submitted", interactions=[interaction("PS")])
    assert client.post("/api/v1/sync", json={"documents": [document]}).status_code == 200
    first = START.date() - timedelta(days=1)
    last = max(local_today(), START.date())

    with app.test_request_context():
        db = get_session()
        home = db.get(Service, acme.care_home.id)
        actions.create(
            db,
            db.merge(acme.manager),
            service=home,
            description="Sit with people at lunch.",
            owner=None,
            due_on=None,
            cqc_tags=["C1"],
        )
        db.commit()
        pack = build(db, home, first, last, last)

    items = {
        (s.code, i.kind, i.title): i
        for sec in pack.sections
        for s in sec.statements
        for i in s.items
    }
    checked = items[("C1", CHECKED, "QUIS observations")]
    assert checked.text == (
        "1 QUIS session in communal areas coded 1 interaction between staff and the people "
        "they support."
    )
    done = items[("W7", DONE, "Actions agreed from what was found")]
    assert (
        done.text
        == "1 action open or completed in the period; 0 done, 0 of them by their due date."
    )
