"""Calibration over time, read from the pairs' stored results: each observer's pairs, their
A4 kappas and when they are due to pair again.

The fixture, at Acme Care House (today 27 November 2026), tables from
:func:`tests.support.calibration.table_for` (A4 κ by careobs.quis.calibration, itself tested
against the design table):

====  ===========  ==========  ==========  =========  =====================
pair  observed     lead        second      matched    A4 κ
====  ===========  ==========  ==========  =========  =====================
P1    10 Mar 2026  Sue         Olive       25 (20/5)  0.81 very good
P2    15 Jun 2026  Mo          Sue         20 (14/6)  0.70 good
P3    1 Oct 2026   Sue         Mo          20 (11/9)  0.54 moderate
P4    1 Nov 2026   Sue         Ada         22 (16/6)  0.74 good
P5    5 Nov 2026   Olive       Ada         10 (3/7)   low, too few to judge: no reminder
open  20 Nov 2026  Ada         Sue         (no result yet: not shown)
====  ===========  ==========  ==========  =========  =====================

Nia recorded a session but never paired. Ina (inactive) and Hana (at the homecare service
only) are not observers of the care home.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from careobs.quis import calibration, calibration_history
from careobs.quis.calibration_history import PairResult, Rules, months_between, reasons_due
from tests.support.calibration import complete, make_pair, session_by_doc, table_for
from tests.support.dashboards import local, session_doc, write
from tests.support.sync import SyncApi

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
RULES = Rules(interval_months=6, min_kappa=0.6)


def result(on: date, matched: int, value: float | None) -> PairResult:
    return PairResult(
        None, 1, "Home", on, "lead", "Other", matched, 0, 0, calibration.Kappa(value, 0, 1)
    )


@pytest.mark.parametrize(
    ("earlier", "later", "months"),
    [
        (date(2026, 1, 3), date(2026, 3, 2), 1),
        (date(2026, 1, 3), date(2026, 3, 3), 2),
        (date(2025, 12, 31), date(2026, 1, 1), 0),
        (date(2026, 3, 10), date(2026, 11, 27), 8),
        (date(2026, 5, 27), date(2026, 11, 27), 6),
        # Month ends: February has no 31st, so the sixth month from 31 Aug ends on 1 Mar.
        (date(2026, 8, 31), date(2027, 2, 28), 5),
        (date(2026, 8, 31), date(2027, 3, 1), 6),
        (date(2026, 1, 31), date(2026, 2, 28), 0),
        (date(2026, 1, 31), date(2026, 3, 1), 1),
    ],
)
def test_whole_months_between_two_days(earlier, later, months):
    assert months_between(earlier, later) == months


@pytest.mark.parametrize(
    ("pairs", "reasons"),
    [
        ([], ["Never paired: pair with an experienced observer"]),
        ([result(date(2026, 10, 1), 25, 0.81)], []),
        (
            [result(date(2026, 3, 10), 25, 0.75)],
            ["Last paired 8 months ago; pair every 6 months"],
        ),
        # Exactly six months ago: due.
        ([result(date(2026, 5, 27), 25, 0.75)], ["Last paired 6 months ago; pair every 6 months"]),
        ([result(date(2026, 5, 28), 25, 0.75)], []),
        (
            [result(date(2026, 10, 1), 20, 0.45)],
            ["Last agreement κ = 0.45 (moderate), below 0.60: pair again after refresher training"],
        ),
        # Below the bar but too few matched to judge: no reminder for it.
        ([result(date(2026, 10, 1), 19, 0.10)], []),
        # Exactly the bar is not below it.
        ([result(date(2026, 10, 1), 20, 0.60)], []),
        # Only the last pair counts: an early low kappa followed by a good one.
        ([result(date(2026, 6, 1), 20, 0.3), result(date(2026, 10, 1), 20, 0.7)], []),
        (
            [result(date(2026, 1, 1), 30, 0.2)],
            [
                "Last paired 10 months ago; pair every 6 months",
                "Last agreement κ = 0.20 (needs re-training), below 0.60: pair again after "
                "refresher training",
            ],
        ),
    ],
)
def test_reasons_an_observer_is_due(pairs, reasons):
    assert reasons_due(pairs, RULES, date(2026, 11, 27)) == reasons


def test_an_observer_last_paired_on_31_august_is_reminded_from_1_march():
    last = [result(date(2026, 8, 31), 25, 0.8)]

    assert reasons_due(last, RULES, date(2027, 2, 28)) == []
    assert reasons_due(last, RULES, date(2027, 3, 1)) == [
        "Last paired 6 months ago; pair every 6 months"
    ]


def test_a_pair_too_few_to_judge_leaves_the_last_judged_low_kappa_reminder():
    pairs = [result(date(2026, 10, 1), 20, 0.45), result(date(2026, 11, 1), 5, 0.95)]

    assert reasons_due(pairs, RULES, date(2026, 11, 27)) == [
        "Last agreement κ = 0.45 (moderate), below 0.60: pair again after refresher training"
    ]


@pytest.mark.parametrize(
    ("value", "printed", "due"),
    [
        # Rounded to two places 0.596 reads 0.60, the bar itself: three places say why it is below.
        (0.596, "0.596 (moderate)", True),
        (0.5999, "0.5999 (moderate)", True),
        (0.594, "0.59 (moderate)", True),
        (0.6, "0.60 (good)", False),
        (0.6004, "0.60 (good)", False),
        (0.7996, "0.7996 (good)", False),  # not "0.80 (good)": 0.80 is very good
    ],
)
def test_a_kappa_at_the_bar_is_printed_as_it_is_compared(value, printed, due):
    pair = replace(result(date(2026, 10, 1), 20, value), bound=0.6)
    reasons = reasons_due([pair], RULES, date(2026, 11, 27))

    assert pair.kappa_words() == f"κ = {printed}"
    assert bool(reasons) is due
    if due:
        assert reasons == [
            f"Last agreement κ = {printed}, below 0.60: pair again after refresher training"
        ]


def test_kappa_figures_keep_every_bound_on_its_side():
    assert calibration.kappa_figure(0.645, (0.65,)) == "0.645"
    assert calibration.kappa_figure(0.645) == "0.65"
    assert calibration.kappa_figure(0.3996) == "0.3996"
    assert calibration.kappa_figure(-0.2) == "-0.20"


def test_one_month_reads_in_the_singular():
    reasons = reasons_due([result(date(2026, 10, 1), 25, 0.9)], Rules(1, 0.6), date(2026, 11, 2))
    assert reasons == ["Last paired 1 month ago; pair every 1 month"]


@pytest.fixture
def history(app, db, data, org, login_as):
    home = org.care_home
    olive = data.user(org.org, "olive@acme.test", "Olive Older", roles={home: "supervisor"})
    nia = data.user(org.org, "nia@acme.test", "Nia New", roles={home: "supervisor"})
    ina = data.user(org.org, "ina@acme.test", "Ina Inactive", roles={home: "supervisor"})
    hana = data.user(org.org, "hana@acme.test", "Hana Home", roles={org.homecare: "supervisor"})
    db.commit()

    def observe(user, when, service=home, people=("R01",)):
        doc = session_doc(service, when, 30, ["PS"], people=people)
        write(SyncApi(login_as(user)), doc)
        return session_by_doc(db, doc)

    def pair(lead, second, when, table):
        made = make_pair(db, observe(lead, when), observe(second, when))
        if table is None:
            return made
        return complete(db, made, table, at=when + timedelta(hours=1), lead_only=2, second_only=1)

    sue, mo, ada = org.supervisor, org.manager, org.admin
    pairs = {
        "P1": pair(sue, olive, local(2026, 3, 10, 11), table_for(20, 5)),
        "P2": pair(mo, sue, local(2026, 6, 15, 11), table_for(14, 6)),
        "P3": pair(sue, mo, local(2026, 10, 1, 11), table_for(11, 9)),
        "P4": pair(sue, ada, local(2026, 11, 1, 11), table_for(16, 6)),
        "P5": pair(olive, ada, local(2026, 11, 5, 11), table_for(3, 7)),
        "open": pair(ada, sue, local(2026, 11, 20, 11), None),
    }
    observe(nia, local(2026, 9, 1, 11))
    observe(ina, local(2026, 9, 1, 11))
    observe(hana, local(2026, 9, 1, 11), org.homecare, ("H01",))
    ina.active = False
    db.commit()
    return pairs


def observers(app, org, service_ids=None):
    from careobs.db import get_session

    with app.app_context():
        ids = service_ids or [org.care_home.id]
        return calibration_history.observers(get_session(), org.org.id, ids, NOW)


def test_each_observer_with_their_pairs_and_reminder(app, org, history):
    found = {o.name: o for o in observers(app, org)}

    assert list(found) == [
        "Mo Manager",  # due first, then by name
        "Nia New",
        "Ada Admin",
        "Olive Older",
        "Sue Supervisor",
    ]
    mo = found["Mo Manager"]
    assert [(p.observed_on, p.role, p.other, p.matched) for p in mo.pairs] == [
        (date(2026, 6, 15), "lead", "Sue Supervisor", 20),
        (date(2026, 10, 1), "second", "Sue Supervisor", 20),
    ]
    assert [p.verdict for p in mo.pairs] == ["good", "moderate"]
    assert mo.over_time() == "0.70 → 0.54"
    assert mo.last_paired == date(2026, 10, 1)
    assert mo.reminder() == (
        "Last agreement κ = 0.54 (moderate), below 0.60: pair again after refresher training."
    )
    assert found["Nia New"].pairs == []
    assert found["Nia New"].reminder() == "Never paired: pair with an experienced observer."
    olive = found["Olive Older"]
    assert [p.verdict for p in olive.pairs] == ["very good", "too few to judge"]
    # P5 (5 Nov) is her last pair, so she is not overdue; its low kappa is too few to judge.
    assert (olive.last_paired, olive.due) == (date(2026, 11, 5), False)
    sue = found["Sue Supervisor"]
    assert [p.pair_uuid for p in sue.pairs] == [history[k].uuid for k in ("P1", "P2", "P3", "P4")]
    assert (sue.due, found["Ada Admin"].due) == (False, False)


def test_the_kappa_shown_is_the_stored_tables_a4_kappa_with_its_interval(app, org, history):
    mo = next(o for o in observers(app, org) if o.name == "Mo Manager")
    expected = calibration.kappa(table_for(11, 9), calibration.A4)

    last = mo.last
    assert last.kappa == expected
    assert (last.lead_only, last.second_only) == (2, 1)
    assert last.kappa_text() == (f"κ = 0.54 (95% {expected.low:.2f}–{expected.high:.2f}), moderate")


def test_an_older_observer_not_paired_for_months_is_due(app, db, org, history):
    # Without P5, Olive's last pair is P1 on 10 March: eight months ago.
    history["P5"].completed_at = None
    db.commit()

    olive = next(o for o in observers(app, org) if o.name == "Olive Older")

    assert olive.reminder() == "Last paired 8 months ago; pair every 6 months."


def test_the_organisations_settings_set_the_reminders(app, db, org, history):
    from careobs.org.models import OrganisationSettings
    from careobs.org.settings import CALIBRATION_DEFAULTS, DEFAULTS, SELECTION_DEFAULTS

    settings = OrganisationSettings(
        organisation_id=org.org.id, **DEFAULTS, **SELECTION_DEFAULTS, **CALIBRATION_DEFAULTS
    )
    settings.calibration_interval_months = 1
    settings.calibration_min_kappa = 0.5
    db.add(settings)
    db.commit()

    found = {o.name: o for o in observers(app, org)}

    # Mo's 0.54 is above 0.50 now, but 1 Oct is more than a month ago.
    assert found["Mo Manager"].reasons == ["Last paired 1 month ago; pair every 1 month"]
    assert found["Sue Supervisor"].due is False  # P4, 1 Nov: 0 whole months


def test_services_out_of_scope_show_nobody_and_no_pair(app, org, history):
    found = observers(app, org, [org.homecare.id])

    assert [(o.name, o.pairs) for o in found] == [("Hana Home", [])]


def test_median_kappa_reads_judged_pairs_only():
    pairs = [
        result(date(2026, 1, 1), 20, 0.5),
        result(date(2026, 2, 1), 20, 0.7),
        result(date(2026, 3, 1), 25, 0.8),
        result(date(2026, 4, 1), 5, 0.1),
    ]
    assert calibration_history.median_kappa(pairs) == 0.7
    assert calibration_history.median_kappa(pairs[3:]) is None


def test_the_pair_is_dated_on_the_local_day_and_months_counted_from_it(
    app, db, data, org, login_as
):
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST): the pair is of 1 July, so on
    # 31 December it is five whole months old, not six.
    lead = data.user(org.org, "lena@acme.test", "Lena Lead", roles={org.care_home: "supervisor"})
    second = data.user(org.org, "sam@acme.test", "Sam Second", roles={org.care_home: "manager"})
    db.commit()
    when = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    sessions = []
    for user in (lead, second):
        doc = session_doc(org.care_home, when, 30, ["PS"])
        write(SyncApi(login_as(user)), doc)
        sessions.append(session_by_doc(db, doc))
    complete(db, make_pair(db, *sessions), table_for(20, 0), at=when)
    from careobs.db import get_session

    def lena(now):
        with app.app_context():
            found = calibration_history.observers(
                get_session(), org.org.id, [org.care_home.id], now
            )
        return next(o for o in found if o.name == "Lena Lead")

    before = lena(datetime(2026, 12, 31, 12, 0, tzinfo=UTC))
    assert (before.last_paired, before.reasons) == (date(2026, 7, 1), [])
    after = lena(datetime(2027, 1, 1, 12, 0, tzinfo=UTC))
    assert after.reasons == ["Last paired 6 months ago; pair every 6 months"]


def test_nothing_after_the_moment_asked_is_read(app, db, org, history):
    # As at 25 Oct: P4 and P5 (November) are not yet observed, and Ada, whose first session
    # here is P4's on 1 Nov, is not yet an observer here.
    history["P3"].completed_at = local(2026, 10, 30, 9)
    db.commit()
    from careobs.db import get_session

    with app.app_context():
        found = calibration_history.observers(
            get_session(), org.org.id, [org.care_home.id], local(2026, 10, 25, 12)
        )
    by_name = {o.name: o for o in found}

    assert set(by_name) == {"Mo Manager", "Nia New", "Olive Older", "Sue Supervisor"}
    # P3 (1 Oct) was completed on 30 Oct: not read as at 25 Oct, so Sue's last pair is P2.
    assert [p.observed_on for p in by_name["Sue Supervisor"].pairs] == [
        date(2026, 3, 10),
        date(2026, 6, 15),
    ]
    assert by_name["Olive Older"].last_paired == date(2026, 3, 10)


@pytest.mark.parametrize("role", ["staff", "quality_checker"])
def test_someone_now_only_a_care_worker_or_checker_there_is_no_observer(
    app, db, org, history, role
):
    from careobs.accounts.models import Membership, User

    nia = db.scalar(sa.select(User).where(User.email == "nia@acme.test"))
    membership = db.scalar(sa.select(Membership).where(Membership.user_id == nia.id))
    membership.role = role
    db.commit()

    assert "Nia New" not in {o.name for o in observers(app, org)}


def test_a_completed_pair_without_a_stored_table_is_skipped(app, db, org, history):
    history["P4"].confusion = None
    db.commit()

    sue = next(o for o in observers(app, org) if o.name == "Sue Supervisor")

    assert [p.pair_uuid for p in sue.pairs] == [history[k].uuid for k in ("P1", "P2", "P3")]


def test_only_the_users_asked_for_are_read(app, org, history):
    from careobs.db import get_session

    with app.app_context():
        found = calibration_history.observers(
            get_session(), org.org.id, [org.care_home.id], NOW, [org.manager.id]
        )

    assert [(o.name, len(o.pairs), o.due) for o in found] == [("Mo Manager", 2, True)]
    assert [p.other for p in found[0].pairs] == ["Sue Supervisor", "Sue Supervisor"]
