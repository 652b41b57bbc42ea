"""``careobs purge`` of audits and co-audits (kept 60 months by default): exactly what goes either
side of the cut-off, every row that goes with an audit (answers, proposed actions, co-audit
follow-ups, checker assignments, addenda, quarantined copies; the actions themselves stay), what
keeps one (an open action, being the latest audit of its subject: due dates and the audits
dashboard count from it), a second run that finds nothing, and the sync refusing a late copy."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from careobs.actions.models import Action
from careobs.audits.models import Audit, AuditLatest
from careobs.retention.purge import purge_organisation
from careobs.retention.queries import report
from tests.retention.kinds import (
    addendum,
    backdate,
    checker_assignment,
    follow_up,
    quarantined,
    sent,
    stored,
)
from tests.retention.records import (
    DAY,
    SECOND,
    changed,
    cutoff,
    removed_rows,
    table_counts,
)
from tests.support.audits import (
    CARE_PLAN,
    audit_doc,
    person,
    proposed_action,
    starter_templates,
)
from tests.support.coaudits import co_audit
from tests.support.sync import SyncApi, iso, revise

MONTHS = 60
LATEST = "the latest audit of its subject"
OPEN = "an open action refers to it"
PAST = "This record is past its retention period: Audits and co-audits are kept 60 months"


@pytest.fixture
def plan(app, db, org):
    """Acme's care plan audit template (14 items), as a device sees it."""
    return starter_templates(app, db, org.org.id)[CARE_PLAN]


@pytest.fixture
def sue(org, login_as):
    """Sue Supervisor (both of Acme's services), syncing."""
    return SyncApi(login_as(org.supervisor))


@pytest.fixture
def cut(app, db, org):
    return cutoff(app, db, org, MONTHS)


def purge(app, db, org, **kwargs):
    with app.app_context():
        return purge_organisation(db, org.org.id, **kwargs)


def line(app, db, org):
    with app.app_context():
        return next(t for t in report(db, org.org.id) if t.key == "audits")


def audits_at(db, sue, plan, service, code, *moments):
    """Audits of ``code`` sent in this order (the last sent is the subject's latest), then moved
    to ``moments``; their ids."""
    documents = [audit_doc(service, plan, person(code)) for _ in moments]
    sent(sue, *documents)
    return [
        backdate(db, Audit, d, "started_at", when)
        for d, when in zip(documents, moments, strict=True)
    ]


def test_either_side_of_the_cut_off_and_the_latest_of_each_subject(
    app, db, org, other, sue, plan, cut, login_as
):
    gone_a, gone_b, first_kept, latest = audits_at(
        db, sue, plan, org.care_home, "R01", cut - DAY, cut - SECOND, cut, cut + DAY
    )
    [only_r02] = audits_at(db, sue, plan, org.care_home, "R02", cut - 400 * DAY)
    gone_h, latest_h = audits_at(db, sue, plan, org.homecare, "H01", cut - DAY, cut - 2 * DAY)
    other_plan = starter_templates(app, db, other.org.id)[CARE_PLAN]
    elsewhere = audits_at(
        db, SyncApi(login_as(other.supervisor)), other_plan, other.care_home, "R01", cut - DAY
    )
    items = len(plan.items)

    listed = line(app, db, org)
    assert listed.by_service == {"Acme Care House": 2, "Acme Care Homecare": 1}
    assert listed.total == 3 and listed.kept == {LATEST: 2}  # R02's only audit, H01's latest
    before = table_counts(db)

    run = purge(app, db, org)

    assert run.records == {"audits": 3}
    after = table_counts(db)
    assert changed(before, after) == {
        "audits": -3,
        "audit_answers": -3 * items,
        "audit_events": 2,
    }
    assert removed_rows(run) == {"audits": -3, "audit_answers": -3 * items}
    left = set(db.scalars(sa.select(Audit.id)))
    assert left == {first_kept, latest, only_r02, latest_h, *elsewhere}
    assert not {gone_a, gone_b, gone_h} & left
    # The latest audits the due dates count from are untouched.
    latest_rows = set(db.scalars(sa.select(AuditLatest.audit_id)))
    assert latest_rows == {latest, only_r02, latest_h, *elsewhere}

    again = purge(app, db, org)
    assert not again.records
    assert changed(after, table_counts(db)) == {"audit_events": 2}


def test_every_row_that_goes_with_an_audit_and_its_co_audit(app, db, org, sue, plan, cut):
    """A staff audit with a proposed action (done since), an addendum, a quarantined copy and a
    checker asked to co-audit it; its co-audit with a difference followed up (done since)."""
    staff_doc = audit_doc(
        org.care_home, plan, person("R01"), actions=[proposed_action(org.manager)]
    )
    newer_doc = audit_doc(org.care_home, plan, person("R01"))  # R01's latest
    sent(sue, staff_doc, newer_doc)
    staff_audit = stored(db, Audit, staff_doc)
    co = co_audit(db, staff_audit, by=org.supervisor)
    proposed = db.scalar(sa.select(Action).where(Action.audit_id == staff_audit.id))
    proposed.status, proposed.completed_at = "done", cut + 1000 * DAY
    followed = follow_up(db, org, co, status="done", completed_at=cut + 1000 * DAY)
    addendum(db, org, staff_audit.id)
    quarantined(db, org, org.care_home, "audit", staff_doc["id"])
    checker_assignment(db, org, staff_audit)
    db.commit()
    staff_id, co_id, proposed_id, followed_id = staff_audit.id, co.id, proposed.id, followed.id
    db.execute(
        sa.update(Audit).where(Audit.id.in_([staff_id, co_id])).values(started_at=cut - 10 * DAY)
    )
    db.commit()
    items = len(plan.items)
    before = table_counts(db)

    run = purge(app, db, org)

    assert run.records == {"audits": 2}
    expected = {
        "audits": -2,
        "audit_answers": -2 * items,
        "audit_actions": -1,
        "co_audit_follow_ups": -1,
        "checker_assignments": -1,
        "record_addenda": -1,
        "quarantined_documents": -1,
    }
    assert changed(before, table_counts(db)) == {**expected, "audit_events": 2}
    assert removed_rows(run) == expected  # the run's audit event counts every row gone
    assert db.get(Audit, staff_id) is None and db.get(Audit, co_id) is None
    # The actions stay (their own period has not passed); only their links are cleared.
    for action_id in (proposed_id, followed_id):
        kept = db.get(Action, action_id)
        assert (kept.audit_id, kept.audit_action_id) == (None, None)


def test_an_open_action_keeps_its_audit_until_it_is_done(app, db, org, sue, plan, cut, login_as):
    """An open proposed action keeps the staff audit; an open follow-up keeps the co-audit
    (whose staff audit may go: its comparison page says it was removed, rather than failing or
    waiting for it to arrive)."""
    with_action = audit_doc(org.care_home, plan, person("R01"), actions=[proposed_action()])
    compared = audit_doc(org.care_home, plan, person("R01"))
    newer = audit_doc(org.care_home, plan, person("R01"))
    sent(sue, with_action, compared, newer)
    compared_audit = stored(db, Audit, compared)
    co = co_audit(db, compared_audit, by=org.supervisor)
    open_follow_up = follow_up(db, org, co)
    db.commit()
    co_id, follow_up_id = co.id, open_follow_up.id
    kept_id = backdate(db, Audit, with_action, "started_at", cut - DAY)
    backdate(db, Audit, compared, "started_at", cut - DAY)
    db.execute(sa.update(Audit).where(Audit.id == co_id).values(started_at=cut - DAY))
    db.commit()

    listed = line(app, db, org)
    assert listed.total == 1 and listed.kept == {OPEN: 2}
    assert purge(app, db, org).records == {"audits": 1}  # the compared staff audit
    assert set(db.scalars(sa.select(Audit.id).where(Audit.started_at < cut))) == {kept_id, co_id}
    co_uuid = db.get(Audit, co_id).uuid
    manager = login_as(org.manager)
    assert manager.get(f"/audits/{co_uuid}").status_code == 200
    comparison = manager.get(f"/audits/{co_uuid}/comparison")
    assert comparison.status_code == 200
    words = comparison.get_data(as_text=True)
    assert "was removed at the end of its retention period" in words
    assert "has not reached the server yet" not in words
    api = manager.get(f"/api/v1/audits/{co_uuid}/comparison")
    assert api.status_code == 409 and "staff_audit_removed" in api.get_data(as_text=True)

    db.execute(sa.update(Action).values(status="done", completed_at=cut + 1000 * DAY))
    db.commit()
    assert purge(app, db, org).records == {"audits": 2}
    assert db.get(Action, follow_up_id).audit_id is None


def test_the_latest_audit_goes_once_a_newer_one_arrives(app, db, org, sue, plan, cut):
    """The only audit of the whole service is kept however old; once a newer one is stored it
    is no longer the latest and goes. A co-audit is never anyone's latest: an old one goes
    while the staff audit it compares with stays."""
    first = audit_doc(org.care_home, plan, person("R02"))
    sent(sue, first)
    first_id = backdate(db, Audit, first, "started_at", cut - 500 * DAY)
    co = co_audit(db, db.get(Audit, first_id), by=org.supervisor, started_at=cut - 499 * DAY)
    co_id = co.id

    run = purge(app, db, org)
    assert run.records == {"audits": 1}
    assert db.get(Audit, co_id) is None and db.get(Audit, first_id) is not None
    assert line(app, db, org).kept == {LATEST: 1}

    sent(sue, audit_doc(org.care_home, plan, person("R02")))
    assert purge(app, db, org).records == {"audits": 1}
    assert db.get(Audit, first_id) is None


def test_a_draft_past_its_period_goes(app, db, org, sue, plan, cut):
    draft = audit_doc(org.care_home, plan, person("R01"), status="draft")
    sent(sue, draft)
    draft_id = backdate(db, Audit, draft, "started_at", cut - DAY)
    assert purge(app, db, org).records == {"audits": 1}
    assert db.get(Audit, draft_id) is None


def test_a_late_copy_is_refused_and_a_purged_audit_never_comes_back(app, db, org, sue, plan, cut):
    late = audit_doc(
        org.care_home,
        plan,
        person("R01"),
        started_at=iso(cut - SECOND),
        ended_at=iso(cut + 10 * SECOND),
    )
    in_time = audit_doc(org.care_home, plan, person("R01"), started_at=iso(cut))
    results = sue(late, in_time)
    assert results[0]["status"] == "invalid"
    assert results[0]["errors"]["started_at"][0].startswith(PAST)
    assert results[1]["status"] == "created"

    purged = audit_doc(org.care_home, plan, person("R02"))
    newer = audit_doc(org.care_home, plan, person("R02"))
    sent(sue, purged, newer)
    backdate(db, Audit, purged, "started_at", cut - DAY)
    assert purge(app, db, org).records == {"audits": 1}
    count = db.scalar(sa.select(sa.func.count()).select_from(Audit))

    for copy in (
        revise(purged, 1, started_at=iso(cut - DAY)),  # the device's old copy, as it was
        revise(purged, 2, started_at=iso(cut - DAY), status="submitted"),  # a later revision
    ):
        answer = sue(copy)[0]
        assert answer["status"] == "invalid"
        assert answer["errors"]["started_at"][0].startswith(PAST)
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(Audit)) == count
    assert stored(db, Audit, purged) is None
