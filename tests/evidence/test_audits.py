"""Audits in the evidence pack: the demo's year at Rosewood House, under the statements each
template names, with its counts, its subjects' latest ratings and its failed items."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from careobs.audits import starter
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
from tests.support.pdf import pdf_text


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


def test_a_service_without_audits_has_none_in_its_pack(app, db, demo, period):
    pack = _pack(app, demo[RIVERSIDE], period)

    assert pack.counts["audits"] == 0
    titles = [i.title for items in _statements(pack).values() for i in items]
    assert not any(t.startswith(starter.CARE_PLAN.name) for t in titles)
