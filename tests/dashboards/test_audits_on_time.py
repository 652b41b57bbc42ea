"""Scheduled audits done on time on the audits dashboard, against figures worked out by hand.

Acme Care House, the dashboards' clock at 27 Nov 2026 (noon UTC), September to November by month:

- Care plan audit, every 30 days from 1 Sep, for R01 and R02.
  R01: done 1 Sep (due 1 Sep: on time), 5 Oct (due 1 Oct: late), 3 Nov (due 4 Nov: on time);
  next due 3 Dec, after today. R02: a draft on 2 Sep (closes nothing), done 15 Oct (due 1 Sep:
  late; 1 Oct left empty: missed); next due 14 Nov, not done by today: missed.
  Sep 1 of 2, Oct 0 of 2, Nov 1 of 2: 2 of 6.
- Infection prevention and control audit, every 30 days from 1 Oct, for the Lounge and the
  Dining room. Lounge: done 1 Oct and 30 Oct (due 31 Oct), both on time; next due 29 Nov.
  Dining room: never done, so 1 Oct and 31 Oct missed (30 Nov is after today).
  Sep nothing, Oct 2 of 4, Nov nothing: 2 of 4.
- The medicines records audit is done (R01, 6 Oct) but not scheduled; the behaviour and
  incidents review is neither: both are named as not scheduled, and counted nowhere.
- Acme Care Homecare (the admin's, not the manager's): care plan every 30 days from 1 Nov for
  H01 and H02, never done: 0 of 2.

Manager: 4 of 10 on time (40.0%).
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from careobs.audits import schedules
from careobs.checklists.models import Checklist
from careobs.org.models import Person, Service
from tests.support.audits import CARE_PLAN, INCIDENTS, IPC, MAR, area, audit_doc, person
from tests.support.dashboards import NOW, html_tables, local, rendered, table_of, write
from tests.support.dashboards import headline as headline_of
from tests.support.sync import iso

API = "/api/v1/dashboards/audits"
RANGE = {"date_from": "2026-09-01", "date_to": "2026-11-27", "grouping": "month"}
HOUSE, HOMECARE = "Acme Care House", "Acme Care Homecare"
ON_TIME = "Scheduled audits done on time"


@pytest.fixture
def templates(app, db, acme):
    from tests.support.audits import starter_templates

    return starter_templates(app, db, acme.org.id)


@pytest.fixture(autouse=True)
def clock(monkeypatch, frozen_today):
    """The dashboards' today: 27 Nov 2026, for what has fallen due as for the default dates."""
    monkeypatch.setattr("careobs.dashboards.audits.utcnow", lambda: NOW)


def schedule(db, acme, service, name: str, every: int, starts_on: date) -> None:
    template = db.scalar(
        sa.select(Checklist).where(Checklist.organisation_id == acme.org.id, Checklist.name == name)
    )
    schedules.add_schedule(db, db.get(Service, service.id), template, every, starts_on, acme.admin)
    db.commit()


def done(service, template, subject, day: date, **fields) -> dict:
    when = local(day.year, day.month, day.day, 10)
    return audit_doc(
        service,
        template,
        subject,
        started_at=iso(when),
        ended_at=iso(when + timedelta(minutes=20)),
        **fields,
    )


@pytest.fixture
def scheduled(app, db, acme, templates, admin_sync):
    home, cp, ipc = acme.care_home, templates[CARE_PLAN], templates[IPC]
    schedule(db, acme, home, CARE_PLAN, 30, date(2026, 9, 1))
    schedule(db, acme, home, IPC, 30, date(2026, 10, 1))
    schedule(db, acme, acme.homecare, CARE_PLAN, 30, date(2026, 11, 1))
    lounge = area(acme.areas["Lounge"])
    write(
        admin_sync,
        done(home, cp, person("R01"), date(2026, 9, 1)),
        done(home, cp, person("R01"), date(2026, 10, 5)),
        done(home, cp, person("R01"), date(2026, 11, 3)),
        done(home, cp, person("R02"), date(2026, 9, 2), status="draft"),
        done(home, cp, person("R02"), date(2026, 10, 15)),
        done(home, ipc, lounge, date(2026, 10, 1)),
        done(home, ipc, lounge, date(2026, 10, 30)),
        done(home, templates[MAR], person("R01"), date(2026, 10, 6)),
    )


def fetch(client, **params) -> dict:
    response = client.get(API, query_string=RANGE | params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_per_template_and_service_over_the_period(scheduled, acme, client_as):
    table = table_of(fetch(client_as(acme.manager)), "ontime")

    assert [row[:8] for row in table["rows"]] == [
        # template, service, every, subjects, fell due, on time, late or missed, rate
        [CARE_PLAN, HOUSE, 30, 2, 6, 2, 4, pytest.approx(2 / 6)],
        [IPC, HOUSE, 30, 2, 4, 2, 2, pytest.approx(0.5)],
    ]
    assert table["rows"][0][8] == (
        f"{HOUSE}: 2 of 6 care plan audits due 1 Sep – 27 Nov 2026 were done by their due "
        "date (33%)."
    )
    # Said plainly: which templates have no schedule here, so count nowhere.
    assert f"not counted: {INCIDENTS}, {MAR}." in table["caption"]


def test_per_month_adds_up_to_the_period(scheduled, acme, client_as):
    payload = fetch(client_as(acme.manager))
    table = table_of(payload, "ontime_periods")

    assert [row[:7] for row in table["rows"]] == [
        # template, service, month, fell due, on time, late or missed, rate
        [CARE_PLAN, HOUSE, "Sep 2026", 2, 1, 1, pytest.approx(0.5)],
        [CARE_PLAN, HOUSE, "Oct 2026", 2, 0, 2, 0.0],
        [CARE_PLAN, HOUSE, "Nov 2026 (part)", 2, 1, 1, pytest.approx(0.5)],
        [IPC, HOUSE, "Sep 2026", 0, 0, 0, None],
        [IPC, HOUSE, "Oct 2026", 4, 2, 2, pytest.approx(0.5)],
        [IPC, HOUSE, "Nov 2026 (part)", 0, 0, 0, None],
    ]
    words = {(row[0], row[2]): row[7] for row in table["rows"]}
    assert words[(CARE_PLAN, "Oct 2026")] == (
        "0 of 2 care plan audits due in October 2026 were done by their due date (0%)."
    )
    assert words[(IPC, "Sep 2026")] == (
        "No infection prevention and control and environment audit fell due in September 2026."
    )
    assert words[(CARE_PLAN, "Nov 2026 (part)")].startswith("1 of 2 care plan audits due 1 – 27")
    overall = {row[0]: row for row in table_of(payload, "ontime")["rows"]}
    for template, row in overall.items():
        months = [r for r in table["rows"] if r[0] == template]
        for column in (4, 5, 6):  # fell due, on time, late or missed
            assert sum(r[column - 1] for r in months) == row[column]


def test_by_week_the_weeks_add_up_to_the_same(scheduled, acme, client_as):
    client = client_as(acme.manager)
    weeks = table_of(fetch(client, grouping="week"), "ontime_periods")["rows"]
    overall = table_of(fetch(client), "ontime")["rows"]

    for row in overall:
        mine = [w for w in weeks if w[0] == row[0]]
        assert (sum(w[3] for w in mine), sum(w[4] for w in mine)) == (row[4], row[5])
    first_due = next(w for w in weeks if w[0] == IPC and w[3])
    assert first_due[2] == "w/c 28 Sep 2026" and first_due[3:5] == [2, 1]


def test_headline_over_every_scheduled_template(scheduled, acme, client_as):
    manager = headline_of(fetch(client_as(acme.manager)))
    admin = headline_of(fetch(client_as(acme.admin)))

    assert manager[ON_TIME] == "4 of 10 that fell due (40.0%)"
    # The admin also sees Acme Care Homecare's two care plans, due 1 Nov and missed.
    assert admin[ON_TIME] == "4 of 12 that fell due (33.3%)"


def test_the_admin_sees_each_service_on_its_own_row(scheduled, acme, client_as):
    rows = table_of(fetch(client_as(acme.admin)), "ontime")["rows"]

    assert [row[:7] for row in rows] == [
        [CARE_PLAN, HOMECARE, 30, 2, 2, 0, 2],
        [CARE_PLAN, HOUSE, 30, 2, 6, 2, 4],
        [IPC, HOUSE, 30, 2, 4, 2, 2],
    ]


def test_a_template_filter_narrows_it(scheduled, acme, client_as, templates):
    client = client_as(acme.manager)
    ipc = fetch(client, template=templates[IPC].id)
    mar = fetch(client, template=templates[MAR].id)

    assert [row[:2] for row in table_of(ipc, "ontime")["rows"]] == [[IPC, HOUSE]]
    assert headline_of(ipc)[ON_TIME] == "2 of 4 that fell due (50.0%)"
    assert "not counted" not in table_of(ipc, "ontime")["caption"]
    # Scheduled nowhere: said so, not an empty table with no reason.
    assert table_of(mar, "ontime")["rows"] == []
    assert headline_of(mar)[ON_TIME] == "— (not scheduled in these services)"
    page = client.get("/dashboards/audits", query_string=RANGE | {"template": templates[MAR].id})
    assert f"{MAR} has no schedule in these services" in page.get_data(as_text=True)


def test_nothing_scheduled_says_so(acme, client_as, templates):
    payload = fetch(client_as(acme.manager))

    assert table_of(payload, "ontime")["rows"] == []
    assert headline_of(payload)[ON_TIME] == "— (not scheduled in these services)"


def test_nothing_falls_due_after_today(scheduled, acme, client_as):
    """To 31 Dec: R01's 3 Dec and the Lounge's 29 Nov have not fallen due on 27 Nov."""
    payload = fetch(client_as(acme.manager), date_to="2026-12-31")

    assert headline_of(payload)[ON_TIME] == "4 of 10 that fell due (40.0%)"
    december = [r for r in table_of(payload, "ontime_periods")["rows"] if r[2] == "Dec 2026"]
    assert [r[3] for r in december] == [0, 0]


@pytest.mark.parametrize("key", ["ontime", "ontime_periods"])
def test_csv_and_page_match_the_table(scheduled, acme, client_as, key):
    client = client_as(acme.manager)
    table = table_of(fetch(client), key)

    response = client.get("/dashboards/audits.csv", query_string=RANGE | {"table": key})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[1:] == rendered(table, for_csv=True)
    assert len(rows) > 1

    page = client.get("/dashboards/audits", query_string=RANGE)
    assert html_tables(page.get_data(as_text=True))[key] == rendered(table)


def test_queries_do_not_grow_with_the_subjects(scheduled, app, db, acme, client_as):
    """The due computation reads a bounded number of queries per service, never one per
    person or per audit: twenty more people leave the count of statements unchanged."""
    client = client_as(acme.manager)
    engine = app.extensions["careobs.engine"]

    def statements() -> int:
        seen: list[str] = []

        def count(conn, cursor, statement, *args):
            seen.append(statement)

        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            fetch(client)
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    before = statements()
    for n in range(20):
        db.add(Person(organisation_id=acme.org.id, service_id=acme.care_home.id, code=f"Z{n:02}"))
    db.commit()
    after = statements()

    assert after == before
    assert table_of(fetch(client), "ontime")["rows"][0][3] == 22  # the new people are counted
