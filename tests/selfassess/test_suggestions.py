"""What careobs suggests as evidence for each quality statement (careobs.selfassess.suggestions):
hand-made records of every kind, their exact labels, the pack's statement mapping, and what is
never suggested (drafts, a second observer's paired session, another service's records, records
outside the last twelve months)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from careobs.actions.models import Action
from careobs.audits.models import Audit
from careobs.checklists.models import Checklist, ChecklistVersion
from careobs.quis.models import QuisPair, QuisSession
from careobs.selfassess.ratings import KEY_OF
from careobs.selfassess.suggestions import PER_KIND, describe, suggest
from careobs.visits.models import MonitoringVisit
from careobs.voice.models import Conversation
from tests.support.audits import starter_templates
from tests.support.feedback import make_feedback
from tests.support.visits import default_checklist
from tests.support.voice import draw_people

TODAY = date(2026, 12, 6)


def at(month: int, day: int, year: int = 2026, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=UTC)


def captured(org, service, user_field: str, user, **fields) -> dict:
    return {
        "uuid": uuid.uuid4(),
        "organisation_id": service.organisation_id,
        "service_id": service.id,
        "status": fields.pop("status", "submitted"),
        "revision": 1,
        "content_hash": "x" * 64,
        user_field: user.id,
        **fields,
    }


def quis_session(
    db, org, when, *, service=None, status="submitted", pair=None, role=None, area=None
):
    """A session of 10 interactions, 7 positive (5 social, 2 care), 1 neutral, 2 negative."""
    service = service or org.care_home
    session = QuisSession(
        **captured(org, service, "observer_id", org.supervisor, status=status),
        area_id=area.id if area else None,
        context="mealtime",
        started_at=when,
        planned_minutes=30,
        frame_minutes=5,
        people=["R01"],
        n_ps=5,
        n_pc=2,
        n_n=1,
        n_np=1,
        n_nr=1,
        people_count=2,
        observed_minutes=30,
        person_minutes=60,
        pair_id=pair.id if pair else None,
        pair_role=role,
    )
    db.add(session)
    db.commit()
    return session


@pytest.fixture
def held(app, db, org, other):
    """One of each kind in Acme's services, and what must never be suggested."""
    lounge = org.areas["Lounge"]
    records = {}
    records["quis"] = quis_session(db, org, at(12, 3), area=lounge)
    records["quis_old"] = quis_session(db, org, at(6, 1))  # in the year, not the 90 days
    records["quis_draft"] = quis_session(db, org, at(12, 4), status="draft")
    records["quis_last_year"] = quis_session(db, org, at(12, 15, 2025))
    pair = QuisPair(
        uuid=uuid.uuid4(),
        organisation_id=org.org.id,
        service_id=org.care_home.id,
        created_at=at(12, 2),
    )
    db.add(pair)
    db.commit()
    records["quis_lead"] = quis_session(db, org, at(12, 2), pair=pair, role="lead")
    records["quis_second"] = quis_session(db, org, at(12, 2), pair=pair, role="second")
    records["quis_other_org"] = quis_session(db, other, at(12, 3), service=other.care_home)

    checklist = default_checklist(app, db, org.org.id)
    version_id = db.scalar(
        sa.select(ChecklistVersion.id)
        .join(Checklist)
        .where(Checklist.uuid == uuid.UUID(checklist.id))
    )
    visit = MonitoringVisit(
        **captured(org, org.homecare, "supervisor_id", org.supervisor),
        staff_id=org.staff_members["Hal Homecare"].id,
        person_code="H01",
        visit_type="unannounced",
        consent="on_record",
        checklist_version_id=version_id,
        planned_at=at(12, 2),
        planned_minutes=30,
        score=85.0,
        band="green",
    )
    draft_visit = MonitoringVisit(
        **captured(org, org.homecare, "supervisor_id", org.supervisor, status="draft"),
        staff_id=org.staff_members["Hal Homecare"].id,
        person_code="H02",
        visit_type="announced",
        consent="on_record",
        checklist_version_id=version_id,
        planned_at=at(12, 3),
        planned_minutes=30,
    )
    db.add_all([visit, draft_visit])

    templates = starter_templates(app, db, org.org.id)
    care_plan = db.scalar(
        sa.select(ChecklistVersion.id)
        .join(Checklist)
        .where(Checklist.uuid == uuid.UUID(templates["Care plan audit"].id))
    )
    r01 = org.people["R01"]
    audit = Audit(
        **captured(org, org.care_home, "auditor_id", org.manager),
        checklist_version_id=care_plan,
        subject_type="person",
        person_id=r01.id,
        started_at=at(12, 1),
        score=87.5,
        band="amber",
    )
    co_audit = Audit(
        **captured(org, org.care_home, "auditor_id", org.manager),
        checklist_version_id=care_plan,
        subject_type="person",
        person_id=r01.id,
        started_at=at(11, 30),
        co_audit_with="person",
        co_audit_person_id=r01.id,
        compare_with=uuid.uuid4(),
    )
    db.add_all([audit, co_audit])

    draw = draw_people(db, org.manager, org.care_home, 1)
    conversation = Conversation(
        **captured(org, org.care_home, "interviewer_id", org.manager),
        draw_id=draw.id,
        person_id=r01.id,
        outcome="asked",
        started_at=at(11, 29),
    )
    measured = Action(
        organisation_id=org.org.id,
        service_id=org.care_home.id,
        description="Retrain the lunch team on offering choices before serving every plate "
        "and on asking first",
        cqc_tags=["S1", "W7"],
        measure={"kind": "quis_positive", "days": 30},
        created_by_id=org.manager.id,
        created_at=at(11, 28),
        updated_at=at(11, 28),
    )
    plain = Action(
        organisation_id=org.org.id,
        service_id=org.care_home.id,
        description="Fix the lounge door.",
        cqc_tags=["S5"],
        status="done",
        created_by_id=org.manager.id,
        created_at=at(10, 1),
        updated_at=at(10, 5),
        completed_at=at(10, 5),
    )
    db.add_all([conversation, measured, plain])
    db.commit()
    records.update(
        visit=visit,
        visit_draft=draft_visit,
        audit=audit,
        co_audit=co_audit,
        conversation=conversation,
        measured=measured,
        plain=plain,
    )
    carla = org.staff_members["Carla Carer"]
    records["feedback"] = make_feedback(db, org.manager, carla, acknowledged_at=at(11, 27))
    records["feedback_unread"] = make_feedback(db, org.manager, carla)
    return records


def suggested(app, db, service, today=TODAY):
    with app.test_request_context():
        return suggest(db, service, today)


def ids(items) -> list[str]:
    return [s.id for s in items]


def test_every_statement_is_answered_and_each_record_sits_where_the_pack_files_it(
    app, db, org, held
):
    home = suggested(app, db, org.care_home)
    care = suggested(app, db, org.homecare)
    assert list(home) == list(KEY_OF) and list(care) == list(KEY_OF)
    quis = str(held["quis"].uuid)
    audit, co_audit = str(held["audit"].uuid), str(held["co_audit"].uuid)
    # QUIS: C1 and C2 only; the trend is C1's first (the newest, today's figures).
    assert home["C1"][0].kind == "quis_trend"
    assert quis in ids(home["C1"]) and quis in ids(home["C2"])
    assert [c for c, items in home.items() if quis in ids(items)] == ["C1", "C2"]
    # Visits: S6, and the default checklist's infection, medicines and consent domains.
    visit = str(held["visit"].uuid)
    assert [c for c, items in care.items() if visit in ids(items)] == ["S6", "S7", "S8", "E6"]
    # Audits: their template's statements; co-audits and conversations: R4.
    assert [c for c, items in home.items() if audit in ids(items)] == [
        "S4",
        "E1",
        "E6",
        "C2",
        "R1",
    ]
    assert [c for c, items in home.items() if co_audit in ids(items)] == ["R4"]
    conversation = str(held["conversation"].uuid)
    assert [c for c, items in home.items() if conversation in ids(items)] == ["R4"]
    # Actions: their tags; feedback acknowledged: W7 (with the pack's feedback to workers).
    measured, plain = str(held["measured"].uuid), str(held["plain"].uuid)
    assert [c for c, items in home.items() if measured in ids(items)] == ["S1", "W7"]
    assert [c for c, items in home.items() if plain in ids(items)] == ["S5"]
    feedback = str(held["feedback"].uuid)
    assert [c for c, items in home.items() if feedback in ids(items)] == ["W7"]
    # R4 newest first: the co-audit (30 Nov) before the conversation (29 Nov).
    assert ids(home["R4"]) == [co_audit, conversation]
    assert ids(home["W7"]) == [measured, feedback]


def test_labels_say_what_each_is_in_a_few_words_with_codes_for_people(app, db, org, held):
    home = suggested(app, db, org.care_home)
    care = suggested(app, db, org.homecare)

    def label(items, record):
        return next(s for s in items if s.id == str(record.uuid))

    quis = label(home["C2"], held["quis"])
    assert quis.label == "QUIS observation, Lounge, 3 Dec 2026: 10 interactions, 70% positive"
    assert quis.when == date(2026, 12, 3)
    assert quis.url == f"/quis/sessions/{held['quis'].uuid}"
    assert label(care["S6"], held["visit"]).label == (
        "Monitoring visit, 2 Dec 2026: unannounced, H01, 85% (green)"
    )
    assert label(home["E1"], held["audit"]).label == (
        "Audit, Care plan audit, 1 Dec 2026: R01, 87.5% (amber)"
    )
    assert label(home["R4"], held["co_audit"]).label == (
        "Co-audit with a person who uses the service, Care plan audit, 30 Nov 2026: R01"
    )
    assert label(home["R4"], held["conversation"]).label == (
        "Conversation (people's voice), 29 Nov 2026: R01, asked"
    )
    assert label(home["S1"], held["measured"]).label == (
        "Action, 28 Nov 2026: Retrain the lunch team on offering choices… "
        "(open; difference made measured)"
    )
    assert (
        label(home["S5"], held["plain"]).label == "Action, 1 Oct 2026: Fix the lounge door. (done)"
    )
    feedback = label(home["W7"], held["feedback"])
    assert feedback.label == (
        "Feedback to a care worker after a QUIS observation, acknowledged, 27 Nov 2026"
    )
    assert feedback.as_json() == {
        "kind": "feedback",
        "id": str(held["feedback"].uuid),
        "label": feedback.label,
        "date": "2026-11-27",
        "url": f"/feedback/{held['feedback'].uuid}",
    }
    everything = [s.label for items in home.values() for s in items]
    assert [t for t in everything if len(t) > 110] == []
    assert not any("Carla" in text or "Mo Manager" in text for text in everything)


def test_the_quis_trend_is_the_dashboards_figure_for_the_90_days_counting_leads_only(
    app, db, org, held
):
    [trend] = [s for s in suggested(app, db, org.care_home)["C1"] if s.kind == "quis_trend"]
    # Counted: 3 Dec and the pair's lead (2 Dec); not the draft, the second observer, 1 Jun.
    assert trend.label == "QUIS, 90 days to 6 Dec 2026: 20 interactions in 2 sessions, 70% positive"
    assert trend.id == str(org.care_home.uuid)
    assert trend.when == TODAY
    assert trend.url == (
        f"/dashboards/quis?service={org.care_home.uuid}&date_from=2026-09-08&date_to=2026-12-06"
    )
    with app.test_request_context():
        from careobs.dashboards import quis as dashboard
        from careobs.dashboards.filters import whole_services

        scope = whole_services(db, org.org.id, [org.care_home.id], date(2026, 9, 8), TODAY)
        totals, _ = dashboard.tables(db, scope)
    assert (totals.sessions, totals.n) == (2, 20)


def test_drafts_second_observers_other_services_and_last_year_are_never_suggested(
    app, db, org, held
):
    home = suggested(app, db, org.care_home)
    everything = {s.id for items in home.values() for s in items}
    for name in ("quis_draft", "quis_second", "quis_other_org", "quis_last_year", "visit"):
        assert str(held[name].uuid) not in everything, name
    for name in ("quis", "quis_old", "quis_lead"):
        assert str(held[name].uuid) in everything, name
    assert str(held["feedback_unread"].uuid) not in everything  # released, not acknowledged
    care = suggested(app, db, org.homecare)
    care_ids = {s.id for items in care.values() for s in items}
    assert str(held["visit_draft"].uuid) not in care_ids
    assert not any(
        s.kind in ("quis_session", "quis_trend") for items in care.values() for s in items
    )


def test_each_statement_gets_at_most_ten_of_a_kind_the_newest(app, db, org):
    sessions = [quis_session(db, org, at(11, day)) for day in range(1, 13)]
    home = suggested(app, db, org.care_home)
    listed = [s for s in home["C2"] if s.kind == "quis_session"]
    assert len(listed) == PER_KIND
    assert ids(listed) == [str(s.uuid) for s in reversed(sessions)][:PER_KIND]


def test_one_query_per_kind_however_many_records(app, db, org, held):
    for day in range(1, 20):
        quis_session(db, org, at(10, day))
    statements = []

    def count(*args):
        statements.append(args[2])

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        suggested(app, db, org.care_home)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # Six kinds, the visits' checklist domains, the time zone, the QUIS trend's two passes.
    assert len(statements) <= 11, statements


def test_describe_keeps_the_order_and_says_what_is_no_longer_held(app, db, org, other, held):
    gone = str(uuid.uuid4())
    refs = [
        {"kind": "audit", "id": str(held["audit"].uuid)},
        {"kind": "quis_session", "id": gone},
        {"kind": "quis_trend", "id": str(org.care_home.uuid)},
        {"kind": "quis_session", "id": str(held["quis_other_org"].uuid)},
        {"kind": "feedback", "id": str(held["feedback"].uuid)},
    ]
    with app.test_request_context():
        found = describe(db, org.care_home, refs, until=TODAY)
    assert [(s.kind, s.id, s.held) for s in found] == [
        ("audit", refs[0]["id"], True),
        ("quis_session", gone, False),
        ("quis_trend", str(org.care_home.uuid), True),
        ("quis_session", refs[3]["id"], False),
        ("feedback", refs[4]["id"], True),
    ]
    assert found[0].label == "Audit, Care plan audit, 1 Dec 2026: R01, 87.5% (amber)"
    assert found[1].label == "QUIS observation: no longer held"
    assert found[1].url is None
    assert found[2].label.startswith("QUIS, 90 days to 6 Dec 2026: 20 interactions")


def test_a_record_purged_after_it_was_chosen_is_shown_as_no_longer_held(app, db, org, held):
    session = held["quis"]
    ref = {"kind": "quis_session", "id": str(session.uuid)}
    with app.test_request_context():
        [before] = describe(db, org.care_home, [ref])
    db.delete(session)
    db.commit()
    with app.test_request_context():
        [after] = describe(db, org.care_home, [ref])
    assert before.held and before.label.startswith("QUIS observation, Lounge, 3 Dec 2026")
    assert (after.held, after.label) == (False, "QUIS observation: no longer held")
