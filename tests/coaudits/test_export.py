"""The organisation export holds co-audits (with whom, the person by code, the staff audit they
are compared with, easy-read and consent), the items' easy-read wording and the follow-ups of
differences; never an internal id."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.actions.models import Action
from careobs.export import service as exporting
from tests.support.export import organisation, read_export


def test_co_audits_and_their_follow_ups_are_exported(app, db, org, pair, plan, login_as, tmp_path):
    staff_audit, co = pair
    manager = login_as(org.manager)
    key = plan.items[0].key
    assert (
        manager.post(f"/audits/{co.uuid}/comparison/follow-up", data={"item": key.hex}).status_code
        == 302
    )
    out = tmp_path / "export"
    engine = app.extensions["careobs.engine"]
    exporting.export_to_directory(engine, organisation(db, org), "json", out)
    t = read_export(out)
    audits = {row["uuid"]: row for row in t["audits"]}
    staff_row, co_row = audits[str(staff_audit.uuid)], audits[str(co.uuid)]
    assert (staff_row["co_audit_with"], staff_row["compare_with"]) == (None, None)
    assert co_row["co_audit_with"] == "person"
    assert co_row["co_audit_person_code"] == "R01"
    assert co_row["compare_with"] == str(staff_audit.uuid)
    assert co_row["easy_read"] is True and co_row["consent_given"] is True
    assert all("easy_read_text" in item for item in t["checklist_items"])
    action = db.scalar(sa.select(Action))
    [followed] = t["co_audit_follow_ups"]
    assert followed == {
        "co_audit_uuid": str(co.uuid),
        "item_key": str(key),
        "action_uuid": str(action.uuid),
        "created_by_uuid": str(org.manager.uuid),
        "created_at": followed["created_at"],
    }
    assert followed["created_at"].endswith("+00:00")
