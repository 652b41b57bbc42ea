"""``careobs purge``: exactly what goes and what stays around the cut-off, the rows that go with
each record, batches, the run's audit event, and a second run that finds nothing."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.actions.models import Action
from careobs.audit.models import AuditEvent
from careobs.feedback.models import Feedback
from careobs.notifications.models import Notification
from careobs.push.models import PushMessage
from careobs.quis.models import QuisInteraction, QuisSession
from careobs.retention.models import RetentionPeriod
from careobs.retention.purge import purge_organisation
from careobs.retention.queries import report
from careobs.sync.models import QuarantinedDocument
from tests.retention.records import DAY, SECOND, action, cutoff, quis_session, released_feedback


def count(db, model, *conditions) -> int:
    db.expire_all()
    return db.scalar(sa.select(sa.func.count()).select_from(model).where(*conditions))


def purge(app, db, org, **kwargs):
    with app.app_context():
        return purge_organisation(db, org.org.id, **kwargs)


def line(app, db, org, key):
    with app.app_context():
        return next(t for t in report(db, org.org.id) if t.key == key)


def test_the_day_before_the_cut_off_goes_and_the_day_after_stays(app, db, org, other):
    cut = cutoff(app, db, org, 36)
    old = quis_session(db, org, cut - DAY)
    last_moment = quis_session(db, org, cut - SECOND)
    first_kept = quis_session(db, org, cut)
    recent = quis_session(db, org, cut + DAY)
    elsewhere = quis_session(db, other, cut - 400 * DAY)  # another organisation's: not ours
    db.commit()
    old_id, last_id = old.id, last_moment.id
    kept_ids = {first_kept.id, recent.id, elsewhere.id}

    listed = line(app, db, org, "quis_sessions")
    assert listed.by_service == {"Acme Care House": 2} and listed.total == 2
    assert listed.cutoff.instant == cut

    run = purge(app, db, org)
    assert run.records["quis_sessions"] == 2
    assert run.rows["quis_sessions"] == 2 and run.rows["quis_interactions"] == 4
    left = set(db.scalars(sa.select(QuisSession.id)))
    assert left == kept_ids and not {old_id, last_id} & left
    assert count(db, QuisInteraction) == 6  # two under each session kept


def test_dependent_rows_go_and_audit_events_stay(app, db, org):
    cut = cutoff(app, db, org, 36)
    old = quis_session(db, org, cut - 30 * DAY)
    released_feedback(db, org, old)
    db.add(
        QuarantinedDocument(
            organisation_id=org.org.id,
            service_id=org.care_home.id,
            kind="quis_session",
            document_id=old.uuid,
            author_id=org.supervisor.id,
            revision=2,
            reason="The document was already submitted with different content.",
            data={},
            content_hash="1" * 64,
        )
    )
    db.commit()
    events_before = count(db, AuditEvent)

    run = purge(app, db, org)

    assert count(db, QuisSession) == 0 and count(db, QuisInteraction) == 0
    assert count(db, Feedback) == 0
    assert count(db, Notification) == 0 and count(db, PushMessage) == 0
    assert count(db, QuarantinedDocument) == 0
    assert run.rows == {
        "quis_sessions": 1,
        "quis_interactions": 2,
        "feedback": 1,
        "notifications": 1,
        "push_messages": 1,
        "quarantined_documents": 1,
    }
    assert count(db, AuditEvent) == events_before + 2  # the run's start and its outcome
    started = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "retention_purge_started"))
    assert started.summary == "Starting: past retention, to remove: quis_sessions 1."
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "retention_purge"))
    assert event.organisation_id == org.org.id
    assert event.summary == "Removed past retention: quis_sessions 1; 7 rows in 1 batches."


def test_an_open_action_keeps_its_record_and_a_closed_one_lets_it_go(app, db, org):
    cut = cutoff(app, db, org, 36)
    evidence = quis_session(db, org, cut - 10 * DAY)
    done_with = quis_session(db, org, cut - 10 * DAY)
    open_action = action(db, org, quis_session_id=evidence.id)
    closed = action(
        db, org, status="done", completed_at=cut + 900 * DAY, quis_session_id=done_with.id
    )
    db.commit()
    evidence_id, closed_id, open_id = evidence.id, closed.id, open_action.id

    listed = line(app, db, org, "quis_sessions")
    assert listed.total == 1 and listed.kept == {"an open action refers to it": 1}

    purge(app, db, org)
    assert set(db.scalars(sa.select(QuisSession.id))) == {evidence_id}
    # The closed action stays (its own period has not passed); only its link is cleared.
    assert db.get(Action, closed_id).quis_session_id is None
    assert db.get(Action, open_id).quis_session_id == evidence_id

    # Once the open action is done (and its period passes), both go on the next run.
    db.get(Action, open_id).status = "done"
    db.commit()
    run = purge(app, db, org)
    assert run.records["quis_sessions"] == 1
    assert count(db, QuisSession) == 0


def test_closed_actions_past_their_period_go_before_the_records(app, db, org):
    action_cut = cutoff(app, db, org, 60)
    session_cut = cutoff(app, db, org, 36)
    session = quis_session(db, org, session_cut - DAY)
    gone = action(
        db, org, status="cancelled", completed_at=action_cut - DAY, quis_session_id=session.id
    )
    stays = action(db, org, status="done", completed_at=action_cut + DAY)
    still_open = action(db, org, status="open")
    still_open.updated_at = action_cut - 400 * DAY  # open actions never expire
    db.commit()
    gone_id, stays_id, open_id = gone.id, stays.id, still_open.id

    run = purge(app, db, org)
    assert run.records == {"closed_actions": 1, "quis_sessions": 1}
    assert set(db.scalars(sa.select(Action.id))) == {stays_id, open_id}
    assert db.get(Action, gone_id) is None


def test_batches_of_two_over_five_records(app, db, org):
    cut = cutoff(app, db, org, 36)
    for n in range(5):
        quis_session(db, org, cut - (n + 1) * DAY, interactions=1)
    db.commit()

    run = purge(app, db, org, batch_size=2)

    assert run.batches == 3
    assert run.records == {"quis_sessions": 5}
    assert run.rows == {"quis_sessions": 5, "quis_interactions": 5}
    assert count(db, QuisSession) == 0
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "retention_purge"))
    assert event.summary == "Removed past retention: quis_sessions 5; 10 rows in 3 batches."


def test_a_second_run_removes_nothing_and_says_so(app, db, org):
    cut = cutoff(app, db, org, 36)
    quis_session(db, org, cut - DAY)
    db.commit()
    assert purge(app, db, org).records == {"quis_sessions": 1}

    again = purge(app, db, org)

    assert not again.records and again.batches == 0
    summaries = db.scalars(
        sa.select(AuditEvent.summary)
        .where(AuditEvent.action == "retention_purge")
        .order_by(AuditEvent.id)
    ).all()
    assert summaries[-1] == "Nothing was past its retention period."
    assert len(summaries) == 2  # one event per run


def test_an_organisations_own_period_decides(app, db, org):
    cut_default = cutoff(app, db, org, 36)
    session = quis_session(db, org, cut_default + 30 * DAY)  # within 36 months
    db.add(RetentionPeriod(organisation_id=org.org.id, record_type="quis_sessions", months=12))
    db.commit()
    session_id = session.id

    run = purge(app, db, org)

    assert run.records == {"quis_sessions": 1}
    assert db.get(QuisSession, session_id) is None
