"""A checklist of one item says "1 item" on the editor's pages, never "1 items"."""

from __future__ import annotations

from careobs.checklists import service as checklists
from careobs.checklists.models import Checklist, ChecklistVersion
from careobs.db import utcnow
from tests.support.checklists import BASE, page_text


def test_a_one_item_checklist_says_1_item(app, client, auth, db, org):
    checklist = Checklist(organisation_id=org.org.id, name="Medicines spot check")
    v1 = ChecklistVersion(
        organisation_id=org.org.id, checklist=checklist, number=1, published_at=utcnow()
    )
    checklists.fill(v1, [("Medicines", [("Checked the MAR chart first", True, "")])])
    db.add_all([checklist, v1])
    db.commit()
    auth.login(org.admin)

    listing = page_text(client.get(f"{BASE}/"))
    detail = page_text(client.get(f"{BASE}/{checklist.uuid}"))

    assert "Version 1, 1 item" in listing
    assert "Version 1, 1 items" not in listing
    assert "1 item, 1 critical" in detail
