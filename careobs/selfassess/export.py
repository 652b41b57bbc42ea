"""The export's files of self-assessments and mock inspections: each assessment, and each
quality statement as assessed (its score, rationale and evidence). ``KIND`` carries them (see
``service``); the actions raised for gaps are in the actions file."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.export.records import RecordType, uuid_of
from careobs.org.models import Service
from careobs.selfassess.models import SelfAssessment, SelfAssessmentStatement


def self_assessments(org_id: int) -> sa.Select:
    """Self-assessments and mock inspections: the service, who, what type and when."""
    a = SelfAssessment
    return (
        sa.select(
            a.uuid,
            uuid_of(Service, a.service_id, "service_uuid"),
            uuid_of(User, a.assessor_id, "assessor_uuid"),
            a.type,
            a.assessed_at,
            a.interview_notes,
            a.status,
            a.revision,
            a.privacy_flags,
            a.created_at,
            a.updated_at,
            a.submitted_at,
        )
        .where(a.organisation_id == org_id)
        .order_by(a.id)
    )


def self_assessment_statements(org_id: int) -> sa.Select:
    """Each statement as assessed, in CQC's order: a score of 1 to 4, or empty when noted but
    not assessed (never 0); the evidence as ``[{"kind", "id"}]`` public ids."""
    s = SelfAssessmentStatement
    return (
        sa.select(
            SelfAssessment.uuid.label("self_assessment_uuid"),
            s.position,
            s.code,
            s.score,
            s.rationale,
            s.evidence,
        )
        .join(SelfAssessment, SelfAssessment.id == s.self_assessment_id)
        .where(SelfAssessment.organisation_id == org_id)
        .order_by(s.self_assessment_id, s.position)
    )


TABLES = (
    RecordType("self_assessments", "self-assessments", self_assessments),
    RecordType(
        "self_assessment_statements", "self-assessment statements", self_assessment_statements
    ),
)
