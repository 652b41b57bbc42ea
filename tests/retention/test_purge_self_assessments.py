"""``careobs purge`` of self-assessments and mock inspections (kept 60 months by default): what
goes either side of the cut-off per service, the statements and quarantined copies that go with
one, an open action for a gap keeping its assessment (a closed one only loses its link), a
statement whose evidence names a visit, audit or QUIS observation purged since (its page and
the evidence pack still show, the record as no longer held), and late copies refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from careobs.actions.models import Action
from careobs.audits.models import Audit
from careobs.retention.purge import purge_organisation
from careobs.retention.queries import report
from careobs.selfassess.models import SelfAssessment, SelfAssessmentStatement
from careobs.visits.models import MonitoringVisit
from tests.clock import local_today
from tests.retention.kinds import backdate, quarantined, sent, stored
from tests.retention.records import (
    DAY,
    SECOND,
    action,
    changed,
    cutoff,
    quis_session,
    removed_rows,
    table_counts,
)
from tests.support import fixtures
from tests.support.audits import CARE_PLAN, audit_doc, person, starter_templates
from tests.support.selfassess import self_assessment_doc
from tests.support.sync import SyncApi, iso, revise
from tests.support.visits import action as agreed_action
from tests.support.visits import spot_check

org = fixtures.org  # H01's consent on record, for the visit named as evidence
checklist = fixtures.checklist
homecare_manager = fixtures.homecare_manager

SCORES = {"S3": 2, "S1": 3}  # two statements: S3 a gap
PAST = (
    "This record is past its retention period: Self-assessments and mock inspections are kept "
    "60 months"
)


@pytest.fixture
def cut(app, db, org):
    return cutoff(app, db, org, 60)


@pytest.fixture
def cut36(app, db, org):
    """QUIS observations' and visits' cut-off (36 months)."""
    return cutoff(app, db, org, 36)


@pytest.fixture
def mo(org, login_as):
    """Mo Manager (the care home), syncing."""
    return SyncApi(login_as(org.manager))


@pytest.fixture
def hana(homecare_manager, login_as):
    """Hana Manager (homecare), syncing."""
    return SyncApi(login_as(homecare_manager))


def purge(app, db, org):
    with app.app_context():
        return purge_organisation(db, org.org.id)


def line(app, db, org):
    with app.app_context():
        return next(t for t in report(db, org.org.id) if t.key == "self_assessments")


def assessed(db, api, service, when, **fields) -> tuple[dict, int]:
    """A self-assessment of ``service`` sent now and moved to ``when``: (document, id)."""
    document = self_assessment_doc(service, dict(SCORES), **fields)
    sent(api, document)
    return document, backdate(db, SelfAssessment, document, "assessed_at", when)


def statement(db, assessment_id: int, code: str) -> SelfAssessmentStatement:
    return db.scalar(
        sa.select(SelfAssessmentStatement).where(
            SelfAssessmentStatement.self_assessment_id == assessment_id,
            SelfAssessmentStatement.code == code,
        )
    )


def test_either_side_of_the_cut_off_with_gaps_and_quarantined_copies(
    app, db, org, other, mo, hana, cut, login_as
):
    gone_doc, gone = assessed(db, mo, org.care_home, cut - DAY)
    ada = SyncApi(login_as(org.admin))  # independent of the service: a mock inspection
    _, last_moment = assessed(db, ada, org.care_home, cut - SECOND, type="mock_inspection")
    _, first_kept = assessed(db, mo, org.care_home, cut)
    _, gone_draft = assessed(db, hana, org.homecare, cut - 30 * DAY, status="draft")
    _, open_gap = assessed(db, mo, org.care_home, cut - 10 * DAY)
    quarantined(db, org, org.care_home, "self_assessment", gone_doc["id"])
    closed = action(
        db,
        org,
        status="done",
        completed_at=cut + 1000 * DAY,
        self_assessment_statement_id=statement(db, gone, "S3").id,
    )
    still_open = action(db, org, self_assessment_statement_id=statement(db, open_gap, "S3").id)
    db.commit()
    closed_id, open_id = closed.id, still_open.id
    _, elsewhere = assessed(db, SyncApi(login_as(other.manager)), other.care_home, cut - DAY)

    listed = line(app, db, org)
    assert listed.by_service == {"Acme Care House": 2, "Acme Care Homecare": 1}
    assert listed.total == 3 and listed.kept == {"an open action refers to it": 1}
    before = table_counts(db)

    run = purge(app, db, org)

    expected = {
        "self_assessments": -3,
        "self_assessment_statements": -3 * len(SCORES),
        "quarantined_documents": -1,
    }
    after = table_counts(db)
    assert changed(before, after) == {**expected, "audit_events": 2}
    assert removed_rows(run) == expected
    left = set(db.scalars(sa.select(SelfAssessment.id)))
    assert left == {first_kept, open_gap, elsewhere}
    assert not {gone, last_moment, gone_draft} & left
    assert db.get(Action, closed_id).self_assessment_statement_id is None  # the action stays
    assert db.get(Action, open_id).self_assessment_statement_id is not None

    assert not purge(app, db, org).records  # a second run finds nothing
    assert changed(after, table_counts(db)) == {"audit_events": 2}


def test_evidence_naming_purged_records_is_shown_as_no_longer_held(
    app, db, org, hana, checklist, homecare_manager, login_as, client_as, cut36
):
    """A self-assessment within its period names a visit, an audit and a QUIS observation that
    the purge then removes: its page still shows every statement, each of those as no longer
    held, and the evidence pack of its service still builds."""
    supervisor = client_as(org.supervisor)
    hal = org.staff_members["Hal Homecare"]
    visit = spot_check(org.homecare, hal, checklist)
    plan = starter_templates(app, db, org.org.id)[CARE_PLAN]
    old_audit, newer_audit = (audit_doc(org.homecare, plan, person("H01")) for _ in range(2))
    sent(supervisor, visit, old_audit, newer_audit)
    session = quis_session(db, org, cut36 - DAY, service=org.homecare)
    db.commit()
    evidence = [
        {"kind": "spot_check", "id": visit["id"]},
        {"kind": "audit", "id": old_audit["id"]},
        {"kind": "quis_session", "id": str(session.uuid)},
        {"kind": "audit", "id": newer_audit["id"]},  # still held
    ]
    document = self_assessment_doc(org.homecare, dict(SCORES))
    document["data"]["statements"][0]["evidence"] = evidence
    sent(hana, document)
    backdate(db, MonitoringVisit, visit, "planned_at", cut36 - DAY)
    backdate(db, Audit, old_audit, "started_at", cutoff(app, db, org, 60) - DAY)

    run = purge(app, db, org)
    assert run.records == {"quis_sessions": 1, "monitoring_visits": 1, "audits": 1}

    client = login_as(homecare_manager)
    page = client.get(f"/self-assessments/{document['id']}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for label in ("Monitoring visit", "Audit", "QUIS observation"):
        assert f"{label}: no longer held" in text
    assert text.count("no longer held") == 3  # the audit still held is described as before
    today = local_today()
    pack = client.get(
        "/evidence/pack",
        query_string={
            "service": str(org.homecare.uuid),
            "date_from": (today - timedelta(days=365)).isoformat(),
            "date_to": today.isoformat(),
        },
    )
    assert pack.status_code == 200


def test_a_late_copy_is_refused_and_a_purged_one_never_comes_back(app, db, org, mo, cut):
    late = self_assessment_doc(org.care_home, dict(SCORES), assessed_at=cut - SECOND)
    in_time = self_assessment_doc(org.care_home, dict(SCORES), assessed_at=cut)
    results = mo(late, in_time)
    assert results[0]["status"] == "invalid"
    assert results[0]["errors"]["assessed_at"][0].startswith(PAST)
    assert results[1]["status"] == "created"

    purged, _ = assessed(db, mo, org.care_home, cut - DAY)
    assert purge(app, db, org).records == {"self_assessments": 1}
    for copy in (
        revise(purged, 1, assessed_at=iso(cut - DAY)),
        revise(purged, 2, assessed_at=iso(cut - DAY)),
    ):
        answer = mo(copy)[0]
        assert answer["status"] == "invalid"
        assert answer["errors"]["assessed_at"][0].startswith(PAST)
    assert stored(db, SelfAssessment, purged) is None


def test_an_open_action_on_one_visit_keeps_only_that_visit(
    app, db, org, checklist, client_as, cut36
):
    """An action agreed at one visit, still open, keeps that visit and no other (the rule reads
    the visit's own agreed actions)."""
    hal = org.staff_members["Hal Homecare"]
    with_action = spot_check(org.homecare, hal, checklist, actions=[agreed_action()])
    without = spot_check(org.homecare, hal, checklist)
    sent(client_as(org.supervisor), with_action, without)
    kept = backdate(db, MonitoringVisit, with_action, "planned_at", cut36 - DAY)
    gone = backdate(db, MonitoringVisit, without, "planned_at", cut36 - DAY)

    assert purge(app, db, org).records == {"monitoring_visits": 1}
    assert db.get(MonitoringVisit, gone) is None and db.get(MonitoringVisit, kept) is not None
