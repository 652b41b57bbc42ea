"""The home page's self-assessment panel: for who may read or record one, with the services
whose latest self-assessment still has gaps without an action (for their managers)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from careobs.actions import service as actions
from careobs.selfassess.models import SelfAssessment
from tests.support.selfassess import self_assessment_doc

WHEN = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def send(client_as, user, service, scores, when=WHEN):
    doc = self_assessment_doc(service, scores, assessed_at=when)
    assert client_as(user)(doc)[0]["status"] == "created"
    return doc


def home(login_as, user) -> str:
    response = login_as(user).get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_manager_sees_the_gaps_still_without_an_action_of_the_latest_assessment(
    app, db, org, client_as, login_as
):
    # An older assessment's gaps no longer count: only the latest one of the service.
    send(
        client_as,
        org.manager,
        org.care_home,
        {"S1": 1, "S2": 1, "S3": 1},
        WHEN - timedelta(days=180),
    )
    doc = send(client_as, org.manager, org.care_home, {"S3": 2, "W5": 1, "S1": 3})
    page = home(login_as, org.manager)
    assert "Self-assessment against CQC" in page
    assert "Acme Care House: 2 gaps still without an action" in page
    assert f"/self-assessments/{doc['id']}" in page
    assert 'href="/self-assessments/record"' in page

    with app.app_context():
        assessment = db.scalar(
            sa.select(SelfAssessment).where(SelfAssessment.uuid == uuid.UUID(doc["id"]))
        )
        gap = next(s for s in assessment.statements if s.code == "W5")
        actions.create(
            db,
            org.manager,
            service=org.care_home,
            description="Governance review.",
            owner=org.manager,
            due_on=None,
            cqc_tags=["W5"],
            self_assessment_statement=gap,
        )
        db.commit()
    assert "Acme Care House: 1 gap still without an action" in home(login_as, org.manager)


def test_a_supervisor_may_start_one_but_is_not_given_the_managers_gaps(org, client_as, login_as):
    send(client_as, org.manager, org.care_home, {"S3": 2})
    page = home(login_as, org.supervisor)
    assert "Self-assessment against CQC" in page
    assert 'href="/self-assessments/record"' in page
    assert "still without an action" not in page


def test_a_care_worker_has_no_self_assessment_panel(org, login_as):
    assert "Self-assessment against CQC" not in home(login_as, org.staff)
