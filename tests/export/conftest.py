"""A small organisation with one of every record, written as users write them (reading an
export back is in :mod:`tests.support.export`).

``scene.acme`` is Acme Care from the factories plus the default checklist, a submitted QUIS
session (three interactions) and a submitted monitoring visit (one action) synced by Sue
Supervisor, an addendum to each, and team feedback to Carla Carer. ``scene.other`` is a second
organisation with its own session, whose records must never appear in Acme's export.
"""

from __future__ import annotations

import pytest

from careobs.checklists import service as checklists
from tests.support.export import OTHER_NOTES, Scene, post_form_as, sync_as_user
from tests.support.quis import interaction, quis_doc
from tests.support.visits import action, checklist_info, spot_check


@pytest.fixture
def scene(app, db, data) -> Scene:
    acme = data.organisation()
    acme.people["H01"].consent = "yes"
    acme.people["R01"].initials = "AB"
    db.commit()
    other = data.organisation("Other Org", prefix="other")
    with app.app_context():
        checklist_uuid = checklists.create_default(db, acme.org.id, actor=acme.admin).uuid
        db.commit()
    carla = acme.staff_members["Carla Carer"]
    hal = acme.staff_members["Hal Homecare"]

    quis = quis_doc(
        acme.care_home,
        area=acme.areas["Lounge"],
        status="submitted",
        went_well="Lunch was calm.",
        interactions=[
            interaction("PS", staff=carla, minute=1),
            interaction("PC", people=("R01", "R02"), staff=carla, minute=2),
            interaction("NR", staff=None, minute=3, negative_reason="task_focused"),
        ],
    )
    visit = spot_check(
        acme.homecare,
        hal,
        checklist_info(db, checklist_uuid),
        ratings={0: "not_met"},
        actions=[action(hal)],
    )
    sync_as_user(app, acme.supervisor, quis, visit)
    addendum = {"reason": "Late entry", "text": "Also: R02 chose to eat later."}
    post_form_as(app, acme.supervisor, f"/quis/sessions/{quis['id']}", addendum)
    post_form_as(app, acme.supervisor, f"/visits/{visit['id']}", addendum)
    team = {"staff": [carla.uuid.hex], "went_well": "A kind lunch.", "to_develop": "", "send": "1"}
    post_form_as(app, acme.supervisor, f"/feedback/team/{quis['id']}", team)

    other_quis = quis_doc(
        other.care_home,
        status="submitted",
        notes=OTHER_NOTES,
        interactions=[interaction("PS", staff=other.staff_members["Carla Carer"])],
    )
    sync_as_user(app, other.supervisor, other_quis)
    db.expire_all()
    return Scene(acme, other, quis, visit, other_quis)
