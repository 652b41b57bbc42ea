"""Migration 0021 fills ``audit_latest`` from the submitted audits as they are stored: each
(service, template, subject)'s newest (started last, ties to the larger id), drafts left out;
going back drops only the table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from careobs import migrate
from careobs.audits.models import Audit, AuditLatest
from careobs.db import make_engine
from tests.support.audits import CARE_PLAN, INCIDENTS, IPC, area, audit_doc, person, whole_service
from tests.support.sync import iso

BEFORE = "0020_conversations"
AT = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def sent(service, template, subject, minutes: int, **fields) -> dict:
    started = AT + timedelta(minutes=minutes)
    return audit_doc(
        service, template, subject, started_at=iso(started), ended_at=iso(started), **fields
    )


def test_upgrade_fills_each_subjects_newest_submitted_audit(app, db, org, templates, client_as):
    home, homecare = org.care_home, org.homecare
    plan, ipc, incidents = templates[CARE_PLAN], templates[IPC], templates[INCIDENTS]
    documents = [
        sent(home, plan, person("R01"), 0),
        sent(home, plan, person("R01"), 90),  # R01's newest
        sent(home, plan, person("R01"), 200, status="draft"),  # a draft: never the latest
        sent(home, plan, person("R02"), 30),
        sent(home, plan, person("R02"), 30),  # the same instant, stored last: R02's
        sent(homecare, plan, person("H01"), 10),
        sent(home, ipc, area(org.areas["Lounge"]), 5),
        sent(home, incidents, whole_service(), 15),
        sent(homecare, incidents, whole_service(), 20),
    ]
    assert [r["status"] for r in client_as(org.supervisor)(*documents)] == ["created"] * 9
    db.expire_all()
    ids = {d["id"]: i for d, i in zip(documents, range(9), strict=True)}
    by_uuid = {str(u): i for u, i in db.execute(sa.select(Audit.uuid, Audit.id))}
    expected_ids = sorted(by_uuid[d] for d in ids if ids[d] in (1, 4, 5, 6, 7, 8))
    kept = sorted(db.scalars(sa.select(AuditLatest.audit_id)))
    assert kept == expected_ids  # kept as the audits were stored
    r01, r02, h01 = (org.people[c].id for c in ("R01", "R02", "H01"))
    lounge = org.areas["Lounge"].id
    url = db.get_bind().url.render_as_string(hide_password=False)
    db.close()
    engine = make_engine(url)
    try:
        migrate.downgrade(engine, BEFORE)
        assert "audit_latest" not in sa.inspect(engine).get_table_names()
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT count(*) FROM audits")) == 9

        migrate.upgrade(engine)
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(AuditLatest.audit_id, AuditLatest.subject_type, AuditLatest.subject_id)
            ).all()
        assert sorted(r.audit_id for r in rows) == expected_ids
        subjects = sorted((r.subject_type, r.subject_id) for r in rows)
        assert subjects == sorted(
            [
                ("person", r01),
                ("person", r02),
                ("person", h01),
                ("area", lounge),
                ("service", 0),
                ("service", 0),
            ]
        )
    finally:
        migrate.upgrade(engine)
        engine.dispose()
