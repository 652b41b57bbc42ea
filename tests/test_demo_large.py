"""The large demo generator, at a small scale: its stored aggregates agree with the raw rows
exactly (the dashboards and their benchmark rely on it), people are codes, and it runs once."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.checklists.models import (
    Checklist,
    ChecklistDomain,
    ChecklistItem,
    ChecklistVersion,
)
from careobs.checklists.scoring import Answer
from careobs.compliments.models import Compliment
from careobs.db import refresh_statistics
from careobs.demo import DEMO_PASSWORD
from careobs.demo_large import LARGE_ORG, LargeDemoExists, Scale, generate
from careobs.org import settings as org_settings
from careobs.org.models import Organisation, Person, Service, StaffMember
from careobs.privacy import code_problems
from careobs.quis import scoring as quis_scoring
from careobs.quis.models import QuisInteraction, QuisSession
from careobs.visits import scoring
from careobs.visits.models import (
    MonitoringVisit,
    VisitAnswer,
    VisitDomainPeriod,
    VisitDomainScore,
    VisitMissedItem,
)

SCALE = Scale(services=3, staff=30, sessions=60, visits=120)
TODAY = date(2026, 3, 31)  # the window crosses both clock changes


@pytest.fixture
def generated(app, db):
    with app.app_context():
        made = generate(db, SCALE, today=TODAY)
    db.expire_all()
    return made


def count(db, model) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(model))


def test_generates_the_scale_asked_for(generated, db):
    assert count(db, Service) == 3
    assert {kind for (kind,) in db.execute(sa.select(Service.kind))} == {"care_home", "homecare"}
    assert count(db, StaffMember) == 30
    assert count(db, QuisSession) == pytest.approx(60, abs=3)
    assert count(db, QuisInteraction) > 60 * 20
    assert count(db, MonitoringVisit) == pytest.approx(120, rel=0.1)
    assert generated.counts["interactions"] == count(db, QuisInteraction)
    assert generated.counts["answers"] == count(db, VisitAnswer)
    # One compliment or concern for every two sessions, over every service.
    assert generated.counts["compliments and concerns"] == count(db, Compliment) == 30
    assert db.scalar(sa.select(sa.func.count(sa.distinct(Compliment.service_id)))) == 3
    first = db.scalar(sa.select(sa.func.min(QuisSession.started_at)))
    last = db.scalar(sa.select(sa.func.max(MonitoringVisit.planned_at)))
    assert first.date() >= date(2024, 3, 31)
    assert last.date() < TODAY


def test_quis_aggregates_equal_what_the_interactions_give(generated, db):
    by_session = defaultdict(list)
    for row in db.execute(
        sa.select(QuisInteraction.session_id, QuisInteraction.category, QuisInteraction.people)
    ):
        by_session[row.session_id].append({"category": row.category, "people": row.people})
    sessions = db.scalars(sa.select(QuisSession)).all()
    assert sessions
    for session in sessions:
        interactions = by_session[session.id]
        counts = quis_scoring.CategoryCounts.from_categories(i["category"] for i in interactions)
        minutes = quis_scoring.observed_minutes(session.started_at, session.ended_at)
        negatives = quis_scoring.people_with_negative(interactions, session.people)
        assert (session.n_ps, session.n_pc, session.n_n, session.n_np, session.n_nr) == (
            counts.PS,
            counts.PC,
            counts.N,
            counts.NP,
            counts.NR,
        )
        assert session.observed_minutes == minutes
        assert session.people_count == len(session.people)
        assert session.person_minutes == quis_scoring.person_minutes(len(session.people), minutes)
        assert session.people_with_negative == len(negatives)
        assert session.status == "submitted"
    totals = db.execute(
        sa.select(
            sa.func.sum(QuisSession.n_ps + QuisSession.n_pc + QuisSession.n_n),
            sa.func.sum(QuisSession.n_np + QuisSession.n_nr),
        )
    ).one()
    assert sum(totals) == count(db, QuisInteraction)


def test_interactions_are_filled_in_like_real_ones(generated, db):
    rows = db.execute(sa.select(QuisInteraction)).scalars().all()
    negatives = [r for r in rows if r.category in ("NP", "NR")]
    assert negatives and all(
        r.negative_reason in quis_scoring.NEGATIVE_REASONS or r.negative_reason is None
        for r in negatives
    )
    assert sum(r.negative_reason is not None for r in negatives) > 0.7 * len(negatives)
    assert not [r for r in rows if r.category not in ("NP", "NR") and r.negative_reason]
    assert sum(r.staff_id is not None for r in rows) > 0.8 * len(rows)
    assert {r.initiated_by for r in rows} >= {"staff", "person"}
    assert {r.communication for r in rows} >= {"two_way", "one_way"}
    assert all(r.at.tzinfo is not None for r in rows[:50])


def test_visit_outcomes_equal_what_the_answers_give(generated, db):
    org_id = db.scalar(sa.select(Organisation.id).where(Organisation.name == LARGE_ORG))
    settings = org_settings.settings_for(db, org_id)
    rules = org_settings.rules(settings)
    critical = dict(db.execute(sa.select(ChecklistItem.id, ChecklistItem.critical)).all())
    answers = defaultdict(list)
    for visit_id, item_id, rating in db.execute(
        sa.select(VisitAnswer.visit_id, VisitAnswer.item_id, VisitAnswer.rating)
    ):
        answers[visit_id].append(Answer(rating, critical[item_id]))
    visits = db.scalars(sa.select(MonitoringVisit)).all()
    for visit in visits:
        result = scoring.outcome(answers[visit.id], rules)
        ratings = Counter(a.rating for a in answers[visit.id])
        assert (visit.score, visit.band, visit.outcome) == (
            result.score,
            result.band,
            result.wording,
        )
        assert (visit.points, visit.possible) == (result.points, result.possible)
        assert visit.critical_failures == result.critical_failures
        assert (visit.n_met, visit.n_partly, visit.n_not_met, visit.n_na) == (
            ratings["met"],
            ratings["partly"],
            ratings["not_met"],
            ratings["na"],
        )
        assert visit.minutes_late == scoring.minutes_late(visit.planned_at, visit.arrived_at)
        assert visit.late == scoring.is_late(
            visit.planned_at, visit.arrived_at, settings.lateness_tolerance_minutes
        )
        assert visit.shortfall_minutes == scoring.shortfall_minutes(
            visit.planned_minutes, visit.arrived_at, visit.left_at
        )
        assert visit.next_check_on == scoring.next_check_due(
            visit.arrived_at.date(), result.band, rules
        )
    assert {v.band for v in visits} >= {"green", "amber"}


def test_visits_use_the_version_current_when_they_started(generated, db):
    versions = db.scalars(
        sa.select(ChecklistVersion)
        .join(Checklist)
        .where(Checklist.purpose == "visit")  # not the starter audit templates
        .order_by(ChecklistVersion.number)
    ).all()
    assert [v.number for v in versions] == [1, 2]
    switch = versions[1].published_at
    assert versions[0].retired_at == switch
    for visit in db.scalars(sa.select(MonitoringVisit)):
        expected = versions[1] if visit.arrived_at >= switch else versions[0]
        assert visit.checklist_version_id == expected.id


def test_domain_and_missed_item_rows_agree_with_the_answers(generated, db):
    answer_rows = db.execute(
        sa.select(VisitAnswer.visit_id, VisitAnswer.rating, ChecklistItem.key, ChecklistDomain.key)
        .join(ChecklistItem, VisitAnswer.item_id == ChecklistItem.id)
        .join(ChecklistDomain, ChecklistItem.domain_id == ChecklistDomain.id)
    ).all()
    expected_domains: Counter = Counter()
    expected_missed = set()
    for visit_id, rating, item_key, domain_key in answer_rows:
        expected_domains[(visit_id, domain_key, rating)] += 1
        if rating in ("partly", "not_met"):
            expected_missed.add((visit_id, item_key, rating))
    stored: Counter = Counter()
    for row in db.scalars(sa.select(VisitDomainScore)):
        for rating in ("met", "partly", "not_met", "na"):
            if getattr(row, f"n_{rating}"):
                stored[(row.visit_id, row.domain_key, rating)] += getattr(row, f"n_{rating}")
    assert stored == expected_domains
    missed = {(m.visit_id, m.item_key, m.rating) for m in db.scalars(sa.select(VisitMissedItem))}
    assert missed == expected_missed
    copied = db.execute(
        sa.select(
            VisitDomainScore.planned_at,
            MonitoringVisit.planned_at,
            VisitDomainScore.service_id,
            MonitoringVisit.service_id,
        ).join(MonitoringVisit, VisitDomainScore.visit_id == MonitoringVisit.id)
    ).all()
    assert all(a == b and c == d for a, b, c, d in copied)


def test_per_period_sums_agree_with_the_per_visit_rows(generated, db):
    counts = ("n_met", "n_partly", "n_not_met", "n_na")
    key = (VisitDomainScore.service_id, VisitDomainScore.visit_type, VisitDomainScore.domain_key)
    per_visit = {
        tuple(row[:3]): tuple(row[3:])
        for row in db.execute(
            sa.select(*key, *(sa.func.sum(getattr(VisitDomainScore, c)) for c in counts)).group_by(
                *key
            )
        )
    }
    assert per_visit
    for grain in ("week", "month"):
        summed = {
            tuple(row[:3]): tuple(row[3:])
            for row in db.execute(
                sa.select(
                    VisitDomainPeriod.service_id,
                    VisitDomainPeriod.visit_type,
                    VisitDomainPeriod.domain_key,
                    *(sa.func.sum(getattr(VisitDomainPeriod, c)) for c in counts),
                )
                .where(VisitDomainPeriod.grain == grain)
                .group_by(
                    VisitDomainPeriod.service_id,
                    VisitDomainPeriod.visit_type,
                    VisitDomainPeriod.domain_key,
                )
            )
        }
        assert summed == per_visit, grain


def test_people_appear_only_as_codes(generated, db):
    people = db.scalars(sa.select(Person)).all()
    assert people
    codes = defaultdict(set)
    for person in people:
        assert re.fullmatch(r"[RH]\d{2,3}", person.code)
        assert code_problems(person.code) == []
        assert person.initials is None
        codes[person.service_id].add(person.code)
    for session in db.scalars(sa.select(QuisSession)):
        assert set(session.people) <= codes[session.service_id]
        assert session.privacy_flags == []
    for service_id, people_json in db.execute(
        sa.select(QuisSession.service_id, QuisInteraction.people).join(QuisInteraction)
    ):
        assert set(people_json) <= codes[service_id]
    for visit in db.scalars(sa.select(MonitoringVisit)):
        assert visit.person_code in codes[visit.service_id]
        assert visit.privacy_flags == []


def test_mealtimes_are_more_negative_than_quiet_time(app, db):
    with app.app_context():
        generate(db, Scale(services=2, staff=20, sessions=300, visits=10), today=TODAY)
    shares = dict(
        db.execute(
            sa.select(
                QuisSession.context,
                sa.cast(sa.func.sum(QuisSession.n_np + QuisSession.n_nr), sa.Float)
                / sa.func.sum(
                    QuisSession.n_ps
                    + QuisSession.n_pc
                    + QuisSession.n_n
                    + QuisSession.n_np
                    + QuisSession.n_nr
                ),
            ).group_by(QuisSession.context)
        ).all()
    )
    assert shares["mealtime"] > 2 * shares["quiet_time"]


def test_the_logins_work(generated, db, client):
    for email, _role in generated.logins:
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        client.post("/logout")
    worker = db.scalar(sa.select(StaffMember).where(StaffMember.user_id.is_not(None)))
    assert worker.user.email == "staff@large.test"
    assert db.scalar(sa.select(sa.func.count()).where(MonitoringVisit.staff_id == worker.id)) > 0


def test_running_twice_changes_nothing(generated, app, db, runner):
    before = {m: count(db, m) for m in (Organisation, QuisInteraction, MonitoringVisit)}
    with app.app_context(), pytest.raises(LargeDemoExists) as raised:
        generate(db, SCALE, today=TODAY)
    assert raised.value.complete
    db.rollback()
    result = runner.invoke(args=["demo", "--size", "large"])
    assert result.exit_code == 0, result.output
    assert "already exists; nothing was changed" in result.output
    assert "admin@large.test" in result.output
    assert {m: count(db, m) for m in before} == before
    marks = db.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "large_demo_generated"))
    assert marks == 1


def test_an_interrupted_run_is_reported_not_completed(runner, db):
    db.add(Organisation(name=LARGE_ORG))
    db.commit()
    result = runner.invoke(args=["demo", "--size", "large"])
    assert result.exit_code != 0
    assert "did not finish" in result.output
    assert count(db, Service) == 0


def test_both_demos_share_a_database(generated, app, db, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Demo Care Group is ready" in result.output
    names = set(db.scalars(sa.select(Organisation.name)))
    assert names == {"Demo Care Group", LARGE_ORG}


def test_a_scale_times_n_multiplies_the_records_not_the_provider():
    base = Scale()
    ten = base.times(10)
    assert (ten.sessions, ten.visits, ten.audit_total, ten.compliment_total) == (
        200_000,
        600_000,
        240_000,
        100_000,
    )
    assert (ten.services, ten.staff, ten.days, ten.interactions_per_session) == (
        base.services,
        base.staff,
        base.days,
        base.interactions_per_session,
    )
    assert Scale(visits=100, audits=7).times(3).audit_total == 21


def test_after_the_load_the_tables_are_vacuumed_so_index_only_scans_skip_them(generated, db):
    """`careobs demo --size large` and the benchmark vacuum after loading: until then an
    index-only scan (the dashboards' covering indexes) still reads the table's pages."""
    refresh_statistics(db, vacuum=True)
    if db.get_bind().dialect.name != "postgresql":
        return  # SQLite has no visibility map; the call did nothing, and said nothing
    pages, visible = db.execute(
        sa.text("SELECT relpages, relallvisible FROM pg_class WHERE relname = 'quis_interactions'")
    ).one()
    assert pages > 0 and visible == pages
