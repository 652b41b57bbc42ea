"""The latest self-assessment in the evidence pack: its ratings, chart and action plan on the
page and in the PDF (the same Pack), each statement's own score under its section, the one
chosen by the period's last day in the organisation's time zone, and no one's personal data."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from careobs.db import get_session
from careobs.demo import DEMO_PASSWORD, ROSEWOOD, STAFF
from careobs.evidence.pack import build
from careobs.evidence.selfassess import CHART_TITLE, NO_ACTION
from careobs.org.models import Person, Service
from careobs.selfassess import demo as selfassess_demo
from careobs.selfassess.ratings import THRESHOLD_NOTE
from tests.clock import local_today
from tests.evidence.test_charts import pdf_drawing
from tests.support.pdf import pdf_text
from tests.support.selfassess import self_assessment_doc

WELL_LED_NOW = [
    "Well-led",
    "8 of 8",
    "23 of 32",
    "72%",
    "Good",
    "Good, lower threshold (63-75%), nearer to requires improvement",
]
WELL_LED_BEFORE = [
    "Well-led",
    "8 of 8",
    "18 of 32",
    "56%",
    "Requires improvement",
    "Requires improvement, upper threshold (51-62%), nearing good",
]
R5_LINE = "Self-assessed: 2 — Some shortfalls"


def _pack(app, service, first, last):
    with app.test_request_context():
        db = get_session()
        return build(db, db.get(Service, service.id), first, last, last)


def _rows(table) -> list[list[str]]:
    return [table.cells(row) for row in table.rows]


def _second_day() -> date:
    return local_today() - timedelta(days=selfassess_demo.SECOND_DAYS_AGO)


def test_the_pack_has_the_latest_self_assessment_with_ratings_and_action_plan(app, demo, period):
    part = _pack(app, demo[ROSEWOOD], *period).self_assessment
    assert not part.missing
    assert part.heading == f"Self-assessment, {_second_day():%-d %b %Y}"
    assert part.facts == [
        ("Type", "Self-assessment"),
        ("Carried out", f"{_second_day():%-d %b %Y}"),
        ("Assessor", "Priya Shah"),
        ("Statements assessed", "34 of 34"),
    ]
    rows = _rows(part.key_questions)
    assert [r[0] for r in rows] == ["Safe", "Effective", "Caring", "Responsive", "Well-led"]
    assert rows[-1] == WELL_LED_NOW
    assert rows[2][1:5] == ["5 of 5", "16 of 20", "80%", "Good"]  # C1 scored 4 now
    assert part.items[1].text == THRESHOLD_NOTE
    assert part.gaps_text == (
        "2 gaps (quality statements scored 1 or 2): 1 with an action (0 done), "
        "1 with no action yet."
    )
    due = _second_day() + timedelta(days=60)
    assert _rows(part.gaps) == [
        ["R5 Equity in access", "2 — Some shortfalls", NO_ACTION, "—", "—", "—"],
        [
            "W8 Environmental sustainability – sustainable development",
            "2 — Some shortfalls",
            selfassess_demo.SECOND_ACTION[1],
            "Jo Evans",
            f"{due:%-d %b %Y}",
            "Open",
        ],
    ]
    assert part.statements["R5"].line == R5_LINE
    assert part.statements["W3"].line == "Self-assessed: 3 — Good standard"
    assert part.statements["W3"].rationale == selfassess_demo.SECOND["W3"][1]


def test_a_period_ending_before_the_second_shows_the_first_with_all_its_gaps_actioned(app, demo):
    last = _second_day() - timedelta(days=1)
    part = _pack(app, demo[ROSEWOOD], last - timedelta(days=364), last).self_assessment
    first_day = local_today() - timedelta(days=selfassess_demo.FIRST_DAYS_AGO)
    assert part.heading == f"Self-assessment, {first_day:%-d %b %Y}"
    assert _rows(part.key_questions)[-1] == WELL_LED_BEFORE
    assert part.gaps_text == (
        "6 gaps (quality statements scored 1 or 2): 6 with an action (5 done), "
        "0 with no action yet."
    )
    assert [r[0][:2] for r in _rows(part.gaps)] == ["S5", "W2", "W3", "W5", "W7", "W8"]
    assert NO_ACTION not in {r[2] for r in _rows(part.gaps)}
    assert [r[5] for r in _rows(part.gaps)] == ["Done"] * 5 + ["In progress"]


def test_a_period_ending_before_any_self_assessment_says_there_is_none(app, demo):
    last = local_today() - timedelta(days=selfassess_demo.FIRST_DAYS_AGO + 1)
    pack = _pack(app, demo[ROSEWOOD], last - timedelta(days=30), last)
    assert pack.self_assessment.missing == (
        f"No self-assessment or mock inspection of {ROSEWOOD} was submitted in careobs on or "
        f"before {last:%-d %b %Y}."
    )
    assert pack.self_assessment.items == []
    assert all(s.self_assessed is None for sec in pack.sections for s in sec.statements)


def test_the_last_day_is_the_organisations_day(app, org, client_as, db):
    """23:30 on 15 July in London is in; 00:30 on 16 July (23:30 UTC on the 15th) is not."""
    zone = ZoneInfo("Europe/London")
    inside = datetime(2026, 7, 15, 23, 30, tzinfo=zone)
    outside = datetime(2026, 7, 16, 0, 30, tzinfo=zone)
    submit = client_as(org.manager)
    for when, score in ((inside, 2), (outside, 4)):
        [result] = submit(self_assessment_doc(org.care_home, {"W1": score}, assessed_at=when))
        assert result["status"] == "created", result
    last = date(2026, 7, 15)
    part = _pack(app, org.care_home, last - timedelta(days=30), last).self_assessment
    assert part.heading == "Self-assessment, 15 Jul 2026"
    assert part.statements["W1"].line == "Self-assessed: 2 — Some shortfalls"
    later = _pack(app, org.care_home, last, last + timedelta(days=1)).self_assessment
    assert later.statements["W1"].line == "Self-assessed: 4 — Exceptional standard"


@pytest.fixture
def as_manager(auth, demo):
    auth.login("manager@demo.test", DEMO_PASSWORD)
    return demo


def _query(service, first, last) -> str:
    return f"service={service.uuid}&date_from={first}&date_to={last}"


def test_the_page_shows_the_ratings_gaps_chart_and_each_statements_score(
    client, as_manager, period
):
    page = client.get(f"/evidence/pack?{_query(as_manager[ROSEWOOD], *period)}")
    assert page.status_code == 200  # the client refuses inline script and style
    html = page.get_data(as_text=True)
    assert '<h2 id="self-assessment-title">Self-assessment and action plan</h2>' in html
    row = re.search(r'<th scope="row" role="rowheader">Well-led</th>(.*?)</tr>', html, re.S)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1)) == WELL_LED_NOW[1:]
    assert THRESHOLD_NOTE in html
    gap = re.search(r"R5 Equity in access</th>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", gap)[:2] == ["2 — Some shortfalls", NO_ACTION]
    assert selfassess_demo.SECOND_ACTION[1] in html
    # chart (a) is an SVG image named by its title, its bands labelled, its words beside it
    svg = re.search(r'<svg [^>]*aria-label="([^"]+)"[^>]*>(.*?)</svg>', html, re.S)
    assert svg.group(1) == CHART_TITLE and 'role="img"' in svg.group(0)
    for words in ("72% Good", "63%: good", "88%: outstanding", "Well-led"):
        assert f">{words}</text>" in svg.group(2)
    assert "Well-led 72%, good." in html
    # under R5's own section: its score and the rationale
    r5 = html[html.index('id="qs-R5"') :]
    r5 = r5[: r5.index("</section>")]
    assert f"<strong>{R5_LINE}.</strong> {selfassess_demo.SECOND['R5'][1]}" in r5
    # the QUIS trend chart (b) is there too, beside its table
    assert 'aria-label="Positive and negative interactions by month"' in html


def test_the_pdf_has_the_same_ratings_gaps_and_a_drawn_chart(client, as_manager, period):
    response = client.get(f"/evidence/pack.pdf?{_query(as_manager[ROSEWOOD], *period)}")
    assert response.status_code == 200
    text = pdf_text(response.data)
    for words in (
        "Self-assessment and action plan",
        "Good, lower threshold (63-75%), nearer to requires improvement",
        "23 of 32",
        NO_ACTION,
        selfassess_demo.SECOND_ACTION[1],
        R5_LINE + ".",
        # the chart's own words, drawn from its SVG
        CHART_TITLE,
        "72% Good",
        "39%: requires improvement",
        "Positive and negative interactions by month",
    ):
        assert words in text, words
    drawing = pdf_drawing(response.data)
    assert "0.1216 0.3725 0.5451 rg" in drawing  # the score bars' fill
    assert len(re.findall(r" re\b", drawing)) >= 5 + 24  # five key questions, months' bars


def test_the_self_assessment_names_no_one_but_the_assessor_and_owners(app, demo, period, db):
    part = _pack(app, demo[ROSEWOOD], *period).self_assessment
    words = " ".join(
        [*(v for _, v in part.facts), part.gaps_text]
        + [c for row in _rows(part.key_questions) + _rows(part.gaps) for c in row]
        + [f"{s.line} {s.rationale}" for s in part.statements.values()]
    )
    for name, *_ in STAFF[ROSEWOOD]:
        assert name not in words
    codes = db.scalars(sa.select(Person.code)).all()
    assert not [c for c in codes if re.search(rf"\b{c}\b", words)]
    assert "Priya Shah" in words and "Jo Evans" in words  # assessor; action owner


def test_a_mock_inspection_is_named_as_such_with_its_independent_assessor(app, org, client_as):
    """An admin's mock inspection, later than the manager's self-assessment, is the one shown;
    statements not assessed are not rated, never 0; with no gap the plan says so."""
    zone = ZoneInfo("Europe/London")
    [own] = client_as(org.manager)(
        self_assessment_doc(
            org.care_home, {"S1": 1}, assessed_at=datetime(2026, 3, 2, 10, tzinfo=zone)
        )
    )
    [mock] = client_as(org.admin)(
        self_assessment_doc(
            org.care_home,
            {"S1": 4, "S2": 3, "W1": None},
            type="mock_inspection",
            assessed_at=datetime(2026, 3, 9, 10, tzinfo=zone),
            interview_notes="Spoke with the night team.",
        )
    )
    assert (own["status"], mock["status"]) == ("created", "created")
    last = date(2026, 3, 31)
    part = _pack(app, org.care_home, date(2026, 1, 1), last).self_assessment
    assert part.heading == "Mock inspection, 9 Mar 2026"
    assert part.items[0].text.startswith("Someone independent of the service scored it")
    assert ("Assessor", "Ada Admin") in part.facts
    assert ("Statements assessed", "2 of 34") in part.facts
    rows = _rows(part.key_questions)
    assert rows[0] == [
        "Safe",
        "2 of 8",
        "7 of 8",
        "88%",
        "Outstanding",
        "Outstanding, lower threshold (88-94%), nearer to good",
    ]
    assert rows[-1] == [
        "Well-led",
        "0 of 8",
        "—",
        "—",
        "Not rated",
        "Not rated: no statement assessed",
    ]
    assert part.gaps_text == "No gaps: no quality statement was scored 1 or 2."
    assert part.gaps.rows == []
    assert set(part.statements) == {"S1", "S2"}  # W1 noted, not assessed: no line
    assert part.statements["S1"].line == "Mock inspection: 4 — Exceptional standard"


def test_a_flagged_rationale_is_not_quoted_and_a_long_one_is_cut(app, org, client_as):
    zone = ZoneInfo("Europe/London")
    doc = self_assessment_doc(
        org.care_home, {"S1": 2}, assessed_at=datetime(2026, 3, 2, 10, tzinfo=zone)
    )
    doc["data"]["statements"][0]["rationale"] = "Word " * 200  # 1,000 characters
    [long] = client_as(org.manager)(doc)
    assert long["status"] == "created"
    part = _pack(app, org.care_home, date(2026, 1, 1), date(2026, 3, 31)).self_assessment
    quoted = part.statements["S1"].rationale
    assert len(quoted) == 400 and quoted.endswith("…") and quoted.startswith("Word Word")

    flagged = self_assessment_doc(
        org.care_home, {"S1": 2}, assessed_at=datetime(2026, 3, 3, 10, tzinfo=zone)
    )
    flagged["data"]["statements"][0]["rationale"] = "Mrs Jane Smith, NHS number 943 476 5919."
    [result] = client_as(org.manager)(flagged)
    assert result["status"] == "created"
    part = _pack(app, org.care_home, date(2026, 1, 1), date(2026, 3, 31)).self_assessment
    assert part.statements["S1"].rationale == (
        "Rationale not quoted: it may name someone (see the self-assessment's page)."
    )
