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

from datetime import UTC, date, datetime

import pytest

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
        return complete(db, made, table, lead_only=2, second_only=1) if table else made

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
