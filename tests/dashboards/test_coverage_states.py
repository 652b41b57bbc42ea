"""Coverage states a manager can trust (issue 12): a red result books and shows a re-check due
after red, a new starter past their first check is overdue, every row says why its date is due,
and a visit that scored nothing (every item N/A) checks nothing.

Everything is written through the real sync API (``/api/v1/sync``). The dashboards' clock is
fixed at noon UTC on Sunday 6 December 2026; the organisation's settings are the defaults (every
90 days; re-check 28 days after red; new starters within 28 days). Hal Homecare (Acme's own
homecare worker, started 6 January 2025, never visited) is in every list: his first check was
due on 3 February 2025.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from careobs.actions.models import RecheckBooking
from careobs.audit.models import AuditEvent
from careobs.db import get_session
from careobs.notifications.due import remind, visits_due
from careobs.notifications.models import Notification
from careobs.org.models import Service, StaffMember
from careobs.visits import documents
from careobs.visits.models import MonitoringVisit, VisitAnswer
from tests.support.dashboards import add_worker, html_tables, local, table_of
from tests.support.dashboards import headline as headline_of

TODAY = date(2026, 12, 6)
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
API = "/api/v1/dashboards/coverage"
RANGE = {"date_from": "2026-06-01", "date_to": "2026-12-06"}
# Hand hygiene (critical) and personal phone use Not met, one item Partly met: red.
RED = {9: "not_met", 16: "not_met", 2: "partly"}
ALL_NA = "Every item is N/A: a visit must rate at least one item."
HAL = ["Overdue", "2025-02-03", "first check (new starter)", 671]  # 3 Feb 2025 to 6 Dec 2026


@pytest.fixture
def today(monkeypatch):
    """The dashboards (and the worker page) on 6 December 2026."""
    monkeypatch.setattr("careobs.dashboards.views.utcnow", lambda: NOW)
    monkeypatch.setattr("careobs.dashboards.worker.utcnow", lambda: NOW)
    return TODAY


def coverage(client) -> dict:
    response = client.get(API, query_string=RANGE)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def rows_of(payload: dict) -> dict[str, dict]:
    """Each worker's row of the coverage list as {column key: value}, by name."""
    table = table_of(payload, "workers")
    keys = [c["key"] for c in table["columns"]]
    return {row[0]: dict(zip(keys, row, strict=True)) for row in table["rows"]}


def state(row: dict) -> list:
    return [row["status"], row["due"], row["due_because"], row["days_overdue"]]


def bookings(db) -> list[RecheckBooking]:
    db.expire_all()
    return list(db.scalars(sa.select(RecheckBooking).order_by(RecheckBooking.id)))


def stored_visit(db, document: dict) -> MonitoringVisit:
    db.expire_all()
    return db.scalar(
        sa.select(MonitoringVisit).where(MonitoringVisit.uuid == uuid.UUID(document["id"]))
    )


def run_remind(app, day: date) -> dict[str, int]:
    with app.app_context():
        sent = remind(get_session(), day)
        get_session().commit()
    return sent


def due_list(app, service, day: date) -> list[tuple]:
    with app.app_context():
        db = get_session()
        return [
            (d.staff.name, d.due_on, d.overdue, d.reason)
            for d in visits_due(db, db.get(Service, service.id), day)
        ]


def notices(db, kind: str) -> list[Notification]:
    db.expire_all()
    return list(
        db.scalars(
            sa.select(Notification).where(Notification.kind == kind).order_by(Notification.id)
        )
    )


# -- a red result -------------------------------------------------------------------------------


def test_a_red_visit_today_is_a_re_check_due_after_red_booked_reminded_and_fulfilled(
    app, db, acme, checklist, visit, admin_sync, client_as, today
):
    rose = add_worker(db, acme, "Rose Red", date(2024, 3, 4))
    red = visit(local(2026, 12, 6, 9), staff=rose, ratings=RED)
    assert admin_sync(red)[0]["status"] == "created"
    manager = client_as(acme.home_manager)

    # Red on 6 Dec: due 28 days later, 3 Jan 2027; not "Up to date", not "Due soon".
    payload = coverage(manager)
    row = rows_of(payload)["Rose Red"]
    assert state(row) == ["Re-check due after red", "2027-01-03", "re-check after red", None]
    assert (row["last_visit"], row["days_since"]) == ("2026-12-06", 0)
    assert row["recheck_focus"] == "Hand hygiene before contact; No personal phone use"
    assert headline_of(payload)["Re-checks due after red"] == "1"
    assert headline_of(payload)["Overdue"] == "1"  # Hal

    # Booked once, by the red visit, in the submission's transaction.
    visit_row = stored_visit(db, red)
    [booking] = bookings(db)
    assert (booking.after_visit_id, booking.action_id) == (visit_row.id, None)
    assert (booking.staff_id, booking.due_by) == (rose.id, date(2027, 1, 3))
    assert booking.focus_item_keys == [str(checklist.items[9].key), str(checklist.items[16].key)]
    assert booking.fulfilled_at is None
    booked = db.scalars(
        sa.select(AuditEvent.summary).where(AuditEvent.action == "recheck_booked")
    ).all()
    assert booked == [
        f"after red monitoring visit {red['id']}: re-check by 2027-01-03, 2 focus items"
    ]

    # The same visit sent again (a device retrying) books nothing more.
    assert admin_sync(red)[0]["status"] == "unchanged"
    assert len(bookings(db)) == 1

    # The daily reminders list it from a week before its date: in the service's count, and on
    # its own, linking to the red visit.
    assert due_list(app, acme.homecare, date(2026, 12, 26)) == [
        ("Hal Homecare", date(2025, 2, 3), True, "first check (new starter)")
    ]
    assert run_remind(app, date(2026, 12, 26))["recheck_due"] == 0
    assert due_list(app, acme.homecare, date(2026, 12, 27)) == [
        ("Hal Homecare", date(2025, 2, 3), True, "first check (new starter)"),
        ("Rose Red", date(2027, 1, 3), False, "re-check after red"),
    ]
    sent = run_remind(app, date(2026, 12, 27))
    # The homecare manager and the supervisor of both services, once each.
    assert (sent["visits_due"], sent["recheck_due"]) == (2, 2)
    summaries = [n for n in notices(db, "visits_due") if n.dedupe_key.endswith("2026-12-27")]
    assert {n.user_id for n in summaries} == {acme.home_manager.id, acme.supervisor.id}
    assert {n.body for n in summaries} == {
        "2 care workers due a monitoring visit this week (1 overdue, 1 re-check after red)."
    }
    rechecks = notices(db, "recheck_due")
    assert {n.user_id for n in rechecks} == {acme.home_manager.id, acme.supervisor.id}
    assert {(n.link, n.body) for n in rechecks} == {
        (f"/visits/{red['id']}", "A re-check after a red result is due by 3 Jan 2027.")
    }
    assert run_remind(app, date(2026, 12, 27))["recheck_due"] == 0  # once per day and date

    # Her next visit, later the same day, is the re-check: the booking is fulfilled by it and
    # she is up to date for 90 days.
    again = visit(local(2026, 12, 6, 11), staff=rose)
    assert admin_sync(again)[0]["status"] == "created"
    [booking] = bookings(db)
    assert booking.fulfilled_by_visit_id == stored_visit(db, again).id
    payload = coverage(manager)
    row = rows_of(payload)["Rose Red"]
    assert state(row) == ["Up to date", "2027-03-06", "regular interval", None]
    assert row["recheck_focus"] == ""
    assert headline_of(payload)["Re-checks due after red"] == "0"
    assert run_remind(app, date(2027, 1, 3))["recheck_due"] == 0


def test_a_re_check_after_red_whose_date_has_passed_is_overdue(
    db, acme, visit, admin_sync, client_as, today
):
    rory = add_worker(db, acme, "Rory Red", date(2024, 3, 4))
    assert admin_sync(visit(local(2026, 11, 1, 10), staff=rory, ratings=RED))[0]["status"] == (
        "created"
    )

    payload = coverage(client_as(acme.home_manager))

    # 1 Nov + 28 days = 29 Nov, 7 days before 6 Dec.
    assert state(rows_of(payload)["Rory Red"]) == [
        "Overdue",
        "2026-11-29",
        "re-check after red",
        7,
    ]
    assert headline_of(payload)["Overdue"] == "2"  # Rory and Hal
    assert headline_of(payload)["Re-checks due after red"] == "0"


def test_a_red_visit_that_arrives_after_a_later_visit_is_booked_as_already_done(
    db, acme, visit, admin_sync, client_as, today
):
    """Two phones: the 11:00 visit reaches the server before the red one made at 09:00."""
    rose = add_worker(db, acme, "Rose Red", date(2024, 3, 4))
    later = visit(local(2026, 12, 6, 11), staff=rose)
    red = visit(local(2026, 12, 6, 9), staff=rose, ratings=RED)
    assert [r["status"] for r in admin_sync(later, red)] == ["created", "created"]

    [booking] = bookings(db)
    assert booking.after_visit_id == stored_visit(db, red).id
    assert booking.fulfilled_by_visit_id == stored_visit(db, later).id
    assert state(rows_of(coverage(client_as(acme.home_manager)))["Rose Red"]) == [
        "Up to date",
        "2027-03-06",
        "regular interval",
        None,
    ]


def test_a_red_draft_books_nothing_until_it_is_submitted_then_books_once(
    db, acme, visit, admin_sync, today
):
    rose = add_worker(db, acme, "Rose Red", date(2024, 3, 4))
    draft = visit(local(2026, 12, 6, 9), staff=rose, ratings=RED, status="draft")
    assert admin_sync(draft)[0]["status"] == "created"
    assert bookings(db) == []

    submitted = {**draft, "revision": 2, "data": {**draft["data"], "status": "submitted"}}
    assert admin_sync(submitted)[0]["status"] == "updated"
    assert admin_sync(submitted)[0]["status"] == "unchanged"
    assert [b.after_visit_id for b in bookings(db)] == [stored_visit(db, draft).id]


def test_a_submitted_red_visit_cannot_be_made_green_by_a_later_revision(
    db, acme, visit, admin_sync, client_as, today
):
    """A submitted document never changes (a different copy is a conflict, kept for review),
    so a booking made by a red visit is never left behind by a visit that stopped being red."""
    rose = add_worker(db, acme, "Rose Red", date(2024, 3, 4))
    red = visit(local(2026, 12, 6, 9), staff=rose, ratings=RED)
    assert admin_sync(red)[0]["status"] == "created"
    green = {**visit(local(2026, 12, 6, 9), staff=rose), "id": red["id"], "revision": 2}

    assert admin_sync(green)[0]["status"] == "conflict"

    assert stored_visit(db, red).band == "red"
    [booking] = bookings(db)
    assert booking.fulfilled_at is None
    assert rows_of(coverage(client_as(acme.home_manager)))["Rose Red"]["status"] == (
        "Re-check due after red"
    )


# -- new starters, and why each date is due ---------------------------------------------------


def test_a_new_starter_past_their_first_check_is_overdue_and_counted(
    db, acme, client_as, today, checklist
):
    add_worker(db, acme, "Mae May", date(2026, 5, 20))
    add_worker(db, acme, "Nico Newer", date(2026, 11, 20))
    add_worker(db, acme, "Una Undated", None)

    payload = coverage(client_as(acme.home_manager))
    rows = rows_of(payload)

    # Started 20 May: first check due within 28 days, by 17 June, 172 days before 6 Dec.
    assert state(rows["Mae May"]) == ["Overdue", "2026-06-17", "first check (new starter)", 172]
    assert state(rows["Hal Homecare"]) == HAL
    assert state(rows["Nico Newer"]) == [
        "New starter — first check due",
        "2026-12-18",
        "first check (new starter)",
        None,
    ]
    # Neither a scored visit nor a start date: never checked, no date to count from.
    assert state(rows["Una Undated"]) == [
        "Never checked",
        None,
        "never checked (no start date)",
        None,
    ]
    counts = headline_of(payload)
    assert (counts["Overdue"], counts["Never checked"], counts["New starters due"]) == (
        "2",
        "1",
        "1",
    )
    assert [r for r in rows] == ["Hal Homecare", "Mae May", "Una Undated", "Nico Newer"]


def test_the_page_and_csv_show_why_each_date_is_due(
    db, acme, visit, admin_sync, client_as, login_as, today
):
    rose = add_worker(db, acme, "Rose Red", date(2024, 3, 4))
    add_worker(db, acme, "Mae May", date(2026, 5, 20))
    assert admin_sync(visit(local(2026, 12, 6, 9), staff=rose, ratings=RED))[0]["status"] == (
        "created"
    )
    manager = client_as(acme.home_manager)

    page = manager.get("/dashboards/coverage", query_string=RANGE)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Due because" in text
    assert "Re-checks due after red" in text
    shown = {row[0]: row for row in html_tables(text)["workers"]}
    assert shown["Rose Red"][2:6] == [
        "Re-check due after red",
        "3 Jan 2027",
        "re-check after red",
        "—",
    ]
    assert shown["Mae May"][2:6] == ["Overdue", "17 Jun 2026", "first check (new starter)", "172"]

    response = manager.get("/dashboards/coverage.csv", query_string=RANGE | {"table": "workers"})
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert lines[0][:6] == [
        "Care worker",
        "Service",
        "Status",
        "Next check due",
        "Due because",
        "Days overdue",
    ]
    by_name = {line[0]: line for line in lines[1:]}
    assert by_name["Rose Red"][2:6] == [
        "Re-check due after red",
        "2027-01-03",
        "re-check after red",
        "",
    ]
    assert by_name["Mae May"][2:6] == ["Overdue", "2026-06-17", "first check (new starter)", "172"]

    # A care worker may not see coverage, as before.
    carer = login_as(acme.staff)
    for url in ("/dashboards/coverage", "/dashboards/coverage.csv", API):
        assert carer.get(url, query_string=RANGE | {"table": "workers"}).status_code == 403, url


def test_the_worker_page_shows_managers_the_next_check_but_not_the_worker(
    db, data, acme, visit, admin_sync, client_as, login_as, today
):
    rose = add_worker(db, acme, "Rose Red", date(2024, 3, 4))
    rose_login = data.user(acme.org, "rose@acme.test", "Rose Red", roles={acme.homecare: "staff"})
    db.get(StaffMember, rose.id).user_id = rose_login.id
    db.commit()
    assert admin_sync(visit(local(2026, 12, 6, 9), staff=rose, ratings=RED))[0]["status"] == (
        "created"
    )
    url = f"/api/v1/dashboards/workers/{rose.uuid}"

    managed = client_as(acme.home_manager).get(url).get_json()
    [row] = table_of(managed, "next_check")["rows"]
    assert row == [
        "Re-check due after red",
        "2027-01-03",
        "re-check after red",
        None,
        "2026-12-06",
        "Hand hygiene before contact; No personal phone use",
    ]
    page = client_as(acme.home_manager).get(f"/dashboards/workers/{rose.uuid}")
    assert html_tables(page.get_data(as_text=True))["next_check"][0][:3] == [
        "Re-check due after red",
        "3 Jan 2027",
        "re-check after red",
    ]

    # Checks are meant to be unannounced: the worker is not told when the next one is due.
    own = login_as(rose_login).get(url).get_json()
    assert [t["key"] for t in own["tables"]] == ["scores", "feedback"]


# -- a visit that scored nothing ---------------------------------------------------------------


def test_a_submitted_visit_with_every_item_na_is_refused_and_nothing_is_written(
    db, acme, visit, admin_sync, today
):
    rose = add_worker(db, acme, "Rose Red", date(2024, 3, 4))
    document = visit(local(2026, 12, 6, 9), staff=rose, rating="na")

    [result] = admin_sync(document)

    assert result["status"] == "invalid"
    assert result["errors"] == {"answers": [ALL_NA]}
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(MonitoringVisit)) == 0
    assert db.scalar(sa.select(sa.func.count()).select_from(VisitAnswer)) == 0
    events = db.scalars(sa.select(AuditEvent.action)).all()
    assert not [e for e in events if e.startswith(("visit_", "recheck_", "feedback_"))]
    assert bookings(db) == []

    # One item rated (the rest N/A) is a visit: 2 of 2 points, green.
    one = visit(local(2026, 12, 6, 9), staff=rose, rating="na", ratings={0: "met"})
    assert admin_sync(one)[0]["status"] == "created"
    assert (stored_visit(db, one).score, stored_visit(db, one).band) == (100.0, "green")


@pytest.fixture
def old_unscored_submissions(monkeypatch):
    """Let the sync store a submitted visit with every item N/A, as it did before issue 12:
    checked as a draft (which may be all N/A), then written as submitted."""
    original = documents.validate

    def validate(data, rosters):
        clean, errors = original({**data, "status": "draft"}, rosters)
        if clean is not None:
            clean.status = data["status"]
        return clean, errors

    monkeypatch.setattr(documents, "validate", validate)


def test_an_old_stored_visit_with_no_score_counts_as_no_check(
    app, db, acme, visit, admin_sync, client_as, today, old_unscored_submissions
):
    olive = add_worker(db, acme, "Olive Old", date(2024, 3, 4))
    rory = add_worker(db, acme, "Rory Red", date(2024, 3, 4))
    write = [
        visit(local(2026, 8, 1, 10), staff=olive, visit_type="announced"),  # due 30 Oct
        visit(local(2026, 11, 20, 10), staff=rory, ratings=RED),  # re-check due 18 Dec
    ]
    assert [r["status"] for r in admin_sync(*write)] == ["created", "created"]
    unscored = [
        visit(local(2026, 12, 1, 10), staff=olive, rating="na", visit_type="unannounced"),
        visit(local(2026, 12, 2, 10), staff=rory, rating="na"),
    ]
    assert [r["status"] for r in admin_sync(*unscored)] == ["created", "created"]
    # As the old code stored them: submitted, no score, yet a next check 90 days out (the code
    # now stores none for them, and migration 0013 clears the dates: coverage must not need it).
    for document, next_check in zip(unscored, (date(2027, 3, 1), date(2027, 3, 2)), strict=True):
        stored = stored_visit(db, document)
        assert (stored.status, stored.score, stored.band) == ("submitted", None, None)
        assert stored.next_check_on is None
        stored.next_check_on = next_check
    db.commit()

    rows = rows_of(coverage(client_as(acme.home_manager)))

    # Olive is still overdue from her August visit; her unscored "unannounced" visit is not
    # her last unannounced one either.
    assert state(rows["Olive Old"]) == ["Overdue", "2026-10-30", "regular interval", 37]
    assert (rows["Olive Old"]["last_visit"], rows["Olive Old"]["last_unannounced"]) == (
        "2026-08-01",
        None,
    )
    # Rory's re-check after red is still due: the unscored visit did not fulfil it.
    assert state(rows["Rory Red"]) == [
        "Re-check due after red",
        "2026-12-18",
        "re-check after red",
        None,
    ]
    [booking] = bookings(db)
    assert booking.fulfilled_at is None
    # The daily reminders agree.
    assert due_list(app, acme.homecare, TODAY) == [
        ("Hal Homecare", date(2025, 2, 3), True, "first check (new starter)"),
        ("Olive Old", date(2026, 10, 30), True, "regular interval"),
    ]
    assert due_list(app, acme.homecare, date(2026, 12, 11))[-1] == (
        "Rory Red",
        date(2026, 12, 18),
        False,
        "re-check after red",
    )
