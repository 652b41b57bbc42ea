"""Co-audits in the figures: they change none of the staff audits' numbers (the audits
dashboard, "Audits due" and on-time, the evidence pack's audits) and have their own agreement
trend, checked against hand-computed values.

Acme Care House, care plan audits (14 items; critical 5, 6, 8, 11), scheduled every 30 days
from 1 September 2026. Staff audits by Mo Manager: S1 of R01 on 10 Sep (all Met), S2 of R02 on
5 Oct (item 0 Not met, item 1 Partly). Co-audits, others Met:

====  ======  ===========================  ===============  ========  ========  ===========
      day     ratings                      compared with    compared  agreeing  differences
====  ======  ===========================  ===============  ========  ========  ===========
C1    10 Sep  0, 2, 5★ Not met; 13 N/A      S1               13        10        0, 2, 5
C2    5 Oct   0 Not met; 3 Not met          S2 (checker)     14        12        1, 3
C3    6 Oct   0 Not met, 1 Partly, 4-13 N/A S2               4         4         —
C4    1 Nov   every item Not met           not arrived      —         —         —
====  ======  ===========================  ===============  ========  ========  ===========

September: 10 of 13 (one co-audit); October: 16 of 18 over two; November: none compared. In
all, 26 of 31 over 3 co-audits compared, 4 done, 5 differences; one followed up (C2's item 1).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from markupsafe import escape

from careobs.audits import due
from careobs.audits.schedules import add_schedule
from careobs.checklists.models import Checklist
from careobs.evidence import pack
from careobs.evidence.audits import audit_evidence
from careobs.quis.scoring import wilson_interval
from careobs.statistics import ClusterSums, cluster_interval, t_quantile, wilson_on
from tests.support.audits import CARE_PLAN, audit_doc, person
from tests.support.coaudits import co_audit, stored_audit
from tests.support.dashboards import headline as headline_of
from tests.support.dashboards import local
from tests.support.pdf import pdf_text
from tests.support.sync import SyncApi, iso

API = "/api/v1/dashboards/audits"
RANGE = {"date_from": "2026-09-01", "date_to": "2026-11-30", "grouping": "month"}
TODAY = date(2026, 11, 27)
CO_TABLES = {"coaudit_agreement", "coaudits_by_service"}


def at(when) -> dict:
    return {"started_at": iso(when), "ended_at": iso(when + timedelta(minutes=20))}


@pytest.fixture
def staff_audits(app, db, org, plan, login_as):
    template = db.scalar(
        sa.select(Checklist).where(
            Checklist.organisation_id == org.org.id, Checklist.name == CARE_PLAN
        )
    )
    with app.app_context():
        add_schedule(db, org.care_home, template, 30, date(2026, 9, 1), org.admin)
        db.commit()
    documents = [
        audit_doc(org.care_home, plan, person("R01"), **at(local(2026, 9, 10, 10))),
        audit_doc(
            org.care_home,
            plan,
            person("R02"),
            ratings={0: "not_met", 1: "partly"},
            **at(local(2026, 10, 5, 10)),
        ),
    ]
    results = SyncApi(login_as(org.manager))(*documents)
    assert [r["status"] for r in results] == ["created"] * 2
    return [stored_audit(db, d["id"]) for d in documents]


def add_co_audits(db, org, staff_audits):
    s1, s2 = staff_audits
    na_after_3 = {n: "na" for n in range(4, 14)}
    return [
        co_audit(
            db, s1, by=org.supervisor, ratings={0: "not_met", 2: "not_met", 5: "not_met", 13: "na"}
        ),
        co_audit(
            db,
            s2,
            by=org.manager,
            with_="quality_checker",
            code=None,
            ratings={0: "not_met", 3: "not_met"},
        ),
        co_audit(
            db,
            s2,
            by=org.manager,
            code="R02",
            started_at=s2.started_at + timedelta(days=1),
            ratings={0: "not_met", 1: "partly", **na_after_3},
        ),
        co_audit(
            db,
            None,
            by=org.manager,
            compare_with=uuid.uuid4(),
            version=s1.checklist_version,
            service=org.care_home,
            started_at=local(2026, 11, 1, 10),
            rating="not_met",
        ),
    ]


def staff_figures(db, org, client) -> dict:
    """Every staff-audit figure: the dashboard (less the co-audits' own), what is due, and the
    evidence pack's audits."""
    payload = client.get(API, query_string=RANGE).get_json()
    tables = {t["key"]: t["rows"] for t in payload["tables"] if t["key"] not in CO_TABLES}
    headline = {k: v for k, v in headline_of(payload).items() if k != "Co-audits"}
    db.expire_all()
    due_items = [
        (i.subject_text, i.last_done, i.due_on, i.status)
        for i in due.services_due(db, [org.care_home], TODAY)
    ]
    found = []
    counts: dict = {}
    scope = pack.scope_for(db, org.care_home, date(2026, 9, 1), date(2026, 11, 30))
    audit_evidence(db, scope, lambda code, item: found.append((code, repr(item))), counts, TODAY)
    return {"tables": tables, "headline": headline, "due": due_items, "pack": (found, counts)}


def test_co_audits_change_no_staff_audit_figure(db, org, staff_audits, login_as):
    manager = login_as(org.manager)
    before = staff_figures(db, org, manager)
    assert len(before["due"]) == 2 and before["pack"][1]["audits"] == 2
    add_co_audits(db, org, staff_audits)
    after = staff_figures(db, org, manager)
    assert after == before


def test_the_agreement_trend_per_month(db, org, staff_audits, login_as, plan):
    _, c2, _, _ = add_co_audits(db, org, staff_audits)
    manager = login_as(org.manager)
    followed = manager.post(
        f"/audits/{c2.uuid}/comparison/follow-up", data={"item": plan.items[1].key.hex}
    )
    assert followed.status_code == 302
    payload = manager.get(API, query_string=RANGE).get_json()
    tables = {t["key"]: t for t in payload["tables"]}
    trend = tables["coaudit_agreement"]
    assert trend["title"] == "Co-audits: do people agree with our audits?"
    rows = trend["rows"]
    assert [r[:4] for r in rows] == [
        ["Sep 2026", 1, 13, 10],
        ["Oct 2026", 2, 18, 16],
        ["Nov 2026", 0, 0, 0],
    ]
    assert sum(r[1] for r in rows) == 3  # the rows add up to the co-audits compared
    assert rows[0][4] == pytest.approx(10 / 13)
    assert rows[1][4] == pytest.approx(16 / 18)
    assert rows[2][4] is None and rows[2][7] == "no co-audit compared"
    # September: one co-audit, so its own Wilson interval.
    sept = wilson_interval(10, 13)
    assert rows[0][5:7] == [pytest.approx(sept.low), pytest.approx(sept.high)]
    # October, by hand: p = 16/18; residuals 12 − p·14 = −4/9 and 4 − p·4 = 4/9;
    # V = 2/1 · (32/81) / 18² = 0.0024387; p(1−p)/18 = 0.0054870; deff = 0.444 < 1, taken as 1:
    # Wilson on n = 18 with t on 1 degree of freedom (12.706).
    p = 16 / 18
    variance = 2 * (2 * (4 / 9) ** 2) / 18**2
    assert variance == pytest.approx(0.0024387, rel=1e-4)
    assert variance / (p * (1 - p) / 18) == pytest.approx(4 / 9)
    assert t_quantile(1) == pytest.approx(12.706, abs=1e-3)
    october = wilson_on(p, 18, 12.706204736)
    assert rows[1][5:7] == [
        pytest.approx(october.low, abs=1e-6),
        pytest.approx(october.high, abs=1e-6),
    ]
    pooled = cluster_interval(ClusterSums.of([(12, 14), (4, 4)]))
    assert (pooled.low, pooled.high) == (pytest.approx(october.low), pytest.approx(october.high))
    assert "88.9% of 18 items compared (95% range" in rows[1][7]
    assert rows[1][7].endswith("over 2 co-audits")
    by_service = tables["coaudits_by_service"]["rows"]
    assert by_service == [["Acme Care House", 4, 3, pytest.approx(26 / 31), 5, 1, 0]]
    assert [r[8] for r in rows] == [0, 0, 0]  # none arrived with nothing to compare
    figures = headline_of(payload)
    assert figures["Co-audits"].startswith(
        "4 done; agreement 83.9% of 31 items compared (95% range "
    )
    assert figures["Co-audits"].endswith("over 3 co-audits")
    # The CSV is the same table.
    csv = manager.get("/dashboards/audits.csv", query_string=RANGE | {"table": "coaudit_agreement"})
    assert csv.status_code == 200
    lines = csv.get_data(as_text=True).splitlines()
    assert lines[1].startswith("Sep 2026,1,13,10,76.9")
    # The page shows it, with the rule in words.
    page = manager.get("/dashboards/audits", query_string=RANGE).get_data(as_text=True)
    assert "Co-audits: do people agree with our audits?" in page
    assert "items either answered N/A or Not sure are not compared" in page


def test_the_evidence_pack_has_its_co_audits_section_on_the_page_and_the_pdf(
    db, org, staff_audits, login_as, plan
):
    _, c2, _, _ = add_co_audits(db, org, staff_audits)
    manager = login_as(org.manager)
    follow = manager.post(
        f"/audits/{c2.uuid}/comparison/follow-up", data={"item": plan.items[1].key.hex}
    )
    assert follow.status_code == 302
    query = f"service={org.care_home.uuid}&date_from=2026-09-01&date_to=2026-11-30"
    page = manager.get(f"/evidence/pack?{query}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Co-audits with people who use the service" in html
    assert "4 audits were done with a person who uses the service" in html
    assert "3 of them compared item by item" in html
    assert "83.9% of 31 items compared (95% range" in html
    # Disagreed on: item 0 (C1), 1 (C2), 2 (C1), 3 (C2), 5 (C1), once each, by wording.
    table = html[html.index("Co-audits: the items most often disagreed on") :]
    texts = sorted(str(escape(plan.items[n].text)) for n in (0, 1, 2, 3, 5))
    positions = [table.index(t) for t in texts]
    assert positions == sorted(positions)
    assert (
        "5 differences between the co-audits and our audits; 1 followed up with an action." in html
    )
    assert "1 open." in html
    # No person supported by code, no staff name in the section.
    section = html[html.index("Co-audits with people who use the service") :]
    section = section[: section.index("</section>")] if "</section>" in section else section
    assert "R01" not in section and "R02" not in section and "Mo Manager" not in section
    pdf = manager.get(f"/evidence/pack.pdf?{query}")
    assert pdf.status_code == 200
    text = " ".join(pdf_text(pdf.get_data()).split())
    assert "Co-audits with people who use the service" in text
    assert "the items most often disagreed on" in text
