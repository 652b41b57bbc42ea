"""Redactions racing each other, a late sync of the same document and an addendum, through a
real threaded server (SQLite, or PostgreSQL when CAREOBS_TEST_DATABASE_URL is set): no
redaction lost, never a 5xx, and the words never come back — not in the record, not in a
quarantined copy."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from careobs.actions.models import Action
from careobs.audit.models import AuditEvent
from careobs.capture import addenda
from careobs.feedback.models import Feedback
from careobs.redaction.fields import places
from careobs.sync.models import QuarantinedDocument
from careobs.visits.models import MonitoringVisit
from tests.factories import DataBuilder
from tests.support.race import threaded_app, together
from tests.support.sync import SYNC_URL, revise
from tests.support.visits import action as agreed
from tests.support.visits import default_checklist, spot_check
from tests.support.web import PASSWORD
from tests.sync.devices import SyncClient

FIRST, SECOND = "07700 900401", "07700 900402"
ROUNDS = 3


@dataclass
class Scene:
    app: object
    db: object
    port: int
    org: object
    checklist: object
    homecare_manager: object

    def client(self, user) -> SyncClient:
        client = SyncClient(self.port, ledger=None)
        client.log_in(user.email)
        return client

    def sync(self, client: SyncClient, document: dict):
        body = json.dumps({"documents": [document]}).encode()
        headers = {"Content-Type": "application/json", "X-CSRFToken": client.token}
        return client.request("POST", SYNC_URL, body, headers)

    def post_form(self, client: SyncClient, path: str, fields: dict):
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": client.token,
        }
        return client.request("POST", path, urlencode(fields).encode(), headers)

    def visit(self, device: SyncClient, n: int) -> tuple[dict, MonitoringVisit]:
        document = spot_check(
            self.org.homecare,
            self.org.staff_members["Hal Homecare"],
            self.checklist,
            went_well=f"Visit {n}: ring {FIRST}, or {SECOND} after six.",
        )
        reply = self.sync(device, document)
        assert reply.status == 200 and reply.statuses == ["created"], reply
        self.db.expire_all()
        record = self.db.scalar(
            sa.select(MonitoringVisit).where(MonitoringVisit.uuid == _uuid(document))
        )
        return document, record

    def went_well(self, record) -> str:
        self.db.expire_all()
        return self.db.get(MonitoringVisit, record.id).went_well

    def ref(self, record, key: str = "went_well") -> str:
        with self.app.app_context():
            return next(
                p.ref for p in places(self.db.merge(record), listed_only=True) if p.field.key == key
            )


def _uuid(document) -> uuid.UUID:
    return uuid.UUID(document["id"])


def _form(ref: str, words: str) -> dict:
    return {"place": ref, "what": "words", "words": words, "reason": "contact", "confirm": "y"}


@pytest.fixture
def scene(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("CAREOBS_INSTANCE_PATH", str(tmp_path / "instance"))
    with threaded_app(database_url, tmp_path, "redaction-race") as (app, db, port):
        builder = DataBuilder(app, db, PASSWORD)
        org = builder.organisation()
        org.people["H01"].consent = "yes"
        manager = builder.user(
            org.org, "hm@acme.test", "Hana Manager", roles={org.homecare: "manager"}
        )
        db.commit()
        checklist = default_checklist(app, db, org.org.id)
        yield Scene(app, db, port, org, checklist, manager)


def test_the_same_redaction_sent_twice_at_once_is_done_once(scene):
    device = scene.client(scene.org.supervisor)
    admins = [scene.client(scene.org.admin), scene.client(scene.org.admin)]
    for n in range(ROUNDS):
        _, record = scene.visit(device, n)
        path = f"/redact/visit/{record.uuid}"
        fields = _form(scene.ref(record), FIRST)
        replies = together(*(partial(scene.post_form, c, path, fields) for c in admins))
        assert sorted(r.status for r in replies) == [302, 409], replies
        assert scene.went_well(record) == f"Visit {n}: ring [redacted], or {SECOND} after six."
        events = scene.db.scalars(
            sa.select(AuditEvent.summary).where(
                AuditEvent.action == "text_redacted", AuditEvent.entity_id == str(record.uuid)
            )
        ).all()
        assert len(events) == 1, events


def test_two_managers_redacting_one_text_both_count(scene):
    device = scene.client(scene.org.supervisor)
    managers = [scene.client(scene.org.admin), scene.client(scene.homecare_manager)]
    for n in range(ROUNDS):
        _, record = scene.visit(device, n)
        path = f"/redact/visit/{record.uuid}"
        ref = scene.ref(record)
        replies = together(
            partial(scene.post_form, managers[0], path, _form(ref, FIRST)),
            partial(scene.post_form, managers[1], path, _form(ref, SECOND)),
        )
        assert [r.status for r in replies] == [302, 302], replies
        assert scene.went_well(record) == f"Visit {n}: ring [redacted], or [redacted] after six."


def test_a_redaction_racing_a_late_copy_of_the_document(scene):
    device = scene.client(scene.org.supervisor)
    admin = scene.client(scene.org.admin)
    for n in range(ROUNDS):
        document, record = scene.visit(device, n)
        path = f"/redact/visit/{record.uuid}"
        later = revise(document, 2, to_develop=f"Round {n}: more to say.")
        redacted, synced = together(
            partial(scene.post_form, admin, path, _form(scene.ref(record), FIRST)),
            partial(scene.sync, device, later),
        )
        assert redacted.status == 302, redacted
        assert synced.status == 200 and synced.statuses == ["conflict"], synced
        assert FIRST not in scene.went_well(record)
        scene.db.expire_all()
        kept = scene.db.scalars(
            sa.select(QuarantinedDocument).where(QuarantinedDocument.document_id == record.uuid)
        ).all()
        assert len(kept) == 1
        assert FIRST not in kept[0].data["went_well"]
        assert "[redacted]" in kept[0].data["went_well"]
        # and the same late copy sent again keeps nothing new
        again = scene.sync(device, later)
        assert again.statuses == ["conflict"]
        assert (
            scene.db.scalar(
                sa.select(sa.func.count())
                .select_from(QuarantinedDocument)
                .where(QuarantinedDocument.document_id == record.uuid)
            )
            == 1
        )


def test_a_redaction_racing_an_addendum(scene):
    device = scene.client(scene.org.supervisor)
    admin = scene.client(scene.org.admin)
    for n in range(ROUNDS):
        _, record = scene.visit(device, n)
        addendum = {"reason": "A later call", "text": f"Round {n}: the family rang back."}
        redacted, added = together(
            partial(
                scene.post_form,
                admin,
                f"/redact/visit/{record.uuid}",
                _form(scene.ref(record), FIRST),
            ),
            partial(scene.post_form, device, f"/visits/{record.uuid}", addendum),
        )
        assert [redacted.status, added.status] == [302, 302], (redacted, added)
        assert FIRST not in scene.went_well(record)
        with scene.app.app_context():
            stored = scene.db.get(MonitoringVisit, record.id)
            texts = [a.text for a in addenda.of(scene.db, addenda.MONITORING_VISIT, stored)]
        assert texts == [f"Round {n}: the family rang back."]


def test_a_redaction_from_an_action_racing_a_late_copy_of_its_visit(scene):
    """Started on the action raised from a visit's agreed action, the redaction locks the
    visit too: the late copy kept for review never holds the words, whichever comes first."""
    device = scene.client(scene.org.supervisor)
    admin = scene.client(scene.org.admin)
    hal = scene.org.staff_members["Hal Homecare"]
    for n in range(ROUNDS):
        document = spot_check(
            scene.org.homecare,
            hal,
            scene.checklist,
            actions=[agreed(description=f"Round {n}: ring {FIRST} to book.")],
        )
        assert scene.sync(device, document).statuses == ["created"]
        scene.db.expire_all()
        visit = scene.db.scalar(
            sa.select(MonitoringVisit).where(MonitoringVisit.uuid == _uuid(document))
        )
        raised = scene.db.scalar(sa.select(Action).where(Action.visit_id == visit.id))
        with scene.app.app_context():
            ref = next(p.ref for p in places(scene.db.merge(raised), listed_only=True))
        later = revise(document, 2, to_develop=f"Round {n}: more to say.")
        redacted, synced = together(
            partial(scene.post_form, admin, f"/redact/action/{raised.uuid}", _form(ref, FIRST)),
            partial(scene.sync, device, later),
        )
        assert redacted.status == 302, redacted
        assert synced.status == 200 and synced.statuses == ["conflict"], synced
        scene.db.expire_all()
        kept = scene.db.scalars(
            sa.select(QuarantinedDocument).where(QuarantinedDocument.document_id == visit.uuid)
        ).all()
        assert len(kept) == 1
        assert kept[0].data["actions"][0]["description"] == f"Round {n}: ring [redacted] to book."
        texts = [
            scene.db.get(Action, raised.id).description,
            *(a.description for a in scene.db.get(MonitoringVisit, visit.id).actions),
            scene.db.scalar(sa.select(Feedback.actions).where(Feedback.visit_id == visit.id)),
        ]
        assert not [t for t in texts if FIRST in t], texts
