"""Two audits of one subject stored at the same instant from two devices (a real threaded
server, on SQLite and PostgreSQL): whichever commits first, the subject's stored latest audit
(careobs.audits.models.AuditLatest) is the one started last, ties to the one stored last — what
ranking every audit gives."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from careobs import create_app
from careobs.audits import service as audits_service
from careobs.audits.models import Audit, AuditLatest
from tests.factories import DataBuilder
from tests.support.audits import CARE_PLAN, INCIDENTS, audit_doc, person, starter_templates
from tests.support.audits import whole_service as service_subject
from tests.support.database import empty_all_tables
from tests.support.sync import iso
from tests.support.web import PASSWORD
from tests.sync.census import Ledger
from tests.sync.devices import Send, SyncClient, assert_ok, at_once

BASE = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def race_app(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("CAREOBS_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "audit-latest-race-secret-key-long-enough-0123456789",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "PUSH_DELIVERY_THREAD": False,
        }
    )
    engine = app.extensions["careobs.engine"]
    empty_all_tables(engine)
    yield app
    empty_all_tables(engine)
    engine.dispose()


@pytest.fixture
def race(race_app):
    """Acme served by werkzeug's threaded server: (organisation, session, templates, two
    devices: Sue Supervisor's and the admin's)."""
    from werkzeug.serving import make_server

    db = race_app.extensions["careobs.sessionmaker"]()
    acme = DataBuilder(race_app, db, PASSWORD).organisation()
    db.commit()
    templates = starter_templates(race_app, db, acme.org.id)
    httpd = make_server("127.0.0.1", 0, race_app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name="latest-race", daemon=True)
    thread.start()
    devices = []
    for user in (acme.supervisor, acme.admin):
        client = SyncClient(httpd.server_port, ledger=Ledger())
        client.log_in(user.email)
        devices.append(client)
    try:
        yield acme, db, templates, devices
    finally:
        for client in devices:
            client.close()
        httpd.shutdown()
        thread.join(timeout=10)
        httpd.server_close()
        db.close()


def doc(acme, template, subject, started: datetime) -> dict:
    return audit_doc(
        acme.care_home,
        template,
        subject,
        started_at=iso(started),
        ended_at=iso(started + timedelta(minutes=20)),
    )


# (minutes after the round's start of device 1's audit, of device 2's, device 2's extra delay)
ROUNDS = [
    (0, 60, 0.0),  # device 2's is newer
    (60, 0, 0.0),  # device 1's is newer
    (0, 60, 0.05),  # the newer one lands last…
    (60, 0, 0.05),  # …or first
    (30, 30, 0.0),  # started at the same instant: the one stored last (larger id) wins
]


@pytest.mark.parametrize("template, subject", [(CARE_PLAN, "R01"), (INCIDENTS, None)])
def test_two_audits_of_one_subject_at_once_keep_the_newer(race, template, subject):
    acme, db, templates, (first, second) = race
    subject_doc = service_subject() if subject is None else person(subject)
    for n, (one, two, delay) in enumerate(ROUNDS):
        start = BASE + timedelta(days=n)
        a = doc(acme, templates[template], subject_doc, start + timedelta(minutes=one))
        b = doc(acme, templates[template], subject_doc, start + timedelta(minutes=two))

        replies = at_once(Send(first, [a]), Send(second, [b], delay=delay))

        assert_ok(*replies)
        assert [r.statuses for r in replies] == [["created"], ["created"]]
        db.rollback()
        kept = db.execute(sa.select(AuditLatest.audit_id, AuditLatest.started_at)).all()
        newest = db.execute(
            sa.select(Audit.id, Audit.started_at).order_by(Audit.started_at.desc(), Audit.id.desc())
        ).first()
        assert kept == [tuple(newest)], n
        assert newest.started_at == start + timedelta(minutes=max(one, two))
        assert sorted(db.execute(sa.select(*AuditLatest.__table__.c)).all()) == sorted(
            db.execute(audits_service.ranked_latest()).all()
        )
