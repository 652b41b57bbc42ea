"""The demo's year of audits at Rosewood House: every template on its rhythm, realistic scores,
and the story — MAR gaps (Not met on the recording items) that fall after the action raised at a
MAR audit was completed."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from careobs.actions.models import Action
from careobs.audits import starter
from careobs.audits.demo import NO_GAPS, RECORDED_AT_THE_TIME, STORY_ACTION
from careobs.audits.models import Audit, AuditAnswer
from careobs.checklists.models import Checklist, ChecklistItem, ChecklistVersion
from careobs.demo import ROSEWOOD, load_demo
from careobs.org.models import Service
from tests.support.demo import load_demo_once

TODAY = date(2026, 11, 27)


@pytest.fixture
def demo(app, db):
    with app.app_context():
        load_demo_once(db, today=TODAY)
    db.expire_all()


def _audits(db, template: str) -> list[Audit]:
    """Rosewood House's audits of the template (Riverside Homecare's are careobs.coaudits.demo's
    care plan audits of H02, compared with H02's co-audits)."""
    return list(
        db.scalars(
            sa.select(Audit)
            .join(ChecklistVersion, ChecklistVersion.id == Audit.checklist_version_id)
            .join(Checklist, Checklist.id == ChecklistVersion.checklist_id)
            .join(Service, Service.id == Audit.service_id)
            .where(Checklist.name == template, Service.name == ROSEWOOD)
            .order_by(Audit.started_at)
        )
    )


def test_a_year_of_each_template_at_rosewood_house(demo, db):
    rosewood = db.scalar(sa.select(Service.id).where(Service.name == ROSEWOOD))
    care_plans = _audits(db, starter.CARE_PLAN.name)
    mar = _audits(db, starter.MEDICINES_RECORDS.name)
    ipc = _audits(db, starter.INFECTION_CONTROL.name)
    incidents = _audits(db, starter.BEHAVIOUR_AND_INCIDENTS.name)

    for audits in (care_plans, mar, ipc, incidents):
        assert {a.service_id for a in audits} == {rosewood}
        assert all(a.status == "submitted" for a in audits)
        assert audits[0].started_at.date() <= TODAY - timedelta(days=330)
        assert audits[-1].started_at.date() >= TODAY - timedelta(days=40)
    # Each person's care plan about monthly: 18 people, 11 or 12 audits each.
    per_person = Counter(a.person_id for a in care_plans)
    assert len(per_person) == 18 and min(per_person.values()) >= 11
    assert 150 <= len(mar) <= 156  # three people a week
    assert Counter(a.area_id for a in ipc).most_common()[-1][1] >= 11
    assert {a.subject_type for a in incidents} == {"service"} and len(incidents) >= 11


def test_scores_look_real(demo, db):
    bands = Counter(a.band for a in _audits(db, starter.CARE_PLAN.name))
    total = sum(bands.values())

    assert bands["green"] / total > 0.55
    assert 0.08 <= bands["amber"] / total <= 0.35
    assert 0 < bands["red"] / total <= 0.2
    assert None not in bands


def _item_id(db, text: str) -> int:
    return db.scalar(sa.select(ChecklistItem.id).where(ChecklistItem.text == text))


def test_mar_gaps_fall_after_the_action_is_completed(demo, db):
    action = db.scalar(sa.select(Action).where(Action.description == STORY_ACTION))
    assert action.source == "audit" and action.status == "done"
    raised_by = db.get(Audit, action.audit_id)
    assert raised_by.checklist_version.checklist.name == starter.MEDICINES_RECORDS.name
    assert raised_by.started_at < action.completed_at < raised_by.started_at + timedelta(days=40)

    def not_met_share(item_text: str, after: bool) -> float:
        when = Audit.started_at >= action.completed_at
        rows = db.execute(
            sa.select(AuditAnswer.rating)
            .join(Audit, Audit.id == AuditAnswer.audit_id)
            .where(
                AuditAnswer.item_id == _item_id(db, item_text),
                when if after else sa.not_(when),
                Audit.id != raised_by.id,
            )
        ).scalars()
        ratings = list(rows)
        assert len(ratings) >= 40
        return ratings.count("not_met") / len(ratings)

    for item in (NO_GAPS, RECORDED_AT_THE_TIME):
        before, after = not_met_share(item, after=False), not_met_share(item, after=True)
        assert before >= 0.15, item
        assert after <= before / 2, (item, before, after)


def test_loading_again_adds_nothing(app, demo, db):
    counts = db.scalar(sa.select(sa.func.count()).select_from(Audit))
    actions = db.scalar(sa.select(sa.func.count()).select_from(Action))
    with app.app_context():
        load_demo(db, today=TODAY)
    assert db.scalar(sa.select(sa.func.count()).select_from(Audit)) == counts
    assert db.scalar(sa.select(sa.func.count()).select_from(Action)) == actions


# -- the large demo -----------------------------------------------------------------------------


def test_large_demo_audits_agree_with_their_answers(app, db):
    from collections import defaultdict

    from careobs.audits import scoring
    from careobs.checklists.models import ChecklistItem
    from careobs.demo_large import Scale, generate

    with app.app_context():
        made = generate(db, Scale(services=3, staff=30, sessions=20, visits=100, audits=300))
    db.expire_all()
    audits = list(db.scalars(sa.select(Audit)))
    assert made.counts["audits"] == len(audits) and 200 <= len(audits) <= 300
    assert {a.checklist_version.checklist.name for a in audits} == {
        t.name for t in starter.TEMPLATES
    }
    answers = defaultdict(list)
    for audit_id, rating, critical in db.execute(
        sa.select(AuditAnswer.audit_id, AuditAnswer.rating, ChecklistItem.critical).join(
            ChecklistItem, ChecklistItem.id == AuditAnswer.item_id
        )
    ):
        answers[audit_id].append(scoring.Answer(rating, critical))
    assert made.counts["audit answers"] == sum(len(a) for a in answers.values())
    bands = Counter()
    for audit in audits:
        template = audit.checklist_version.checklist
        result = scoring.audit_outcome(answers[audit.id], template.green_from, template.amber_from)
        assert (audit.score, audit.band, audit.points, audit.possible) == (
            result.score,
            result.band,
            result.points,
            result.possible,
        )
        assert audit.n_met == sum(a.rating == "met" for a in answers[audit.id])
        bands[audit.band] += 1
    assert bands["green"] > bands["amber"] > 0 and bands["red"] > 0
