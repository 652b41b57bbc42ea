"""The coverage dashboard: who is overdue, due soon or never checked, new starters, the share of
each visit type, and the spread of visits over local weekdays and hours.

The dashboards' clock is fixed at Friday 27 November 2026 (``frozen_today``); organisation
settings are the defaults (every 90 days; re-check 28 days after red; new starters within 28
days) unless a test changes them.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from careobs.org.models import OrganisationSettings, StaffMember
from tests.support.dashboards import (
    add_worker,
    column_values,
    html_tables,
    local,
    rendered,
    table_of,
    write,
)
from tests.support.dashboards import headline as headline_of

API = "/api/v1/dashboards/coverage"
RANGE = {"date_from": "2026-06-01", "date_to": "2026-11-27"}
RED = {9: "not_met"}  # hand hygiene, a critical item


def fetch(client, **params) -> dict:
    response = client.get(API, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


@pytest.fixture
def workers(db, acme, checklist, visit, admin_sync, frozen_today):
    people = {
        name: add_worker(db, acme, name)
        for name in ("Olive Overdue", "Dana Due", "Uma Uptodate", "Rory Red", "Reggie Recheck")
    }
    people["Lulu Late"] = add_worker(db, acme, "Lulu Late")
    people["Ned Never"] = add_worker(db, acme, "Ned Never", date(2025, 3, 1))
    people["Nina New"] = add_worker(db, acme, "Nina New", date(2026, 11, 10))
    people["Ivy Inactive"] = add_worker(db, acme, "Ivy Inactive", active=False)
    write(
        admin_sync,
        visit(local(2026, 8, 1, 10), staff=people["Olive Overdue"], visit_type="unannounced"),
        # Olive's later draft is not a visit yet.
        visit(local(2026, 11, 20, 10), staff=people["Olive Overdue"], status="draft"),
        visit(local(2026, 9, 1, 10), staff=people["Dana Due"], visit_type="announced"),
        visit(local(2026, 11, 2, 10), staff=people["Uma Uptodate"], visit_type="unannounced"),
        visit(local(2026, 6, 1, 10), staff=people["Rory Red"], visit_type="unannounced"),
        visit(
            local(2026, 11, 5, 10), staff=people["Rory Red"], visit_type="announced", ratings=RED
        ),
        visit(
            local(2026, 10, 20, 10),
            staff=people["Reggie Recheck"],
            visit_type="responsive",
            ratings=RED,
        ),
        # 23:30 UTC on Sunday 12 July: Monday 13 July in London.
        visit(local(2026, 7, 13, 0, 30), staff=people["Lulu Late"], visit_type="announced"),
        # Ivy's visits do not make her listed; Rita works in a service this manager cannot see.
        visit(local(2026, 11, 2, 11), staff=people["Ivy Inactive"], visit_type="announced"),
        visit(
            local(2026, 11, 3, 10),
            service=acme.rural,
            staff=acme.rita,
            person="X01",
            visit_type="unannounced",
        ),
    )
    return people


def test_statuses_due_dates_and_days_since(workers, acme, client_as):
    table = table_of(fetch(client_as(acme.home_manager), **RANGE), "workers")
    rows = {row[0]: row for row in table["rows"]}

    assert [c["key"] for c in table["columns"]] == [
        "name",
        "service",
        "status",
        "due",
        "due_because",
        "days_overdue",
        "last_visit",
        "days_since",
        "last_unannounced",
        "days_since_unannounced",
        "start_date",
        "recheck_focus",
    ]
    service = "Acme Care Homecare"
    # name: service, status, due, due because, days overdue, last visit, days, last
    # unannounced, days, started
    assert rows["Olive Overdue"][1:] == [
        service,
        "Overdue",
        "2026-10-30",  # 1 Aug + 90 days
        "regular interval",
        28,  # 30 Oct to 27 Nov
        "2026-08-01",
        118,
        "2026-08-01",
        118,
        "2024-01-08",
        "",
    ]
    # Red on 20 Oct: the re-check it booked was due 28 days later, and has passed.
    assert rows["Reggie Recheck"][2:10] == [
        "Overdue",
        "2026-11-17",
        "re-check after red",
        10,
        "2026-10-20",
        38,
        None,
        None,
    ]
    assert rows["Dana Due"][2:10] == [
        "Due soon",
        "2026-11-30",
        "regular interval",
        None,
        "2026-09-01",
        87,
        None,
        None,
    ]
    # Red on 5 Nov: re-check 28 days later; her last unannounced visit was in June.
    assert rows["Rory Red"][2:10] == [
        "Re-check due after red",
        "2026-12-03",
        "re-check after red",
        None,
        "2026-11-05",
        22,
        "2026-06-01",
        179,
    ]
    assert rows["Uma Uptodate"][2:10] == [
        "Up to date",
        "2027-01-31",
        "regular interval",
        None,
        "2026-11-02",
        25,
        "2026-11-02",
        25,
    ]
    # Never visited: the first check was due within the new-starter window of the start date,
    # and that date has passed, so they are overdue.
    first = "first check (new starter)"
    assert rows["Ned Never"][2:10] == ["Overdue", "2025-03-29", first, 608, None, None, None, None]
    assert rows["Hal Homecare"][2:10] == [
        "Overdue",
        "2025-02-03",
        first,
        662,
        None,
        None,
        None,
        None,
    ]
    assert rows["Nina New"][2:] == [
        "New starter — first check due",
        "2026-12-08",  # started 10 Nov + 28 days
        first,
        None,
        None,
        None,
        None,
        None,
        "2026-11-10",
        "",
    ]
    # The visit at 23:30 UTC on 12 July was on Monday 13 July in London.
    # so the next check counts 90 days from the London date, not the UTC one.
    assert rows["Lulu Late"][2:8] == [
        "Overdue",
        "2026-10-11",
        "regular interval",
        47,
        "2026-07-13",
        137,
    ]


def test_workers_are_listed_most_urgent_first_without_inactive_or_unmanaged(
    workers, acme, client_as
):
    table = table_of(fetch(client_as(acme.home_manager), **RANGE), "workers")

    assert column_values(table, "name") == [
        "Hal Homecare",  # overdue (whatever the reason), earliest due date first
        "Ned Never",
        "Lulu Late",
        "Olive Overdue",
        "Reggie Recheck",
        "Rory Red",  # re-check due after red
        "Nina New",  # new starter
        "Dana Due",  # due soon
        "Uma Uptodate",
    ]


def test_visit_types_share_and_headline(workers, acme, client_as):
    payload = fetch(client_as(acme.home_manager), **RANGE)

    # In the range for Acme Homecare's active and inactive workers alike (visits happened).
    assert table_of(payload, "types")["rows"] == [
        ["Announced", 4, 4 / 8],  # Dana, Rory (red), Lulu, Ivy
        ["Unannounced", 3, 3 / 8],  # Olive, Uma, Rory (June)
        ["Responsive", 1, 1 / 8],
    ]
    assert headline_of(payload) == {
        "Care workers": "9",
        "Overdue": "5",  # Hal and Ned (new starters past due), Lulu, Olive, Reggie
        "Never checked": "0",
        "Re-checks due after red": "1",
        "New starters due": "1",
        "Re-checks booked": "0",
        "Due in 14 days": "1",
        "Unannounced visits": "3 (37.5%)",
    }


def test_a_visit_type_filter_does_not_skew_the_type_shares(workers, acme, client_as):
    payload = fetch(client_as(acme.home_manager), **RANGE, visit_type="announced")

    assert column_values(table_of(payload, "types"), "visits") == [4, 3, 1]
    assert sum(column_values(table_of(payload, "weekdays"), "visits")) == 4


def test_the_organisations_settings_decide_the_due_dates(workers, acme, db, client_as):
    db.add(
        OrganisationSettings(
            organisation_id=acme.org.id,
            green_from=90,
            amber_from=75,
            lateness_tolerance_minutes=10,
            recheck_days_after_red=28,
            check_frequency_days=90,
            new_starter_days=14,
        )
    )
    db.commit()

    rows = {
        r[0]: r for r in table_of(fetch(client_as(acme.home_manager), **RANGE), "workers")["rows"]
    }

    # Started 10 Nov: due 24 Nov, now passed with no visit.
    assert rows["Nina New"][2:5] == ["Overdue", "2026-11-24", "first check (new starter)"]
    nina = add_worker(db, acme, "Nico Newer", date(2026, 11, 20))
    assert nina.start_date == date(2026, 11, 20)
    rows = {
        r[0]: r for r in table_of(fetch(client_as(acme.home_manager), **RANGE), "workers")["rows"]
    }
    assert rows["Nico Newer"][2:4] == ["New starter — first check due", "2026-12-04"]


def test_page_and_csv_match_the_json(workers, acme, client_as):
    client = client_as(acme.home_manager)
    payload = fetch(client, **RANGE)
    page = client.get("/dashboards/coverage", query_string=RANGE)
    assert page.status_code == 200
    shown = html_tables(page.get_data(as_text=True))

    for table in payload["tables"]:
        assert shown[table["key"]] == rendered(table), table["key"]
        csv_text = client.get(
            "/dashboards/coverage.csv", query_string=RANGE | {"table": table["key"]}
        ).get_data(as_text=True)
        assert list(csv.reader(io.StringIO(csv_text)))[1:] == rendered(table, for_csv=True)
    olive = next(row for row in shown["workers"] if row[0] == "Olive Overdue")
    assert olive[3:8] == ["30 Oct 2026", "regular interval", "28", "1 Aug 2026", "118"]


# -- when visits happen, in local time ----------------------------------------------------------


def at_utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def spread_visits(acme, checklist, visit, admin_sync, frozen_today):
    planned = [
        at_utc(2026, 3, 29, 0, 30),  # Sunday 00:30 GMT, before the spring change
        at_utc(2026, 3, 29, 1, 30),  # Sunday 02:30 BST, after it
        at_utc(2026, 3, 31, 14, 0),  # Tuesday 15:00 BST
        at_utc(2026, 7, 12, 23, 30),  # Sunday in UTC; Monday 13 July 00:30 BST
        at_utc(2026, 9, 16, 9, 10),  # Wednesday 10:10 BST
        at_utc(2026, 10, 24, 23, 30),  # Saturday in UTC; Sunday 25 October 00:30 BST
        at_utc(2026, 10, 25, 0, 30),  # Sunday 01:30 BST, the first 01:30 of the night
        at_utc(2026, 10, 25, 1, 30),  # Sunday 01:30 GMT, the second
        at_utc(2026, 11, 22, 23, 30),  # Sunday 23:30 GMT
    ]
    write(admin_sync, *(visit(moment) for moment in planned))


def test_weekday_and_hour_spread_in_local_time(spread_visits, acme, client_as):
    payload = fetch(client_as(acme.home_manager), date_from="2026-03-01", date_to="2026-11-27")

    weekdays = table_of(payload, "weekdays")
    assert [row[:2] for row in weekdays["rows"]] == [
        ["Monday", 1],
        ["Tuesday", 1],
        ["Wednesday", 1],
        ["Thursday", 0],
        ["Friday", 0],
        ["Saturday", 0],
        ["Sunday", 6],
    ]
    assert weekdays["rows"][6][2] == 6 / 9
    hours = {row[0]: row[1] for row in table_of(payload, "hours")["rows"]}
    assert len(hours) == 24
    assert {h: n for h, n in hours.items() if n} == {
        "00:00": 3,
        "01:00": 2,
        "02:00": 1,
        "10:00": 1,
        "15:00": 1,
        "23:00": 1,
    }


def test_spread_when_the_range_ends_on_the_day_the_clocks_go_forward(
    spread_visits, acme, client_as
):
    payload = fetch(client_as(acme.home_manager), date_from="2026-03-01", date_to="2026-03-29")

    hours = {row[0]: row[1] for row in table_of(payload, "hours")["rows"] if row[1]}
    assert hours == {"00:00": 1, "02:00": 1}  # 00:30 GMT and 02:30 BST
    assert column_values(table_of(payload, "weekdays"), "visits") == [0, 0, 0, 0, 0, 0, 2]


def test_no_visits_at_all(acme, checklist, client_as, frozen_today):
    payload = fetch(client_as(acme.home_manager), **RANGE)

    assert table_of(payload, "types")["rows"] == [
        ["Announced", 0, None],
        ["Unannounced", 0, None],
        ["Responsive", 0, None],
    ]
    assert headline_of(payload)["Unannounced visits"] == "—"
    # Hal started on 6 Jan 2025: his first check was due on 3 Feb 2025.
    assert column_values(table_of(payload, "workers"), "status") == ["Overdue"]


def test_a_booked_re_check_sets_the_due_date_and_shows_its_focus(workers, acme, app, db, client_as):
    from careobs.actions import service as actions
    from careobs.checklists.models import ChecklistItem

    uma = db.get(StaffMember, workers["Uma Uptodate"].id)
    item = db.scalars(sa.select(ChecklistItem).order_by(ChecklistItem.id)).first()
    with app.app_context():
        from careobs.db import get_session

        session = get_session()
        admin = session.get(type(acme.admin), acme.admin.id)
        service = session.get(type(uma.service), uma.service_id)
        action = actions.create(
            session,
            admin,
            service=service,
            description="Medicines refresher",
            owner=None,
            due_on=date(2026, 12, 20),
            cqc_tags=["S6"],
        )
        actions.book_recheck(
            session,
            admin,
            action,
            staff=session.get(StaffMember, uma.id),
            due_by=date(2026, 12, 10),
            focus_item_keys=[item.key],
        )
        session.commit()

    payload = fetch(client_as(acme.home_manager), **RANGE)
    rows = {row[0]: row for row in table_of(payload, "workers")["rows"]}

    # Routinely due 31 Jan 2027; the re-check brings it forward to 10 Dec.
    assert rows["Uma Uptodate"][2:5] == [
        "Targeted re-check booked",
        "2026-12-10",
        "targeted re-check (action)",
    ]
    assert rows["Uma Uptodate"][-1] == item.text
    assert headline_of(payload)["Re-checks booked"] == "1"
