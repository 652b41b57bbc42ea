"""The ``self_assessment`` kind on the capture core: stored once with its statements."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from careobs.selfassess.models import SelfAssessment
from tests.support.selfassess import self_assessment_doc


def test_a_managers_self_assessment_is_stored_with_its_statements(org, client_as, db):
    doc = self_assessment_doc(org.care_home, {"S1": 2, "W5": 4, "C1": None})
    [result] = client_as(org.manager)(doc)
    assert result["status"] == "created", result
    stored = db.scalar(sa.select(SelfAssessment).where(SelfAssessment.uuid == uuid.UUID(doc["id"])))
    assert [(s.code, s.score) for s in stored.statements] == [("S1", 2), ("C1", None), ("W5", 4)]


def test_a_mock_inspection_by_someone_working_in_the_service_is_forbidden(org, client_as):
    doc = self_assessment_doc(org.care_home, type="mock_inspection")
    [result] = client_as(org.manager)(doc)
    assert result["status"] == "forbidden", result
    assert "independent" in result["errors"]["service_id"][0]
