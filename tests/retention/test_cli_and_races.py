"""``careobs purge`` from the command line (dry run, real run, bad options), monitoring visits
(a re-check still due keeps its visit; the dashboards' period sums stay), and two purges at once
that neither fail nor count a record twice."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.actions.models import RecheckBooking
from careobs.audit.models import AuditEvent
from careobs.feedback.models import Feedback
from careobs.quis.models import QuisSession
from careobs.retention.purge import purge_organisation
from careobs.visits.models import MonitoringVisit, VisitAnswer, VisitDomainPeriod
from tests.retention.records import DAY, cutoff, quis_session
from tests.support.race import together
from tests.support.visits import default_checklist, spot_check


def count(db, model, *conditions) -> int:
    db.expire_all()
    return db.scalar(sa.select(sa.func.count()).select_from(model).where(*conditions))


def test_a_dry_run_lists_per_type_and_service_and_removes_nothing(app, db, org, runner):
    cut = cutoff(app, db, org, 36)
    quis_session(db, org, cut - DAY)
    quis_session(db, org, cut - DAY, service=org.homecare)
    quis_session(db, org, cut - 2 * DAY, service=org.homecare)
    db.commit()

    result = runner.invoke(args=["purge", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "Acme Care (dry run: nothing removed)" in result.output
    day = cut.date().isoformat()
    assert f"QUIS observations: kept 36 months (3 years); dated before {day}: 3 to remove" in (
        result.output
    )
    assert "    Acme Care House: 1\n    Acme Care Homecare: 2" in result.output or (
        "    Acme Care Homecare: 2\n    Acme Care House: 1" in result.output
    )
    assert f"QUIS trends, calibration and per-worker QUIS figures before {day}" in result.output
    assert count(db, QuisSession) == 3
    assert count(db, AuditEvent, AuditEvent.action == "retention_purge") == 0


def test_a_run_removes_and_reports(app, db, org, runner):
    cut = cutoff(app, db, org, 36)
    for n in range(3):
        quis_session(db, org, cut - (n + 1) * DAY)
    db.commit()

    result = runner.invoke(args=["purge", "--batch-size", "2"])

    assert result.exit_code == 0, result.output
    assert "Removed 3 records (9 rows) in 2 batches." in result.output
    assert count(db, QuisSession) == 0
    again = runner.invoke(args=["purge"])
    assert "Removed 0 records (0 rows) in 0 batches." in again.output


def test_bad_options_are_refused(org, runner):
    for args in (["--batch-size", "0"], ["--batch-size", "x"], ["--batch-size", "9" * 40]):
        result = runner.invoke(args=["purge", *args])
        assert result.exit_code == 2, result.output
    result = runner.invoke(args=["purge", "--organisation", "Nobody"])
    assert result.exit_code == 1 and "No organisation called 'Nobody'" in result.output


def test_a_visit_whose_recheck_is_due_is_kept_and_the_period_sums_stay(app, db, org, auth, sync):
    org.people["H01"].consent = "yes"  # a visit needs the person's consent on record
    db.merge(org.people["H01"])
    db.commit()
    checklist = default_checklist(app, db, org.org.id)
    hal = org.staff_members["Hal Homecare"]
    green = spot_check(org.homecare, hal, checklist)
    red = spot_check(org.homecare, hal, checklist, ratings={checklist.critical[0]: "not_met"})
    auth.login(org.supervisor)
    assert [r["status"] for r in sync(green, red)] == ["created", "created"]
    cut = cutoff(app, db, org, 36)
    db.execute(sa.update(MonitoringVisit).values(planned_at=cut - DAY))
    db.commit()
    sums = count(db, VisitDomainPeriod)
    red_id = db.scalar(sa.select(MonitoringVisit.id).where(MonitoringVisit.band == "red"))

    with app.app_context():
        run = purge_organisation(db, org.org.id)

    assert run.records == {"monitoring_visits": 1}
    assert run.rows["visit_answers"] == len(checklist.items)
    assert set(db.scalars(sa.select(MonitoringVisit.id))) == {red_id}
    assert count(db, Feedback, Feedback.visit_id.isnot(None)) == 1  # the red visit's
    assert count(db, VisitDomainPeriod) == sums  # the dashboards' monthly and weekly sums

    # The re-check is done: the red visit and its booking go on the next run.
    booking = db.scalar(sa.select(RecheckBooking).where(RecheckBooking.after_visit_id == red_id))
    booking.fulfilled_at = cut
    db.commit()
    with app.app_context():
        assert purge_organisation(db, org.org.id).records == {"monitoring_visits": 1}
    assert count(db, MonitoringVisit) == 0 and count(db, VisitAnswer) == 0
    assert count(db, RecheckBooking) == 0


def test_two_purges_at_once_remove_each_record_once(app, db, org):
    cut = cutoff(app, db, org, 36)
    for n in range(12):
        quis_session(db, org, cut - (n + 1) * DAY, interactions=1)
    db.commit()
    maker = app.extensions["careobs.sessionmaker"]
    sessions = [maker(), maker()]

    def run(session):
        with app.app_context():
            return purge_organisation(session, org.org.id, batch_size=2)

    try:
        first, second = together(lambda: run(sessions[0]), lambda: run(sessions[1]))
    finally:
        for session in sessions:
            session.close()

    assert first.records["quis_sessions"] + second.records["quis_sessions"] == 12
    assert first.rows["quis_interactions"] + second.rows["quis_interactions"] == 12
    assert count(db, QuisSession) == 0
    assert count(db, AuditEvent, AuditEvent.action == "retention_purge") == 2
