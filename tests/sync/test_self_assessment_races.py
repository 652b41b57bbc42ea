"""Self-assessment documents racing on the threaded server of tests/sync/conftest.py (SQLite, or
PostgreSQL when CAREOBS_TEST_DATABASE_URL is set): a draft and its submitted revision sent from
two sessions at the same instant, in either order, end as one record holding the submitted
revision and exactly its statements; the same submitted document from two sessions at once is
stored once."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from careobs.selfassess.models import SelfAssessment, SelfAssessmentStatement
from tests.support.selfassess import self_assessment_doc
from tests.support.sync import new_id
from tests.sync.devices import Send, assert_ok, at_once


def held(engine, document_id: str) -> list[tuple[int, str, list]]:
    """(revision, status, [(code, score)]) of each stored record with this document id."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(SelfAssessment.id, SelfAssessment.revision, SelfAssessment.status).where(
                SelfAssessment.uuid == uuid.UUID(document_id)
            )
        ).all()
        return [
            (
                revision,
                status,
                [
                    tuple(s)
                    for s in conn.execute(
                        sa.select(SelfAssessmentStatement.code, SelfAssessmentStatement.score)
                        .where(SelfAssessmentStatement.self_assessment_id == row_id)
                        .order_by(SelfAssessmentStatement.position)
                    )
                ],
            )
            for row_id, revision, status in rows
        ]


@pytest.mark.parametrize("submitted_first", [True, False], ids=["submitted first", "draft first"])
def test_a_draft_and_its_submission_at_once_end_as_the_submission(
    connect, place, census_engine, submitted_first
):
    document_id = new_id()
    draft = self_assessment_doc(
        place.care_home, {"S1": 1}, status="draft", document_id=document_id, revision=1
    )
    submitted = self_assessment_doc(
        place.care_home, {"S1": 3, "W1": 2}, document_id=document_id, revision=2
    )
    first, second = connect(), connect()
    order = [submitted, draft] if submitted_first else [draft, submitted]

    replies = at_once(Send(first, [order[0]]), Send(second, [order[1]]))

    assert_ok(*replies)
    answers = {
        sent["revision"]: r.results[0]["status"] for sent, r in zip(order, replies, strict=True)
    }
    assert answers[2] in ("created", "updated")
    assert answers[1] in ("created", "stale")
    assert held(census_engine, document_id) == [(2, "submitted", [("S1", 3), ("W1", 2)])]


def test_the_same_submission_from_two_sessions_at_once_is_stored_once(
    connect, place, census_engine
):
    doc = self_assessment_doc(place.care_home, {"S3": 2, "W5": 1})
    replies = at_once(Send(connect(), [doc]), Send(connect(), [doc]))

    assert_ok(*replies)
    assert sorted(r.results[0]["status"] for r in replies) == ["created", "unchanged"]
    assert held(census_engine, doc["id"]) == [(1, "submitted", [("S3", 2), ("W5", 1)])]
