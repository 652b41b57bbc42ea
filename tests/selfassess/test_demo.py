"""The demo's self-assessments: two of Rosewood House by its manager about six months apart,
every statement scored, Well-led moving from requires improvement to good, the first's gaps
with actions (most done) and the second's two gaps, one with an action and one without."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from careobs.actions.models import Action
from careobs.audit.models import AuditEvent
from careobs.db import get_session
from careobs.demo import ROSEWOOD, load_demo
from careobs.org.models import Service
from careobs.org.settings import time_zone
from careobs.selfassess import ratings, service
from careobs.selfassess.evidence import held
from careobs.selfassess.models import SelfAssessment
from tests.clock import local_today
from tests.support.demo import load_demo_once


def _assessments(db) -> list[SelfAssessment]:
    return list(db.scalars(sa.select(SelfAssessment).order_by(SelfAssessment.assessed_at)))


def _well_led(assessment) -> ratings.KeyQuestionResult:
    return ratings.key_question("well_led", service.scores_of(assessment))


def test_two_self_assessments_six_months_apart_show_well_led_moving_up(app):
    with app.app_context():
        db = get_session()
        load_demo_once(db)
        first, second = _assessments(db)
        rosewood = db.scalar(sa.select(Service).where(Service.name == ROSEWOOD))
        assert first.service_id == second.service_id == rosewood.id
        assert {first.type, second.type} == {"self_assessment"}
        assert {first.status, second.status} == {"submitted"}
        assert first.assessor.email == second.assessor.email == "manager@demo.test"
        zone = time_zone(db, rosewood.organisation_id)
        days = [
            (local_today() - a.assessed_at.astimezone(zone).date()).days for a in (first, second)
        ]
        assert days == [182, 9]  # about six months apart, dated from the demo's today
        for a in (first, second):
            assert [s.code for s in a.statements] == list(ratings.KEY_OF)
            assert all(s.score in ratings.SCORES and s.rationale.strip() for s in a.statements)
        before, after = _well_led(first), _well_led(second)
        assert (before.sum_text, before.rating) == (
            "18 of 32 (8 of 8 statements assessed) = 56%",
            "requires_improvement",
        )
        assert (after.sum_text, after.rating) == (
            "23 of 32 (8 of 8 statements assessed) = 72%",
            "good",
        )
        moved = {
            c.code: c.text
            for c in ratings.changes(service.scores_of(first), service.scores_of(second))
            if c.direction == "up"
        }
        assert {code: moved[code] for code in ("W3", "W5", "W7")} == {
            "W3": "Up from 2 to 3",
            "W5": "Up from 2 to 3",
            "W7": "Up from 1 to 3",
        }
        assert service.previous_of(db, second).id == first.id
        # written as the sync writes a device's document: fingerprinted and audited by the core
        assert all(len(a.content_hash) == 64 and a.revision == 1 for a in (first, second))
        submitted = db.scalars(
            sa.select(AuditEvent.summary).where(AuditEvent.action == "self_assessment_submitted")
        ).all()
        assert sorted(submitted) == [
            "Self-assessment of Rosewood House: 34 of 34 statements scored, 2 gaps",
            "Self-assessment of Rosewood House: 34 of 34 statements scored, 6 gaps",
        ]


def test_the_first_assessments_gaps_all_have_actions_and_the_second_has_one_without(app):
    with app.app_context():
        db = get_session()
        load_demo_once(db)
        first, second = _assessments(db)
        first_plan = service.gap_actions(db, first)
        assert list(first_plan) == ["S5", "W2", "W3", "W5", "W7", "W8"]
        assert all(a is not None and a.source == "self_assessment" for a in first_plan.values())
        assert {c: a.status for c, a in first_plan.items()} == {
            "S5": "done",
            "W2": "done",
            "W3": "done",
            "W5": "done",
            "W7": "done",
            "W8": "in_progress",
        }
        assert all(a.cqc_tags == [c] for c, a in first_plan.items())
        second_plan = service.gap_actions(db, second)
        assert list(second_plan) == ["R5", "W8"]
        assert second_plan["R5"] is None
        assert second_plan["W8"].status == "open"
        assert db.scalar(sa.select(sa.func.count()).where(Action.source == "self_assessment")) == 7


def test_the_evidence_names_demo_records_of_rosewood_that_careobs_holds(app):
    with app.app_context():
        db = get_session()
        load_demo_once(db)
        first, second = _assessments(db)
        for assessment in (first, second):
            refs = [
                (e["kind"], uuid.UUID(e["id"])) for s in assessment.statements for e in s.evidence
            ]
            kinds = {kind for kind, _ in refs}
            assert {"quis_trend", "quis_session", "audit"} <= kinds
            assert set(refs) == held(db, assessment.service_id, refs)
        # the second rests on the mealtime coaching action (raised three months ago)
        assert any(e["kind"] == "action" for s in second.statements for e in s.evidence)


def test_loading_the_demo_again_adds_no_assessment_or_action(app):
    with app.app_context():
        db = get_session()
        load_demo_once(db)  # the run's copy, then one real load over it
        counts = (
            db.scalar(sa.select(sa.func.count()).select_from(SelfAssessment)),
            db.scalar(sa.select(sa.func.count()).where(Action.source == "self_assessment")),
        )
        load_demo(db)
        assert (
            counts
            == (
                db.scalar(sa.select(sa.func.count()).select_from(SelfAssessment)),
                db.scalar(sa.select(sa.func.count()).where(Action.source == "self_assessment")),
            )
            == (2, 7)
        )
