"""The evidence pack's "Reliable observation": the period's paired observations at the care
home, observers calibrated, the median and each pair's A4 kappa with its verdict, and observers
due to pair again; a paired observation counts once among the QUIS sessions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from careobs.db import get_session
from careobs.evidence.pack import build
from careobs.org.models import Service
from careobs.quis import calibration
from tests.support.calibration import complete, make_pair, session_by_doc, table_for
from tests.support.dashboards import local, session_doc, write
from tests.support.sync import SyncApi

PERIOD = (date(2026, 6, 1), date(2026, 11, 30))
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.fixture
def paired(app, db, org, login_as, monkeypatch):
    """At the care home: P1 (20 Jun, 14 agree 6 not: 0.70 good), P2 (1 Oct, 11/9: 0.54
    moderate), P3 (1 Nov, 5 matched: too few), and P0 (1 May: before the period)."""
    monkeypatch.setattr("careobs.evidence.pack.utcnow", lambda: NOW)

    def observe(user, when):
        doc = session_doc(org.care_home, when, 30, ["PS", "PC", "NR"])
        write(SyncApi(login_as(user)), doc)
        return session_by_doc(db, doc)

    def pair(lead, second, when, table, **counts):
        made = make_pair(db, observe(lead, when), observe(second, when))
        return complete(db, made, table, at=when + timedelta(hours=1), **counts)

    sue, mo = org.supervisor, org.manager
    return {
        "P0": pair(sue, mo, local(2026, 5, 1, 11), table_for(20, 0)),
        "P1": pair(sue, mo, local(2026, 6, 20, 11), table_for(14, 6), lead_only=2),
        "P2": pair(mo, sue, local(2026, 10, 1, 11), table_for(11, 9), second_only=3),
        "P3": pair(sue, org.admin, local(2026, 11, 1, 11), table_for(3, 2)),
    }


def pack_of(app, service, period=PERIOD, today=None):
    with app.test_request_context():
        session = get_session()
        return build(session, session.get(Service, service.id), *period, today or period[1])


def items_titled(pack, title):
    return [
        (statement.code, item)
        for section in pack.sections
        for statement in section.statements
        for item in statement.items
        if item.title == title
    ]


def test_reliable_observation_states_pairs_observers_median_and_due(app, org, paired):
    pack = pack_of(app, org.care_home)

    [(code, item)] = items_titled(pack, "Reliable observation")
    assert code == "C1"
    # Judged: P1 0.70 and P2 0.54: the median is their mean, 0.62 (good).
    k1 = calibration.kappa(table_for(14, 6), calibration.A4).value
    k2 = calibration.kappa(table_for(11, 9), calibration.A4).value
    median = (k1 + k2) / 2
    assert f"{median:.2f}" == "0.62"
    assert dict(item.facts) == {
        "Pairs completed": "3",
        "Observers calibrated": "3",
        "Median agreement (A4 κ)": "0.62 (good), over 2 pairs with at least 20 matched "
        "interactions",
        # As at 30 Nov: the admin's only pair (P3) is too few to judge, not due; Sue's last
        # pair (P3) too, so her last judged pair is P2 (1 Oct, 0.54), as Mo's: both due.
        "Observers due to pair again": "2 of 3 (as at 30 Nov 2026)",
    }
    assert "Only the lead observer's record is counted" in item.text
    assert "below 0.60" in item.text
    assert "Mo Manager" not in str(item) and "Sue Supervisor" not in str(item)


def test_each_pairs_agreement_in_a_table(app, org, paired):
    [(_, item)] = items_titled(pack_of(app, org.care_home), "Agreement of each paired observation")
    k1 = calibration.kappa(table_for(14, 6), calibration.A4)
    few = calibration.kappa(table_for(3, 2), calibration.A4).value

    rows = item.table.rows
    assert [row[:4] for row in rows] == [
        [date(2026, 6, 20), 20, 2, "κ = 0.70 (good)"],
        [date(2026, 10, 1), 20, 3, "κ = 0.54 (moderate)"],
        [
            date(2026, 11, 1),
            5,
            0,
            f"κ = {few:.2f} (too few to judge)",
        ],
    ]
    assert rows[0][4] == f"{k1.low:.2f}–{k1.high:.2f}"


def test_the_second_observers_sessions_are_not_counted_among_quis_sessions(app, org, paired):
    pack = pack_of(app, org.care_home)

    # Three pairs in the period: three lead sessions, not six sessions.
    assert pack.counts["sessions"] == 3
    assert pack.counts["interactions"] == 9
    assert pack.counts["pairs"] == 3


def test_a_period_without_pairs_or_observers_says_nothing(app, org):
    pack = pack_of(app, org.care_home)

    assert items_titled(pack, "Reliable observation") == []
    assert pack.counts["pairs"] == 0


def test_observers_without_pairs_in_the_period_are_shown_due(app, db, org, login_as, monkeypatch):
    monkeypatch.setattr("careobs.evidence.pack.utcnow", lambda: NOW)
    write(
        SyncApi(login_as(org.supervisor)), session_doc(org.care_home, local(2026, 9, 1), 30, ["PS"])
    )

    [(_, item)] = items_titled(pack_of(app, org.care_home), "Reliable observation")

    facts = dict(item.facts)
    assert facts["Pairs completed"] == "0"
    assert facts["Median agreement (A4 κ)"].startswith("none")
    assert facts["Observers due to pair again"] == "1 of 1 (as at 30 Nov 2026)"
    assert items_titled(pack_of(app, org.care_home), "Agreement of each paired observation") == []


def test_a_past_periods_observers_due_are_as_at_its_end(app, org, paired):
    # 1 Jun-31 Oct, made in December: P3 (1 Nov, the admin's first session here) is later.
    [(_, item)] = items_titled(
        pack_of(app, org.care_home, (date(2026, 6, 1), date(2026, 10, 31)), date(2026, 12, 6)),
        "Reliable observation",
    )

    facts = dict(item.facts)
    assert facts["Pairs completed"] == "2"
    # Sue and Mo, both last paired 1 Oct at 0.54 (P2): due.
    assert facts["Observers due to pair again"] == "2 of 2 (as at 31 Oct 2026)"


def test_a_pack_for_a_fixed_day_is_the_same_whenever_it_is_made(
    app, db, org, paired, login_as, monkeypatch
):
    # P4 observed on 14 Nov, its result written on 16 Nov: after the pack's day, 15 Nov.
    docs = [session_doc(org.care_home, local(2026, 11, 14, 11), 30, ["PS"]) for _ in range(2)]
    write(SyncApi(login_as(org.supervisor)), docs[0])
    write(SyncApi(login_as(org.manager)), docs[1])
    late = make_pair(db, session_by_doc(db, docs[0]), session_by_doc(db, docs[1]))
    complete(db, late, table_for(20, 0), at=local(2026, 11, 16, 9))

    made = []
    for now in (datetime(2026, 11, 15, 20, 0, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC)):
        monkeypatch.setattr("careobs.evidence.pack.utcnow", lambda now=now: now)
        [(_, item)] = items_titled(
            pack_of(app, org.care_home, PERIOD, date(2026, 11, 15)), "Reliable observation"
        )
        made.append(dict(item.facts))

    assert made[0] == made[1]
    assert made[0]["Pairs completed"] == "3"  # P1, P2, P3: not the pair completed on 16 Nov
    assert made[0]["Observers due to pair again"] == "2 of 3 (as at 15 Nov 2026)"


def test_a_completed_pair_without_a_stored_table_is_left_out(app, db, org, paired):
    paired["P2"].confusion = None
    db.commit()

    [(_, item)] = items_titled(pack_of(app, org.care_home), "Reliable observation")

    assert dict(item.facts)["Pairs completed"] == "2"


def test_homecare_packs_have_no_such_section(app, org, paired):
    assert items_titled(pack_of(app, org.homecare), "Reliable observation") == []


def test_the_demo_packs_page_and_pdf_show_reliable_observation(app, demo, period):
    from careobs.demo import ROSEWOOD
    from careobs.evidence import pdf
    from tests.support.pdf import pdf_text

    pack = pack_of(app, demo[ROSEWOOD], period)

    [(_, item)] = items_titled(pack, "Reliable observation")
    facts = dict(item.facts)
    assert facts["Pairs completed"] == "4"  # Nia's three with Jo, and Priya's
    assert facts["Observers calibrated"] == "3"
    text = " ".join(pdf_text(pdf.render(pack, "27 Nov 2026, 10:00")).split())
    assert "Reliable observation" in text
    assert "Agreement of each paired observation" in text
    assert "Nia Patel" not in text  # no observer is named
