"""The same audit sent from several logged-in sessions at the same instant (the threaded server
of tests/sync/conftest.py): one copy is stored with its answers, the others are ``unchanged``,
and its proposed actions become exactly one action each, as for monitoring visits."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from careobs.actions.models import Action
from careobs.audits.models import Audit, AuditAnswer
from careobs.org.models import Organisation, Service
from tests.support.audits import CARE_PLAN, audit_doc, person, proposed_action, starter_templates
from tests.sync.devices import Send, assert_ok, at_once


@pytest.fixture(scope="module")
def care_plan(sync_app, place):
    """Acme's care plan audit template (the starter templates, created once)."""
    db = sync_app.extensions["careobs.sessionmaker"]()
    try:
        org_id = db.scalar(
            sa.select(Organisation.id)
            .join(Service, Service.organisation_id == Organisation.id)
            .where(Service.uuid == uuid.UUID(place.care_home))
        )
        return starter_templates(sync_app, db, org_id)[CARE_PLAN]
    finally:
        db.close()


def stored(engine, document: dict) -> tuple[int, int, int]:
    """(audits, answers, actions raised) stored for the audit with this id."""
    audit_id = uuid.UUID(document["id"])
    with engine.connect() as conn:
        ids = conn.scalars(sa.select(Audit.id).where(Audit.uuid == audit_id)).all()
        answers = conn.scalar(
            sa.select(sa.func.count(AuditAnswer.id)).where(AuditAnswer.audit_id.in_(ids))
        )
        actions = conn.scalar(
            sa.select(sa.func.count(Action.id)).where(
                Action.audit_id.in_(ids), Action.source == "audit"
            )
        )
    return len(ids), answers, actions


def submitted_audit(place, care_plan, **fields) -> dict:
    action = proposed_action(description="Update the falls risk assessment.", owner=None)
    return audit_doc(
        place.care_home,
        care_plan,
        person("R01"),
        ratings={care_plan.plain[0]: "not_met"},
        actions=[action],
        **fields,
    )


def test_the_same_audit_sent_at_once_from_two_sessions_is_stored_once(
    connect, place, care_plan, census_engine
):
    first, second = connect(), connect()
    audit = submitted_audit(place, care_plan)

    replies = at_once(Send(first, [audit]), Send(second, [audit]))

    assert_ok(*replies)
    assert sorted(s for r in replies for s in r.statuses) == ["created", "unchanged"]
    assert stored(census_engine, audit) == (1, len(care_plan.items), 1)


def test_a_resend_storm_raises_the_actions_once(connect, place, care_plan, census_engine):
    clients = [connect() for _ in range(4)]
    audit = submitted_audit(place, care_plan)

    replies = at_once(*(Send(client, [audit]) for client in clients))

    assert_ok(*replies)
    assert sorted(s for r in replies for s in r.statuses) == ["created"] + ["unchanged"] * 3
    assert stored(census_engine, audit) == (1, len(care_plan.items), 1)


def test_a_draft_submitted_twice_at_once_raises_its_actions_once(
    connect, place, care_plan, census_engine
):
    first, second = connect(), connect()
    draft = submitted_audit(place, care_plan, status="draft")
    assert first.send([draft]).statuses == ["created"]
    assert stored(census_engine, draft)[2] == 0
    submission = {**draft, "revision": 2, "data": {**draft["data"], "status": "submitted"}}

    replies = at_once(Send(first, [submission]), Send(second, [submission]))

    assert_ok(*replies)
    assert sorted(s for r in replies for s in r.statuses) == ["unchanged", "updated"]
    assert stored(census_engine, draft) == (1, len(care_plan.items), 1)
