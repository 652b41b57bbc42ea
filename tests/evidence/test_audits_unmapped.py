"""Audits of a template that names no CQC quality statement are in the evidence pack: counted in
its total and shown under "Audits not mapped to a quality statement", with a note to map the
template. The audits under statements and those not mapped add up to the audits in the period,
each counted once however many statements its template names."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.audits import starter
from careobs.audits.schedules import add_schedule
from careobs.checklists.models import Checklist
from careobs.db import get_session
from careobs.demo import RIVERSIDE, ROSEWOOD
from careobs.evidence import pdf
from careobs.evidence.pack import CHECKED, FOUND
from careobs.org.models import Service
from tests.evidence.test_audits import _audits, _pack, _statements
from tests.support.audits import CARE_PLAN, MAR, audit_doc, person, starter_templates
from tests.support.pdf import pdf_text
from tests.support.sync import iso

TITLE = "Audits not mapped to a quality statement"
SEP_TO_NOV = (date(2026, 9, 1), date(2026, 11, 30))


def unmap(app, db, organisation_id: int, name: str) -> None:
    """Take every quality statement off the template, as an admin may."""
    with app.app_context():
        session = get_session()
        template = session.scalar(
            sa.select(Checklist).where(
                Checklist.organisation_id == organisation_id, Checklist.name == name
            )
        )
        template.cqc_statements = []
        session.commit()


def audited(org, client_as, templates) -> None:
    """Acme's care home: care plans of R01 on 1 Sep and 5 Oct and of R02 on 5 Oct (the care plan
    audit maps to no statement), and R01's MAR on 5 Oct (it names S8, S1 and E6)."""
    sync = client_as(org.supervisor)
    for name, code, day in ((CARE_PLAN, "R01", 1), (CARE_PLAN, "R01", 35), (CARE_PLAN, "R02", 35)):
        when = datetime(2026, 9, 1, 9, tzinfo=UTC) + timedelta(days=day - 1)
        doc = audit_doc(
            org.care_home, templates[name], person(code), started_at=iso(when), ended_at=iso(when)
        )
        assert sync(doc)[0]["status"] == "created"
    when = iso(datetime(2026, 10, 5, 11, tzinfo=UTC))
    doc = audit_doc(org.care_home, templates[MAR], person("R01"), started_at=when, ended_at=when)
    assert sync(doc)[0]["status"] == "created"


def test_audits_of_an_unmapped_template_are_counted_and_shown(app, db, org, client_as):
    templates = starter_templates(app, db, org.org.id)
    unmap(app, db, org.org.id, CARE_PLAN)
    audited(org, client_as, templates)

    pack = _pack(app, org.care_home, SEP_TO_NOV)

    # 3 care plan audits not mapped + 1 MAR audit (under three statements, counted once) = 4.
    assert (
        pack.counts["audits"],
        pack.counts["audits_mapped"],
        pack.counts["audits_unmapped"],
    ) == (4, 1, 3)
    assert _audits(db, org.care_home, SEP_TO_NOV) == 4
    assert ("Audits", "4 (1 under quality statements, 3 not mapped)") in pack.summary
    assert pack.audits_note == (
        "Each of the 4 audits is counted once in the total, even when its template evidences "
        "several quality statements and so is shown under each of them: 1 under quality "
        f"statements and 3 of templates not mapped to one, shown under “{TITLE}”."
    )

    found = _statements(pack)
    for code in starter.MEDICINES_RECORDS.cqc_statements:  # S8, S1, E6: the MAR audit, each
        [checked] = [i for i in found[code] if i.title == MAR]
        assert dict(checked.facts)["Audits"] == "1"
    assert not any(i.title.startswith(CARE_PLAN) for items in found.values() for i in items)

    section = pack.unmapped_audits
    assert section.question == TITLE
    assert section.note == (
        "These audit templates name no CQC quality statement, so their evidence is shown here "
        "rather than under one. Their 3 audits are counted in the pack’s total of 4. Map each "
        "template to the quality statements it evidences (Checklists, then the template’s "
        "audit settings; an organisation admin can do this), and the next pack shows it there."
    )
    [template] = section.statements
    assert (template.code, template.name) == ("", CARE_PLAN)
    assert [(i.kind, i.title) for i in template.items] == [
        (CHECKED, CARE_PLAN),
        (FOUND, f"{CARE_PLAN}: latest rating of each subject"),
        (FOUND, f"{CARE_PLAN}: most often failed items"),
        (FOUND, f"{CARE_PLAN}: scores by month"),
    ]
    checked = template.items[0]
    assert checked.text == (
        "3 audits of 2 subjects with the care plan audit template. It is not on a schedule in "
        "this service, so no audit of it fell due."
    )
    assert dict(checked.facts)["Audits"] == "3"
    [row] = template.items[1].table.rows
    assert row[2] == 2  # R01 and R02, each once by its latest audit
    assert [r[0] for r in template.items[3].table.rows if r[1]] == ["Sep 2026", "Oct 2026"]

    text = pdf_text(pdf.render(pack, "test"))
    assert TITLE in text and "Their 3 audits are counted in the pack" in text
    assert "Each of the 4 audits is counted once in the total" in text


def test_the_pack_page_shows_the_unmapped_audits(app, db, org, client_as, login_as):
    templates = starter_templates(app, db, org.org.id)
    unmap(app, db, org.org.id, CARE_PLAN)
    audited(org, client_as, templates)
    client = login_as(org.manager)

    response = client.get(
        "/evidence/pack",
        query_string={
            "service": str(org.care_home.uuid),
            "date_from": "2026-09-01",
            "date_to": "2026-11-30",
        },
    )

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<a href="#unmapped-audits">Audits not mapped to a quality statement</a>' in html
    assert '<h2 id="unmapped-audits-title">Audits not mapped to a quality statement</h2>' in html
    assert '<h3 id="unmapped-1">Care plan audit</h3>' in html
    assert "<dd>4 (1 under quality statements, 3 not mapped)</dd>" in html
    assert "Each of the 4 audits is counted once in the total" in html


def test_when_every_template_is_mapped_there_is_no_such_section(app, db, org, client_as):
    templates = starter_templates(app, db, org.org.id)
    audited(org, client_as, templates)

    pack = _pack(app, org.care_home, SEP_TO_NOV)

    assert (pack.counts["audits"], pack.counts["audits_unmapped"]) == (4, 0)
    assert ("Audits", "4") in pack.summary
    assert pack.unmapped_audits is None
    assert pack.audits_note == (
        "Each of the 4 audits is counted once in the total, even when its template evidences "
        "several quality statements and so is shown under each of them."
    )
    assert TITLE not in pdf_text(pdf.render(pack, "test"))


def test_the_demo_adds_up_with_one_template_unmapped(app, db, demo, period):
    """Rosewood House's care plans unmapped: the total is still every audit in the year, and
    those not mapped are exactly its care plan audits. Riverside audits nothing but schedules
    its care plans: the section shows only that they fell due."""
    service = demo[ROSEWOOD]
    unmap(app, db, service.organisation_id, CARE_PLAN)

    pack = _pack(app, service, period)

    total = _audits(db, service, period)
    care_plans = _audits(db, service, period, CARE_PLAN)
    assert pack.counts["audits"] == total > care_plans > 0
    assert pack.counts["audits_unmapped"] == care_plans
    assert pack.counts["audits_mapped"] + pack.counts["audits_unmapped"] == total
    [template] = pack.unmapped_audits.statements
    assert dict(template.items[0].facts)["Audits"] == str(care_plans)
    assert [i.title for i in template.items][:2] == [CARE_PLAN, f"{CARE_PLAN}: done on time"]

    # Riverside audits H02's care plan monthly (careobs.coaudits.demo) and H03's once (for
    # its quality checker to co-audit, careobs.checkers.demo): thirteen staff audits, all
    # unmapped now; the co-audits compared with them are never counted.
    riverside = _pack(app, demo[RIVERSIDE], period)
    assert riverside.counts["audits"] == riverside.counts["audits_unmapped"] == 13
    [template] = riverside.unmapped_audits.statements
    assert [i.title for i in template.items][:2] == [CARE_PLAN, f"{CARE_PLAN}: done on time"]


def test_an_inactive_service_with_an_unmapped_schedule_and_no_audit(app, db, org):
    """A service made inactive keeps its schedule of an unmapped template, and nothing was
    audited in the period: its pack is made (no 500), with nothing due and no audits."""
    templates = starter_templates(app, db, org.org.id)
    unmap(app, db, org.org.id, CARE_PLAN)
    with app.app_context():
        session = get_session()
        service = session.get(Service, org.care_home.id)
        template = session.scalar(
            sa.select(Checklist).where(Checklist.uuid == uuid.UUID(templates[CARE_PLAN].id))
        )
        add_schedule(
            session, service, template, 30, date(2026, 9, 1), session.get(User, org.manager.id)
        )
        service.active = False
        session.commit()

    pack = _pack(app, org.care_home, (date(2026, 9, 1), date(2026, 11, 30)))

    assert pack.counts["audits"] == 0
    assert pack.unmapped_audits is None
