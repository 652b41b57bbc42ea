"""The demo's year of monitoring visits at Riverside Homecare looks like a real year: mostly
green, some amber, a few red each followed by a re-check, more unannounced visits later in the
year, and each comment on a missed critical item describes that item."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.checklists.models import Checklist, ChecklistDomain, ChecklistItem, ChecklistVersion
from careobs.demo import DEMO_PASSWORD
from careobs.org.models import Service
from careobs.visits.demo import CRITICAL_MISSES
from careobs.visits.models import MonitoringVisit, VisitAnswer
from tests.support.demo import load_demo_once

TODAY = date(2026, 11, 27)
RECHECK_DAYS = 28  # the default re-check window after a red result


@pytest.fixture
def visits(app, db) -> list[MonitoringVisit]:
    """Every demo visit, oldest first."""
    with app.app_context():
        load_demo_once(db, today=TODAY)
    db.expire_all()
    return list(db.scalars(sa.select(MonitoringVisit).order_by(MonitoringVisit.planned_at)))


def test_about_a_year_of_riverside_homecare_visits(db, visits):
    services = {v.service_id for v in visits}
    [riverside] = services
    assert db.get(Service, riverside).name == "Riverside Homecare"
    assert len(visits) >= 25  # seven workers checked about every 45 to 100 days
    assert all(v.status == "submitted" for v in visits)
    first, last = visits[0].planned_at.date(), visits[-1].planned_at.date()
    assert TODAY - timedelta(days=366) <= first <= TODAY - timedelta(days=300)
    assert TODAY - timedelta(days=30) <= last <= TODAY
    # Spread through the year, not bunched: every quarter has its share of visits.
    quarters = [0, 0, 0, 0]
    for v in visits:
        quarters[min(3, (TODAY - v.planned_at.date()).days * 4 // 366)] += 1
    assert all(n >= 4 for n in quarters), quarters


def test_most_are_green_some_amber_a_few_red(visits):
    bands = [v.band for v in visits]
    share = {band: bands.count(band) / len(bands) for band in ("green", "amber", "red")}

    assert set(bands) == {"green", "amber", "red"}
    assert share["green"] > 0.55
    assert 0.08 <= share["amber"] <= 0.35
    assert 0 < share["red"] <= 0.15
    assert share["green"] > share["amber"] > share["red"]
    assert bands.count("red") >= 2


def test_each_red_visit_is_followed_by_a_recheck(visits):
    reds = [v for v in visits if v.band == "red"]
    due = [v for v in reds if v.planned_at.date() <= TODAY - timedelta(days=RECHECK_DAYS)]
    assert due  # not vacuous

    for red in due:
        assert red.outcome == "Not yet competent — re-check required"
        later = [v for v in visits if v.staff_id == red.staff_id and v.planned_at > red.planned_at]
        assert later, red.planned_at
        assert later[0].planned_at - red.planned_at <= timedelta(days=RECHECK_DAYS)


def test_unannounced_visits_are_commoner_in_the_second_half_of_the_year(visits):
    middle = datetime.combine(TODAY - timedelta(days=365 // 2), datetime.min.time(), tzinfo=UTC)
    halves = (
        [v for v in visits if v.planned_at < middle],
        [v for v in visits if v.planned_at >= middle],
    )
    first, second = (
        sum(v.visit_type == "unannounced" for v in half) / len(half) for half in halves
    )

    assert all(len(half) >= 10 for half in halves)
    assert second > first + 0.1


def test_each_critical_miss_is_commented_on_the_item_it_describes(db, visits):
    misses = db.execute(
        sa.select(ChecklistItem.text, VisitAnswer.comment, MonitoringVisit.to_develop)
        .join(VisitAnswer, VisitAnswer.item_id == ChecklistItem.id)
        .join(MonitoringVisit, MonitoringVisit.id == VisitAnswer.visit_id)
        .where(ChecklistItem.critical.is_(True), VisitAnswer.rating == "not_met")
    ).all()
    reds = [v for v in visits if v.band == "red"]

    assert len(misses) == len(reds)  # one critical miss makes each red visit red
    for text, comment, to_develop in misses:
        assert (comment, to_develop) == CRITICAL_MISSES[text], text
    medicines_record = db.execute(
        sa.select(ChecklistItem.text)
        .join(VisitAnswer, VisitAnswer.item_id == ChecklistItem.id)
        .where(VisitAnswer.comment == "Did not check the medicines record before giving.")
    ).scalars()
    assert set(medicines_record) <= {"Checked the medicines record before giving"}
    # Every critical item of the visit checklist (the demo's audit templates have their own).
    assert set(CRITICAL_MISSES) == set(
        db.scalars(
            sa.select(ChecklistItem.text)
            .join(ChecklistItem.domain)
            .join(ChecklistDomain.version)
            .join(ChecklistVersion.checklist)
            .where(ChecklistItem.critical.is_(True), Checklist.purpose == "visit")
        )
    )


def test_one_visit_shows_a_phone_number_that_slipped_through_and_the_way_to_remove_it(
    client, auth, db, visits
):
    """The demo shows the privacy flag and the redaction it leads to, on a real record."""
    [flagged] = [v for v in visits if v.privacy_flags]
    assert "07700 900123" in flagged.person_comment
    manager = db.scalar(sa.select(User).where(User.email == "manager@demo.test"))
    auth.login(manager.email, DEMO_PASSWORD)
    page = client.get(f"/visits/{flagged.uuid}").get_data(as_text=True)
    assert f"/redact/visit/{flagged.uuid}" in page
