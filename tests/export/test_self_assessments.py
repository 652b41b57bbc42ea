"""The export's self-assessment files: each assessment, each statement as assessed (a score of
1 to 4, or empty when not assessed, never 0), the evidence by public id, and the actions raised
for gaps naming the assessment and statement; another organisation's never appear."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from careobs.actions import service as actions
from careobs.export import service as exporting
from careobs.selfassess.models import SelfAssessment
from tests.support.export import organisation, read_export, sync_as_user
from tests.support.selfassess import self_assessment_doc, statement

WHEN = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def export(app, db, org_data, tmp_path, fmt):
    out = tmp_path / f"export-{fmt}"
    engine = app.extensions["careobs.engine"]
    exporting.export_to_directory(engine, organisation(db, org_data), fmt, out)
    return read_export(out)


@pytest.fixture
def assessed(app, db, data):
    """Acme's manager's self-assessment of the care home (S1 2 with the service's QUIS trend
    as evidence, C1 noted), the action for its S1 gap, and Other Org's own assessment."""
    acme = data.organisation()
    other = data.organisation("Other Org", prefix="other")
    doc = self_assessment_doc(acme.care_home, {"S1": 2}, assessed_at=WHEN)
    doc["data"]["statements"][0]["evidence"] = [
        {"kind": "quis_trend", "id": str(acme.care_home.uuid)}
    ]
    doc["data"]["statements"].append(statement("C1", None, '=HYPERLINK("x")'))
    sync_as_user(app, acme.manager, doc)
    other_doc = self_assessment_doc(other.care_home, {"W1": 4})
    other_doc["data"]["statements"][0]["rationale"] = "Other Org only."
    sync_as_user(app, other.manager, other_doc)
    with app.app_context():
        assessment = db.scalar(
            sa.select(SelfAssessment).where(SelfAssessment.uuid == uuid.UUID(doc["id"]))
        )
        gap = assessment.statements[0]
        action = actions.create(
            db,
            acme.manager,
            service=assessment.service,
            description="Learning review each month.",
            owner=acme.manager,
            due_on=date(2026, 12, 31),
            cqc_tags=["S1"],
            self_assessment_statement=gap,
        )
        db.commit()
    return acme, doc, action


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_self_assessments_and_their_statements_are_exported(app, db, assessed, tmp_path, fmt):
    acme, doc, action = assessed
    t = export(app, db, acme, tmp_path, fmt)
    [row] = t["self_assessments"]
    assert row["uuid"] == doc["id"]
    assert row["service_uuid"] == str(acme.care_home.uuid)
    assert row["assessor_uuid"] == str(acme.manager.uuid)
    assert (row["type"], row["status"]) == ("self_assessment", "submitted")
    assert row["assessed_at"].startswith("2026-11-02T10:00:00")
    statements = t["self_assessment_statements"]
    assert [(s["self_assessment_uuid"], s["code"]) for s in statements] == [
        (doc["id"], "S1"),
        (doc["id"], "C1"),
    ]
    s1, c1 = statements
    if fmt == "csv":
        assert (s1["score"], c1["score"]) == ("2", "")  # not assessed: empty, never 0
        assert json.loads(s1["evidence"]) == [
            {"kind": "quis_trend", "id": str(acme.care_home.uuid)}
        ]
        assert not c1["rationale"].startswith("=")  # a formula is never exported live
    else:
        assert (s1["score"], c1["score"]) == (2, None)
        assert s1["evidence"] == [{"kind": "quis_trend", "id": str(acme.care_home.uuid)}]
    [raised] = [a for a in t["actions"] if a["uuid"] == str(action.uuid)]
    assert raised["source"] == "self_assessment"
    assert (raised["self_assessment_uuid"], raised["self_assessment_statement"]) == (
        doc["id"],
        "S1",
    )
    everything = json.dumps(t)
    assert "Other Org only." not in everything
