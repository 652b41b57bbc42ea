"""Audits in the evidence pack: the demo's year at Rosewood House, under the statements each
template names, with its counts, its subjects' latest ratings and its failed items."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from careobs.audits import due, schedules, starter
from careobs.audits.demo import NO_GAPS
from careobs.audits.models import Audit
from careobs.checklists.models import Checklist, ChecklistVersion
from careobs.db import get_session
from careobs.demo import RIVERSIDE, ROSEWOOD
from careobs.evidence import pdf
from careobs.evidence.pack import CHECKED, FOUND, build
from careobs.org.models import Service
from careobs.org.settings import time_zone
from careobs.periods import local_midnight
from tests.support.audits import CARE_PLAN, MAR, audit_doc, person, starter_templates
from tests.support.pdf import pdf_text
from tests.support.sync import iso


def _pack(app, service, period):
    with app.test_request_context():
        session = get_session()
        return build(session, session.get(Service, service.id), *period, period[1])


def _statements(pack) -> dict[str, list]:
    return {s.code: s.items for section in pack.sections for s in section.statements}


def _audits(db, service, period, template: str | None = None) -> int:
    zone = time_zone(db, service.organisation_id)
    query = (
        sa.select(sa.func.count())
        .select_from(Audit)
        .join(ChecklistVersion, ChecklistVersion.id == Audit.checklist_version_id)
        .join(Checklist, Checklist.id == ChecklistVersion.checklist_id)
        .where(
            Audit.service_id == service.id,
            Audit.status == "submitted",
            Audit.started_at >= local_midnight(period[0], zone),
            Audit.started_at < local_midnight(period[1] + timedelta(days=1), zone),
        )
    )
    if template:
        query = query.where(Checklist.name == template)
    return db.scalar(query)


def test_each_template_is_under_every_statement_it_names(app, db, demo, period):
    pack = _pack(app, demo[ROSEWOOD], period)
    found = _statements(pack)

    for template in starter.TEMPLATES:
        for code in template.cqc_statements:
            titles = [(i.kind, i.title) for i in found[code]]
            assert (CHECKED, template.name) in titles, (template.name, code)
            assert (FOUND, f"{template.name}: most often failed items") in titles
            assert (FOUND, f"{template.name}: latest rating of each subject") in titles
        # The score trend once, under the first statement; the others point to it.
        first = template.cqc_statements[0]
        trend = next(i for i in found[first] if i.title == f"{template.name}: scores by month")
        assert trend.table is not None and len(trend.table.rows) >= 12
        for code in template.cqc_statements[1:]:
            pointer = next(i for i in found[code] if i.title == f"{template.name}: scores by month")
            assert pointer.table is None and first in pointer.text


def test_counts_and_rating_split_match_the_audits(app, db, demo, period):
    service = demo[ROSEWOOD]
    pack = _pack(app, service, period)
    found = _statements(pack)

    assert pack.counts["audits"] == _audits(db, service, period) > 300
    assert ("Audits", str(pack.counts["audits"])) in pack.summary
    name = starter.MEDICINES_RECORDS.name
    checked = next(i for i in found["S8"] if i.title == name)
    facts = dict(checked.facts)
    assert facts["Audits"] == str(_audits(db, service, period, name))
    latest = next(i for i in found["S8"] if i.title == f"{name}: latest rating of each subject")
    [row] = latest.table.rows
    assert row[2] == 18 and sum(row[3:7]) == 18  # every person's MAR, once, by its latest
    split = re.findall(r"(\d+) (green|amber|red|unscored)", facts["Latest rating of each subject"])
    assert sum(int(n) for n, _ in split) == 18


def test_the_mar_gaps_are_among_the_failed_items(app, db, demo, period):
    pack = _pack(app, demo[ROSEWOOD], period)
    name = starter.MEDICINES_RECORDS.name
    failed = next(
        i for i in _statements(pack)["S8"] if i.title == f"{name}: most often failed items"
    )

    rows = {row[0]: row for row in failed.table.rows}
    assert NO_GAPS in rows
    rated, not_met, partly, met = rows[NO_GAPS][2:6]
    assert not_met > 0 and not_met + partly + met == rated


def test_no_person_supported_appears_and_the_pdf_has_the_audits(app, db, demo, period):
    pack = _pack(app, demo[ROSEWOOD], period)
    audit_items = [
        i
        for items in _statements(pack).values()
        for i in items
        if any(i.title.startswith(t.name) for t in starter.TEMPLATES)
    ]
    assert audit_items
    for item in audit_items:
        cells = [str(c) for row in (item.table.rows if item.table else []) for c in row]
        text = " ".join([item.text, *cells, *(v for _, v in item.facts)])
        assert not re.search(r"\bR\d\d\b", text), item.title

    text = pdf_text(pdf.render(pack, "test"))
    assert starter.CARE_PLAN.name in text and "most often failed items" in text


def test_a_service_auditing_one_person_shows_the_others_missed(app, db, demo, period):
    """Riverside Homecare audits H02's care plan monthly, each compared with H02's co-audit
    (careobs.coaudits.demo), and H03's once (the audit its quality checker is given to
    co-audit, careobs.checkers.demo); its care plan audit is scheduled from three weeks ago,
    every 30 days: each other person's first care plan audit fell due and was missed. The
    co-audits count in none of these figures: thirteen audits, not twenty-five."""
    pack = _pack(app, demo[RIVERSIDE], period)

    assert pack.counts["audits"] == 13 and pack.counts["co_audits"] == 12
    items = [i for items in _statements(pack).values() for i in items]
    audit_titles = {i.title for i in items if i.title.startswith(starter.CARE_PLAN.name)}
    assert f"{starter.CARE_PLAN.name}: done on time" in audit_titles
    assert not any(i.title.startswith(starter.MEDICINES_RECORDS.name) for i in items)
    item = next(i for i in items if i.title == f"{starter.CARE_PLAN.name}: done on time")
    facts = dict(item.facts)
    fell_due, missed = int(facts["Fell due"]), int(facts["Late or missed"])
    on_time = int(facts["Done on time"].split()[0])
    assert facts["Fell due"] == facts["Subjects"] and fell_due > 1
    assert on_time + missed == fell_due and on_time <= 1
    assert item.text.startswith(f"{on_time} of {fell_due} care plan audits due ")


def test_each_scheduled_template_gives_its_on_time_compliance(app, db, demo, period):
    """At Rosewood House all four templates are scheduled: under each statement a template
    names, its on-time figures, the same as the due list's own count; the months under the first
    statement add up to them."""
    service = demo[ROSEWOOD]
    pack = _pack(app, service, period)
    found = _statements(pack)
    with app.app_context():
        session = get_session()
        items = due.service_due(session, session.get(Service, service.id), period[1])

        for template in starter.TEMPLATES:
            title = f"{template.name}: done on time"
            mine = [i for i in items if i.template.name == template.name]
            on_time, fell_due = due.on_time_rate(mine, *period)
            first, *others = template.cqc_statements
            [item] = [i for i in found[first] if i.title == title]
            facts = dict(item.facts)
            assert (facts["Fell due"], facts["Subjects"]) == (str(fell_due), str(len(mine)))
            assert facts["Done on time"].startswith(f"{on_time} (")
            assert int(facts["Late or missed"]) == fell_due - on_time
            assert item.text.startswith(f"{on_time} of {fell_due} ")
            rows = item.table.rows
            assert len(rows) == 13  # a year by month: 7 Dec to 6 Dec is 13 months, two in part
            assert (sum(r[2] for r in rows), sum(r[1] for r in rows)) == (on_time, fell_due)
            for code in others:
                [pointer] = [i for i in found[code] if i.title == title]
                assert pointer.table is None and f"By month under {first}" in pointer.text
                assert pointer.facts == item.facts
            # Right after the template's own "what was checked".
            titles = [i.title for i in found[first]]
            assert titles[titles.index(template.name) + 1] == title


def test_on_time_compliance_by_hand(app, db, org, client_as, monkeypatch):
    """Acme Care House, 1 Sep – 30 Nov 2026, today 30 Nov; the care plan audit every 30 days
    from 1 Sep for R01 and R02. R01: done 1 Sep (on time), 5 Oct (due 1 Oct: late), then due
    4 Nov and not done (missed). R02: never done, so 1 Sep, 1 Oct and 31 Oct missed (30 Nov is
    today: not late yet). Sep 1 of 2, Oct 0 of 3, Nov 0 of 1: 1 of 6. The medicines records
    audit is done but not scheduled, and says so."""
    monkeypatch.setattr(
        "careobs.dashboards.audits.utcnow", lambda: datetime(2026, 11, 30, 12, tzinfo=UTC)
    )
    templates = starter_templates(app, db, org.org.id)
    with app.app_context():
        session = get_session()
        template = session.scalar(
            sa.select(Checklist).where(
                Checklist.organisation_id == org.org.id, Checklist.name == starter.CARE_PLAN.name
            )
        )
        schedules.add_schedule(
            session,
            session.get(Service, org.care_home.id),
            template,
            30,
            date(2026, 9, 1),
            org.manager,
        )
        session.commit()
    sync = client_as(org.supervisor)
    for name, day in ((CARE_PLAN, 1), (CARE_PLAN, 35), (MAR, 35)):  # 1 Sep, 5 Oct, 5 Oct
        when = datetime(2026, 9, 1, 9, tzinfo=UTC) + timedelta(days=day - 1)
        doc = audit_doc(
            org.care_home, templates[name], person("R01"), started_at=iso(when), ended_at=iso(when)
        )
        assert sync(doc)[0]["status"] == "created"

    pack = _pack(app, org.care_home, (date(2026, 9, 1), date(2026, 11, 30)))
    found = _statements(pack)

    first = starter.CARE_PLAN.cqc_statements[0]
    [item] = [i for i in found[first] if i.title == f"{CARE_PLAN}: done on time"]
    assert item.text == (
        "1 of 6 care plan audits due 1 Sep – 30 Nov 2026 were done by their due date (17%)."
    )
    assert item.facts == [
        ("Scheduled", "every 30 days"),
        ("Subjects", "2"),
        ("Fell due", "6"),
        ("Done on time", "1 (16.7%)"),
        ("Late or missed", "5"),
    ]
    assert [c.key for c in item.table.columns][:4] == ["period", "fell_due", "on_time", "late"]
    assert [row[:4] for row in item.table.rows] == [
        ["Sep 2026", 2, 1, 1],
        ["Oct 2026", 3, 0, 3],
        ["Nov 2026", 1, 0, 1],
    ]
    mar = starter.MEDICINES_RECORDS
    [checked] = [i for i in found[mar.cqc_statements[0]] if i.title == MAR]
    assert "not on a schedule in this service" in checked.text
    everywhere = [i.title for items in found.values() for i in items]
    assert f"{MAR}: done on time" not in everywhere
    assert f"{starter.BEHAVIOUR_AND_INCIDENTS.name}: done on time" not in everywhere
