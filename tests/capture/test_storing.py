"""The one skeleton that stores every kind's documents (careobs.capture.storing), the steps each
kind declares for it, and what every kind's ``apply`` shares; checked against values worked out
by hand, and through the sync for a draft whose rows a newer revision replaces."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.audits import service as audits
from careobs.audits.models import Audit, AuditAction, AuditAnswer
from careobs.capture import records, storing
from careobs.checklists.scoring import Answer, Bands, score
from careobs.quis import service as quis
from careobs.visits import service as visits
from tests.support import fixtures
from tests.support.audits import CARE_PLAN, audit_doc, person, proposed_action, starter_templates
from tests.support.sync import revise

org = fixtures.org
KINDS = [audits.KIND, visits.KIND, quis.KIND]
NAME = "This looks like it contains a name with a title (Mr, Mrs, ...)."
PHONE = "This looks like it contains a phone number."


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_each_kind_declares_every_step_the_skeleton_runs(kind):
    table = kind.model.__table__
    assert kind.author in table.columns and table.columns[kind.author].foreign_keys
    assert callable(kind.apply) and callable(kind.insert_children) and callable(kind.summary)
    assert kind.audit_prefix
    # What a newer revision deletes is rows under this kind's record, named by their own key
    # to it: a column pointing elsewhere would delete another kind's rows.
    assert kind.children
    for link in kind.children:
        (column,) = link.property.columns
        assert {fk.column.table for fk in column.foreign_keys} == {table}
    # The relationships expired after Core writes are the record's own.
    for name in kind.written_with_core:
        assert name in sa.inspect(kind.model).relationships


def test_the_kinds_children_are_their_answers_actions_and_report_rows():
    assert [c.class_.__name__ for c in audits.KIND.children] == ["AuditAnswer", "AuditAction"]
    assert [c.class_.__name__ for c in visits.KIND.children] == [
        "VisitAnswer",
        "VisitAction",
        "VisitDomainScore",
        "VisitMissedItem",
    ]
    assert [c.class_.__name__ for c in quis.KIND.children] == ["QuisInteraction"]


def test_privacy_flags_are_each_warning_once_sorted_and_empty_texts_pass():
    texts = ("Met Mrs Smith at lunch", "", "Call 020 7946 0958 later", "Mrs Jones again", None)
    assert storing.privacy_flags(texts) == [NAME, PHONE]
    assert storing.privacy_flags(("Kind and unhurried", "")) == []


def test_a_record_is_stamped_submitted_once(monkeypatch):
    times = iter(datetime(2026, 11, 20, hour, tzinfo=UTC) for hour in (9, 10, 11))
    monkeypatch.setattr(storing, "utcnow", lambda: next(times))
    record = SimpleNamespace(updated_at=None, submitted_at=None)
    storing.stamp(record, "draft")
    assert (record.updated_at.hour, record.submitted_at) == (9, None)
    storing.stamp(record, "submitted")
    assert (record.updated_at.hour, record.submitted_at.hour) == (10, 10)
    # A changed copy of a submitted record (kept for review) does not move its submission.
    storing.stamp(record, "submitted")
    assert (record.updated_at.hour, record.submitted_at.hour) == (11, 10)


class _Bands:
    green_from = 90
    amber_from = 75


def test_a_checklist_records_score_and_counts_are_kept():
    answers = [
        Answer("met"),
        Answer("met"),
        Answer("partly"),
        Answer("not_met", critical=True),
        Answer("na"),
    ]
    bands: Bands = _Bands()
    record = SimpleNamespace()
    records.store_score(record, score(answers, bands), answers)
    # By hand: 2 + 2 + 1 + 0 = 5 of 8 points = 62.5%; a critical item Not met: red.
    assert vars(record) == {
        "score": 62.5,
        "band": "red",
        "points": 5,
        "possible": 8,
        "critical_failures": 1,
        "n_met": 2,
        "n_partly": 1,
        "n_not_met": 1,
        "n_na": 1,
    }
    assert records.score_text(record) == "62.5% red"
    assert records.score_text(SimpleNamespace(score=None, band=None)) == "no score"


@pytest.fixture
def templates(app, db, org):
    return starter_templates(app, db, org.org.id)


def test_a_newer_revision_replaces_a_drafts_rows_and_is_audited(db, org, templates, client_as):
    """Revision 1 rates everything Met and proposes two actions; revision 2 rates the first
    plain item Not met and proposes one: only revision 2's rows remain, and the log says
    saved, then submitted, with the outcome worked out by hand."""
    template = templates[CARE_PLAN]
    plain = template.plain[0]
    draft = audit_doc(
        org.care_home,
        template,
        person("R01"),
        status="draft",
        actions=[proposed_action(org.supervisor), proposed_action(org.supervisor)],
    )
    kept = proposed_action(org.supervisor, description="Ask the family to sign the plan.")
    second = revise(
        audit_doc(org.care_home, template, person("R01"), ratings={plain: "not_met"}),
        2,
        actions=[kept],
    )
    second["id"] = draft["id"]
    sync = client_as(org.supervisor)
    assert [r["status"] for r in sync(draft)] == ["created"]
    assert [r["status"] for r in sync(second)] == ["updated"]

    db.expire_all()
    audit = db.scalar(sa.select(Audit).where(Audit.uuid == uuid.UUID(draft["id"])))
    ratings = db.scalars(sa.select(AuditAnswer.rating).where(AuditAnswer.audit_id == audit.id))
    assert len(template.items) == 14
    assert sorted(ratings) == ["met"] * 13 + ["not_met"]
    actions = db.scalars(sa.select(AuditAction).where(AuditAction.audit_id == audit.id)).all()
    assert [(a.description, a.position) for a in actions] == [(kept["description"], 0)]
    # By hand: 13 Met and 1 Not met = 26 of 28 points = 92.9%, green from 90.
    assert (audit.revision, audit.status) == (2, "submitted")
    assert (audit.score, audit.band) == (92.9, "green")
    assert (audit.n_met, audit.n_not_met, audit.critical_failures) == (13, 1, 0)
    events = db.execute(
        sa.select(AuditEvent.action, AuditEvent.summary)
        .where(AuditEvent.entity_id == str(audit.uuid))
        .order_by(AuditEvent.id)
    ).all()
    assert [tuple(e) for e in events] == [
        ("audit_saved", f"{CARE_PLAN} of R01: 100.0% green"),
        ("audit_submitted", f"{CARE_PLAN} of R01: 92.9% green"),
    ]
