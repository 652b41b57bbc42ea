"""The evidence pack's content for the demo services: every key question, the right counts."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from careobs.actions.cqc import QUALITY_STATEMENTS
from careobs.actions.models import Action
from careobs.audits.starter import CARE_PLAN
from careobs.db import get_session
from careobs.demo import RIVERSIDE, ROSEWOOD, STAFF
from careobs.evidence import pdf
from careobs.evidence.pack import CHANGED, DONE, build
from careobs.feedback.models import Feedback
from careobs.org.models import Service
from careobs.org.settings import time_zone
from careobs.periods import local_midnight
from careobs.quis.models import COUNTED, QuisSession
from careobs.visits.models import MonitoringVisit
from careobs.voice.questions import QUESTIONS
from tests.support.pdf import page_count, pdf_text


def _pack(app, service, period):
    """The pack, built in a request context (coverage links pages) whose session is closed
    with it; the test reads the database through its own ``db`` session."""
    with app.test_request_context():
        session = get_session()
        return build(session, session.get(Service, service.id), *period, period[1])


def _window(db, service, period):
    zone = time_zone(db, service.organisation_id)
    return local_midnight(period[0], zone), local_midnight(period[1] + timedelta(days=1), zone)


def _count(db, model, *where) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def statements(pack) -> dict[str, list]:
    return {s.code: s.items for section in pack.sections for s in section.statements}


def test_care_home_pack_counts_sessions_and_actions_under_each_key_question(app, db, demo, period):
    service = demo[ROSEWOOD]
    pack = _pack(app, service, period)
    start, end = _window(db, service, period)
    sessions = _count(
        db,
        QuisSession,
        QuisSession.service_id == service.id,
        QuisSession.status == "submitted",
        COUNTED,  # a paired observation once (the demo has some)
        QuisSession.started_at >= start,
        QuisSession.started_at < end,
    )
    assert sessions > 20
    assert pack.counts["sessions"] == sessions
    assert pack.counts["actions"] == _count(db, Action, Action.service_id == service.id)
    assert [s.question for s in pack.sections] == list(QUALITY_STATEMENTS)
    found = statements(pack)
    assert {"C1", "C2", "W5", "W7"} <= found.keys()
    assert not found.get("S6")  # no monitoring visits in a care home (self-assessed only)
    assert ("Sessions", str(sessions)) in found["C1"][0].facts
    # an action tagged C1 is listed under Caring too, and every action under Well-led
    tagged = next(i for i in found["C1"] if i.kind == DONE)
    c1 = [a.description for a in db.scalars(sa.select(Action)) if "C1" in a.cqc_tags]
    assert c1 and sorted(r[0] for r in tagged.table.rows) == sorted(c1)
    w7_actions = next(i for i in found["W7"] if i.kind == DONE and i.table is not None)
    assert len(w7_actions.table.rows) == pack.counts["actions"]


def test_homecare_pack_counts_visits_and_tags_them_to_safe_and_effective(app, db, demo, period):
    service = demo[RIVERSIDE]
    pack = _pack(app, service, period)
    start, end = _window(db, service, period)
    visits = _count(
        db,
        MonitoringVisit,
        MonitoringVisit.service_id == service.id,
        MonitoringVisit.status == "submitted",
        MonitoringVisit.planned_at >= start,
        MonitoringVisit.planned_at < end,
    )
    assert visits > 10
    assert pack.counts["visits"] == visits
    released = _count(
        db,
        Feedback,
        Feedback.service_id == service.id,
        Feedback.status == "released",
        Feedback.released_at >= start,
        Feedback.released_at < end,
    )
    assert pack.counts["feedback_released"] == released
    found = statements(pack)
    assert {"S6", "S7", "S8", "E6", "W5", "W7"} <= found.keys()
    # No QUIS in homecare: C1 holds only what people said when asked (issue 16's "I" statements).
    said = {f"“{q.text}”" for q in QUESTIONS}
    assert {i.title for i in found.get("C1", [])} <= said
    # C2 otherwise only from the care plan audit: its schedule (issue 15: on-time compliance),
    # the manager's monthly audits of H02 (the co-audit demo, issue 16) and the actions raised
    # from differences with H02's co-audits, which carry the template's statements.
    assert {i.title for i in found.get("C2", [])} - said == {
        f"{CARE_PLAN.name}: done on time",
        CARE_PLAN.name,
        f"{CARE_PLAN.name}: latest rating of each subject",
        f"{CARE_PLAN.name}: scores by month",
        f"{CARE_PLAN.name}: most often failed items",
        "Actions tagged with this statement",
    }
    assert found["S7"][0].table.rows[0][0] == "Infection prevention and control"
    # the care worker list of coverage (names) is not in the pack, only its headline
    keys = {i.table.key for items in found.values() for i in items if i.table is not None}
    assert "workers" not in keys


def test_what_changed_compares_the_measure_before_and_after(app, db, demo, period):
    pack = _pack(app, demo[ROSEWOOD], period)
    changed = next(i for i in statements(pack)["W7"] if i.kind == CHANGED)
    assert changed.table.rows, "the demo's mealtime action names a measure"
    row = changed.table.rows[0]
    assert row[2] == "Negative interactions (QUIS), mealtime at Rosewood House"
    assert row[5] > 0 and row[9] > 0  # n before and after
    assert row[6] > 1 and row[10] > 1  # k sessions before and after


def test_an_empty_period_still_has_every_key_question(app, db, demo, period):
    first = period[0] - timedelta(days=3 * 365)
    pack = _pack(app, demo[RIVERSIDE], (first, first + timedelta(days=30)))
    assert [s.question for s in pack.sections] == list(QUALITY_STATEMENTS)
    assert pack.counts["visits"] == 0
    assert pack.counts["actions"] == 0
    assert pdf.render(pack, "now").startswith(b"%PDF")


def test_pdf_has_the_same_sections_numbered_pages_and_no_worker_figures(app, db, demo, period):
    pack = _pack(app, demo[RIVERSIDE], period)
    body = pdf.render(pack, "27 Nov 2026, 10:00")
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
    text = pdf_text(body)
    pages = page_count(body)
    assert pages >= 2
    assert re.search(rf"Page {pages} of\s+{pages}", text)
    for question in QUALITY_STATEMENTS:
        assert question in text
    assert "S7 Infection prevention and control" in text
    assert "Evidence pack: Riverside Homecare" in text
    owners = {
        row[1]
        for items in statements(pack).values()
        for item in items
        if item.kind == DONE and item.table is not None
        for row in item.table.rows
    }
    for name, *_ in STAFF[RIVERSIDE]:
        if name not in owners:
            assert name not in text, f"{name} appears in the PDF but owns no action"
