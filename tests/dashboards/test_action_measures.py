"""The difference an action made: its measure before and after, from the stored counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from careobs.actions import measures
from careobs.actions import service as actions
from careobs.actions.models import Action
from careobs.quis.scoring import wilson_interval
from careobs.visits.models import VisitDomainScore
from tests.clock import local_today
from tests.support.dashboards import local, session_doc, write

TODAY = date(2026, 11, 27)
ADDED = datetime(2026, 9, 1, 11, 0, tzinfo=UTC)  # the action was added on 1 September
DONE = datetime(2026, 9, 15, 11, 0, tzinfo=UTC)  # and done a fortnight later


def add_action(app, db, acme, measure, *, done=True) -> Action:
    from careobs.db import get_session

    with app.app_context():
        session = get_session()
        admin = session.get(type(acme.admin), acme.admin.id)
        service = session.get(type(acme.care_home), measure.pop("service", acme.care_home).id)
        action = actions.create(
            session,
            admin,
            service=service,
            description="Mealtime coaching",
            owner=None,
            due_on=TODAY,
            cqc_tags=["C1"],
            measure=measure,
        )
        action.created_at = ADDED
        if done:
            action.completed_at = DONE
            action.status = "done"
        session.commit()
        return action.id


def comparison(app, action_id):
    from careobs.db import get_session

    with app.app_context():
        session = get_session()
        return measures.before_after(session, session.get(Action, action_id), TODAY)


def test_negative_mealtime_interactions_before_and_after(app, db, acme, admin_sync):
    home = acme.care_home
    write(
        admin_sync,
        # Before (2 Jun - 31 Aug): 2 of 5 mealtime interactions negative; activity ignored.
        session_doc(home, local(2026, 7, 1, 12), 30, ["PS", "NP", "NR", "PC", "N"]),
        session_doc(home, local(2026, 7, 2, 15), 30, ["NR", "NR"], context="activity"),
        # Between adding it and doing it: in neither window.
        session_doc(home, local(2026, 9, 5, 12), 30, ["NR", "NR", "NR"]),
        # After (15 Sep - 27 Nov): 1 of 8 negative.
        session_doc(home, local(2026, 10, 1, 12), 30, ["PS"] * 4 + ["PC"] * 3 + ["NP"]),
        # A draft counts nowhere.
        session_doc(home, local(2026, 10, 2, 12), 30, ["NR"], status="draft"),
    )
    action_id = add_action(
        app, db, acme, {"kind": "quis_negative", "context": "mealtime", "days": 91}
    )

    result = comparison(app, action_id)

    assert result.label == "Negative interactions (QUIS), mealtime at Acme Care House"
    before, after = result.before, result.after
    assert (before.first, before.last) == (date(2026, 6, 2), date(2026, 8, 31))
    assert (after.first, after.last) == (date(2026, 9, 15), TODAY)  # cut at today
    assert (before.value, before.n) == (2 / 5, 5)
    assert (after.value, after.n) == (1 / 8, 8)
    interval = wilson_interval(1, 8)
    assert (after.low, after.high) == (interval.low, interval.high)
    assert result.change == pytest.approx(1 / 8 - 2 / 5)


def test_an_open_action_compares_since_it_was_added(app, db, acme, admin_sync):
    write(admin_sync, session_doc(acme.care_home, local(2026, 9, 5, 12), 30, ["PS", "NR"]))
    action_id = add_action(app, db, acme, {"kind": "quis_positive"}, done=False)

    result = comparison(app, action_id)

    assert result.after.first == date(2026, 9, 1)
    assert result.after.last == date(2026, 11, 29) - timedelta(days=2)  # 90 days, cut at today
    assert (result.after.value, result.after.n) == (1 / 2, 2)
    assert (result.before.value, result.before.n, result.before.low) == (None, 0, None)
    assert result.change is None


def test_items_met_in_a_checklist_domain(app, db, acme, visit, admin_sync):
    every = len(visit.checklist.items)
    write(
        admin_sync,
        visit(local(2026, 8, 10, 10), rating="not_met", ratings={}),  # before: nothing met
        visit(local(2026, 10, 10, 10)),  # after: everything met
    )
    domain_key = db.scalars(sa.select(VisitDomainScore.domain_key)).first()
    per_visit = db.scalar(
        sa.select(
            VisitDomainScore.n_met + VisitDomainScore.n_partly + VisitDomainScore.n_not_met
        ).where(VisitDomainScore.domain_key == domain_key)
    )
    action_id = add_action(
        app,
        db,
        acme,
        {"kind": "domain_met", "domain_key": str(domain_key), "service": acme.homecare},
    )

    result = comparison(app, action_id)

    assert every > 0 and per_visit > 0
    assert (result.before.value, result.before.n) == (0.0, per_visit)
    assert (result.after.value, result.after.n) == (1.0, per_visit)
    assert result.label.startswith("Items met in “")
    assert result.label.endswith(f"(monitoring visits) at {acme.homecare.name}")


@pytest.mark.parametrize(
    ("measure", "problem"),
    [
        ({"kind": "mood"}, "unknown measure"),
        ({"kind": "quis_negative", "days": 3}, "7 to 365 days"),
        ({"kind": "quis_negative", "days": "90"}, "7 to 365 days"),
        ({"kind": "quis_negative", "context": "bedtime"}, "unknown context"),
        ({"kind": "domain_met", "domain_key": "not-a-key"}, "badly formed"),
    ],
)
def test_a_bad_measure_is_refused(measure, problem):
    with pytest.raises(ValueError, match=problem):
        measures.check(measure)


def test_no_measure_means_no_comparison(app, db, acme):
    assert measures.check(None) is None
    action_id = add_action(app, db, acme, {"kind": "quis_negative"})
    with app.app_context():
        from careobs.db import get_session

        session = get_session()
        session.get(Action, action_id).measure = None
        session.commit()
    assert comparison(app, action_id) is None


def test_the_action_page_shows_the_difference_and_the_form_checks_the_measure(
    app, db, acme, admin_sync, client_as
):
    write(admin_sync, session_doc(acme.care_home, local(2026, 7, 1, 12), 30, ["PS", "NP"]))
    client = client_as(acme.admin)
    form = {
        "service": acme.care_home.uuid.hex,
        "description": "Mealtime coaching",
        "owner": f"user-{acme.manager.uuid.hex}",  # the care home's manager
        "due_on": (local_today() + timedelta(days=7)).isoformat(),
        "measure_kind": "domain_met",
        "measure_domain": "",
        "measure_days": "90",
    }
    refused = client.post("/actions/new", data=form)
    assert refused.status_code == 400
    assert "Choose the checklist domain to measure." in refused.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(Action)) == 0

    form |= {"measure_kind": "quis_negative", "measure_context": "mealtime"}
    created = client.post("/actions/new", data=form)
    assert created.status_code == 302, created.get_data(as_text=True)
    action = db.scalars(sa.select(Action)).one()
    assert action.measure == {"kind": "quis_negative", "days": 90, "context": "mealtime"}
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "The difference made" in page
    assert "Negative interactions (QUIS), mealtime at Acme Care House" in page
    assert "Before the action" in page and "Since it was added" in page
