"""Downloads at the same instant, through a real threaded server (SQLite, or PostgreSQL when
CAREOBS_TEST_DATABASE_URL is set): each answers with a whole, readable copy and each is audited
once; a worker's own and an admin's download of the same worker do not disturb each other."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.subject_access.service import AUDIT_ACTION
from tests.factories import DataBuilder
from tests.subject_access.archive_reader import read
from tests.support.feedback import make_feedback
from tests.support.race import threaded_app, together
from tests.support.web import PASSWORD
from tests.sync.devices import SyncClient


def post(client: SyncClient, path: str):
    return client.request("POST", path, b"", {"X-CSRFToken": client.token})


def test_downloads_at_once_all_complete_and_are_all_audited(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("CAREOBS_INSTANCE_PATH", str(tmp_path / "instance"))
    with threaded_app(database_url, tmp_path, "subject-access-race") as (app, db, port):
        acme = DataBuilder(app, db, PASSWORD).organisation()
        member = acme.staff_members["Carla Carer"]
        member.user_id = acme.staff.id
        db.commit()
        for _ in range(3):
            make_feedback(db, acme.supervisor, member)
        clients = [SyncClient(port, ledger=None) for _ in range(4)]
        try:
            for client, user in zip(clients, [acme.staff] * 2 + [acme.admin] * 2, strict=True):
                client.log_in(user.email)
            paths = ["/account/data"] * 2 + [f"/admin/staff/{member.uuid}/data"] * 2
            replies = together(
                *(lambda c=c, p=p: post(c, p) for c, p in zip(clients, paths, strict=True))
            )
        finally:
            for client in clients:
                client.close()
        assert [r.status for r in replies] == [200] * 4, [str(r) for r in replies]
        for reply in replies:
            copy = read(reply.body)
            assert len(copy.csv["feedback"]) == 3
            assert copy.readme_counts()["feedback"] == 3
        db.expire_all()
        events = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == AUDIT_ACTION))
        actors = sorted(e.actor_id for e in events)
        assert actors == sorted([acme.staff.id] * 2 + [acme.admin.id] * 2)
