"""The demo's co-audits at Riverside Homecare: H02 audits their own care plan with the manager
monthly for a year, easy-read and with consent, each compared with the manager's staff audit of
that month; their agreement rises; two differences were followed up. Deterministic."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from careobs.actions.models import Action
from careobs.audits.models import Audit, CoAuditFollowUp
from careobs.coaudits.queries import co_audit_rows
from careobs.demo import RIVERSIDE, load_demo
from careobs.org.models import Person, Service
from tests.support.database import count
from tests.support.demo import load_demo_once

TODAY = date(2026, 11, 27)


@pytest.fixture
def demo(app, db):
    with app.app_context():
        load_demo_once(db, today=TODAY)
    db.expire_all()


def test_a_year_of_monthly_co_audits_with_h01_whose_agreement_rises(demo, app, db):
    riverside = db.scalar(sa.select(Service).where(Service.name == RIVERSIDE))
    h01 = db.scalar(
        sa.select(Person).where(Person.service_id == riverside.id, Person.code == "H02")
    )
    co_audits = list(
        db.scalars(
            sa.select(Audit).where(Audit.co_audit_with.is_not(None)).order_by(Audit.started_at)
        )
    )
    assert len(co_audits) == 12
    for co in co_audits:
        assert co.service_id == riverside.id and co.status == "submitted"
        assert (co.co_audit_with, co.co_audit_person_id, co.person_id) == ("person", h01.id, h01.id)
        assert co.easy_read is True and co.consent_given is True
        staff = db.scalar(sa.select(Audit).where(Audit.uuid == co.compare_with))
        assert staff.co_audit_with is None and staff.person_id == h01.id
        assert staff.started_at.date() == co.started_at.date()
        assert staff.auditor.email == "manager@demo.test"
    assert co_audits[0].started_at.date() <= TODAY - timedelta(days=330)
    assert co_audits[-1].started_at.date() >= TODAY - timedelta(days=30)
    start = co_audits[0].started_at - timedelta(days=1)
    rows = co_audit_rows(db, [riverside.id], start, co_audits[-1].started_at + timedelta(days=1))
    assert len(rows) == 12 and all(r.arrived for r in rows)
    shares = [r.agreed / r.compared for r in rows]
    early, late = sum(shares[:3]) / 3, sum(shares[-3:]) / 3
    assert 0.5 <= early <= 0.7 and 0.85 <= late <= 1.0
    assert sum(shares[6:]) > sum(shares[:6])
    # Two differences followed up: actions of the co-audits, one done.
    follow_ups = list(db.scalars(sa.select(CoAuditFollowUp)))
    assert len(follow_ups) == 2
    actions = [db.get(Action, f.action_id) for f in follow_ups]
    assert sorted(a.status for a in actions) == ["done", "open"]
    assert all(a.audit_id in {c.id for c in co_audits} for a in actions)
    assert all(a.description.startswith("Follow up H02's co-audit: ") for a in actions)
    # Again: nothing added, the same figures.
    with app.app_context():
        load_demo(db, today=TODAY)
    assert count(db, Audit, Audit.co_audit_with.is_not(None)) == 12
    assert count(db, CoAuditFollowUp) == 2
    again = co_audit_rows(db, [riverside.id], start, co_audits[-1].started_at + timedelta(days=1))
    assert [(r.agreed, r.compared) for r in again] == [(r.agreed, r.compared) for r in rows]
