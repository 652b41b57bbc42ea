"""The compliments and concerns log in the organisation's data export: public ids, people by
code, the workers named, the feedback's link back, and nothing of another organisation."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.compliments.models import Compliment
from careobs.export import service as exporting
from careobs.feedback.models import Feedback
from tests.support.export import organisation, read_export


def test_the_log_is_exported(app, db, org, other, login_as, form, tmp_path):
    supervisor = login_as(org.supervisor)
    assert supervisor.post("/compliments/new", data=form()).status_code == 302
    sent = form(kind="concern", section="food", staff=[], source="person", person_code="H01")
    assert supervisor.post("/compliments/new", data=sent).status_code == 302
    outsider = login_as(other.admin)
    theirs = form(service=other.homecare.uuid.hex, staff=[], text="Other org's words.")
    assert outsider.post("/compliments/new", data=theirs).status_code == 302
    compliment, concern = db.scalars(
        sa.select(Compliment)
        .where(Compliment.organisation_id == org.org.id)
        .order_by(Compliment.id)
    )
    feedback = db.scalar(sa.select(Feedback).where(Feedback.compliment_id == compliment.id))

    out = tmp_path / "export"
    engine = app.extensions["careobs.engine"]
    exporting.export_to_directory(engine, organisation(db, org), "json", out)
    tables = read_export(out)

    assert [s["key"] for s in tables["compliment_sections"]][:3] == ["care", "food", "activities"]
    rows = tables["compliments"]
    assert [r["uuid"] for r in rows] == [str(compliment.uuid), str(concern.uuid)]
    assert [(r["kind"], r["section"], r["source"], r["person_code"]) for r in rows] == [
        ("compliment", "care", "family", None),
        ("concern", "food", "person", "H01"),
    ]
    assert rows[0]["service_uuid"] == str(org.homecare.uuid)
    assert rows[0]["recorded_by_uuid"] == str(org.supervisor.uuid)
    assert "person_id" not in rows[0] and "id" not in rows[0]
    assert tables["compliment_staff"] == [
        {
            "compliment_uuid": str(compliment.uuid),
            "staff_uuid": str(org.staff_members["Hal Homecare"].uuid),
        }
    ]
    [exported] = [f for f in tables["feedback"] if f["uuid"] == str(feedback.uuid)]
    assert exported["compliment_uuid"] == str(compliment.uuid)
    assert not any("Other org" in r["text"] for r in rows)
