"""What audits are due (careobs.audits.due), against dates worked out by hand.

The care plan audit (person) is scheduled at Acme House for R01 and R02, every 30 days from
1 Nov 2026; audits are sent through the sync API as the supervisor, carried out at 09:00 UTC
(the same day in London in November and December).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from careobs.audits import due, schedules
from careobs.audits.due import Occurrence, walk
from careobs.checklists.models import Checklist
from careobs.org.models import Service
from tests.support.audits import CARE_PLAN, INCIDENTS, IPC, area, audit_doc, person, whole_service
from tests.support.sync import iso

START = date(2026, 11, 1)


def at(day: date) -> str:
    return iso(datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC))


@pytest.fixture
def supervisor(org, client_as):
    return client_as(org.supervisor)


@pytest.fixture
def schedule(app, db, org, templates):
    """Schedule a template at the care home (default: the care plan audit every 30 days)."""

    def make(name=CARE_PLAN, frequency=30, starts_on=START, service=None):
        with app.app_context():
            service = db.get(Service, (service or org.care_home).id)
            template = db.scalar(
                sa.select(Checklist).where(
                    Checklist.organisation_id == org.org.id, Checklist.name == name
                )
            )
            made, _ = schedules.add_schedule(
                db, service, template, frequency, starts_on, org.manager
            )
            db.commit()
            return made

    return make


@pytest.fixture
def audited(org, supervisor, templates):
    """``audited(day, "R01")``: a submitted care plan audit of R01 carried out on ``day``."""

    def send(day: date, subject="R01", name=CARE_PLAN, status="submitted"):
        subject = person(subject) if isinstance(subject, str) else subject
        doc = audit_doc(
            org.care_home,
            templates[name],
            subject,
            started_at=at(day),
            ended_at=at(day),
            status=status,
        )
        [result] = supervisor(doc)
        assert result["status"] == "created", result

    return send


def items_on(app, db, org, today: date) -> dict[str, due.DueItem]:
    """The care home's due items on ``today``, by subject."""
    with app.app_context():
        db.expire_all()
        service = db.get(Service, org.care_home.id)
        return {i.subject_text: i for i in due.service_due(db, service, today)}


# --- the rules, as a pure function ----------------------------------------------------------------


def test_walk_never_done_is_due_on_the_start_date():
    assert walk(START, 30, []) == ([], START)


def test_walk_two_audits_on_one_day_close_one_slot():
    occurrences, next_due = walk(START, 30, [date(2026, 11, 1), date(2026, 11, 1)])
    assert occurrences == [Occurrence(date(2026, 11, 1), date(2026, 11, 1))]
    assert next_due == date(2026, 12, 1)


def test_walk_done_late_then_early():
    occurrences, next_due = walk(START, 30, [date(2026, 11, 5), date(2026, 11, 20)])
    # 5 Nov: 4 days after 1 Nov (late); next due 5 Dec; done early on 20 Nov; next 20 Dec.
    assert occurrences == [
        Occurrence(date(2026, 11, 1), date(2026, 11, 5)),
        Occurrence(date(2026, 12, 5), date(2026, 11, 20)),
    ]
    assert [o.on_time for o in occurrences] == [False, True]
    assert next_due == date(2026, 12, 20)


def test_walk_a_very_late_audit_misses_the_slots_it_left_empty():
    # Due 1 Nov, done 5 Jan: 1 Nov late, 1 Dec and 31 Dec missed; next due 4 Feb.
    occurrences, next_due = walk(START, 30, [date(2027, 1, 5)])
    assert occurrences == [
        Occurrence(date(2026, 11, 1), date(2027, 1, 5)),
        Occurrence(date(2026, 12, 1), None),
        Occurrence(date(2026, 12, 31), None),
    ]
    assert not any(o.on_time for o in occurrences)
    assert next_due == date(2027, 2, 4)


def test_walk_an_audit_before_the_schedule_only_moves_the_first_due_date():
    # Audited 20 Oct, schedule from 1 Nov every 30 days: first due 19 Nov, nothing fell due.
    assert walk(START, 30, [date(2026, 10, 20)]) == ([], date(2026, 11, 19))
    # Audited long before: the first due date stays the start date.
    assert walk(START, 30, [date(2026, 6, 1)]) == ([], START)


# --- from the database ----------------------------------------------------------------------------


def test_never_done_is_overdue_from_the_day_after_the_start(app, db, org, schedule):
    schedule()

    on_start = items_on(app, db, org, START)
    later = items_on(app, db, org, date(2026, 11, 20))

    assert sorted(on_start) == ["R01", "R02"]
    assert on_start["R01"].status == "due" and on_start["R01"].due_on == START
    assert later["R01"].status == "overdue" and later["R01"].days_overdue == 19
    assert later["R01"].last_done is None and later["R01"].status_label == "Overdue"
    assert later["R01"].start_link == (  # the ids as the bootstrap writes them
        f"/audits/record?template={later['R01'].template.uuid}"
        f"&service={org.care_home.uuid}&subject=R01"
    )


def test_done_late_then_done_on_time(app, db, org, schedule, audited):
    schedule()
    audited(date(2026, 11, 5))  # due 1 Nov: 4 days late

    item = items_on(app, db, org, date(2026, 11, 20))["R01"]
    assert (item.status, item.status_label) == ("done", "Done late")
    assert (item.last_done, item.due_on) == (date(2026, 11, 5), date(2026, 12, 5))

    audited(date(2026, 12, 3))  # due 5 Dec: on time
    item = items_on(app, db, org, date(2026, 12, 10))["R01"]
    assert (item.status_label, item.due_on) == ("Done on time", date(2027, 1, 2))
    # Due within a week of 2 Jan, overdue after it.
    assert items_on(app, db, org, date(2026, 12, 28))["R01"].status == "due"
    assert items_on(app, db, org, date(2027, 1, 3))["R01"].status == "overdue"


def test_an_audit_done_after_missed_slots_is_the_last_one_done(app, db, org, schedule, audited):
    """Due 1 Nov, done 3 Dec: the 1 Dec slot was left empty (missed), the audit of 3 Dec is the
    last done and the next is due 30 days after it."""
    schedule()
    audited(date(2026, 12, 3))

    item = items_on(app, db, org, date(2026, 12, 5))["R01"]
    assert (item.last_done, item.due_on) == (date(2026, 12, 3), date(2027, 1, 2))
    assert item.status_label == "Done late"


def test_done_early_makes_the_next_one_due_early(app, db, org, schedule, audited):
    schedule()
    audited(date(2026, 11, 1))
    audited(date(2026, 11, 10))  # the next was due 1 Dec: done early

    item = items_on(app, db, org, date(2026, 11, 12))["R01"]
    assert item.due_on == date(2026, 12, 10) and item.status_label == "Done on time"


def test_a_draft_or_another_subject_closes_nothing(app, db, org, schedule, audited):
    schedule()
    audited(date(2026, 11, 2), status="draft")
    audited(date(2026, 11, 2), subject="R02")

    items = items_on(app, db, org, date(2026, 11, 20))
    assert items["R01"].status == "overdue"
    assert items["R02"].status == "done" and items["R02"].due_on == date(2026, 12, 2)


def test_a_stopped_schedule_has_nothing_due(app, db, org, schedule):
    made = schedule()
    with app.app_context():
        schedules.stop_schedule(db, db.get(schedules.AuditSchedule, made.id), org.manager)
        db.commit()

    assert items_on(app, db, org, date(2026, 11, 20)) == {}


def test_a_person_who_left_the_service_has_nothing_due(app, db, org, schedule):
    schedule()
    org.people["R02"].active = False
    db.commit()

    assert sorted(items_on(app, db, org, date(2026, 11, 20))) == ["R01"]


def test_a_changed_frequency_moves_the_next_due_date(app, db, org, schedule, audited, monkeypatch):
    """Done 3 Nov (next due 3 Dec); changed to every 7 days on 5 Nov: due 10 Nov at once."""
    made = schedule()
    audited(date(2026, 11, 3))
    monkeypatch.setattr(
        "careobs.org.service.utcnow", lambda: datetime(2026, 11, 5, 12, 0, tzinfo=UTC)
    )
    with app.app_context():
        changed = schedules.change_frequency(
            db, db.get(schedules.AuditSchedule, made.id), 7, org.manager
        )
        db.commit()

    assert changed is True
    assert items_on(app, db, org, date(2026, 11, 5))["R01"].due_on == date(2026, 11, 10)


def test_areas_and_the_whole_service_are_subjects(app, db, org, schedule, audited):
    schedule(IPC, frequency=30)
    schedule(INCIDENTS, frequency=30)
    audited(date(2026, 11, 2), subject=area(org.areas["Lounge"]), name=IPC)
    audited(date(2026, 11, 3), subject=whole_service(), name=INCIDENTS)

    items = items_on(app, db, org, date(2026, 11, 20))

    assert sorted(items) == ["Dining room", "Lounge", "the service"]
    assert items["Dining room"].status == "overdue"  # worst first
    assert items["Lounge"].due_on == date(2026, 12, 2)
    assert items["the service"].due_on == date(2026, 12, 3)
    assert items["the service"].start_link.endswith(f"service={org.care_home.uuid}")
    assert items["Lounge"].start_link.endswith(f"subject={org.areas['Lounge'].uuid}")
    with app.app_context():
        service = db.get(Service, org.care_home.id)
        ordered = due.service_due(db, service, date(2026, 11, 20))
    assert ordered[0].subject_text == "Dining room"


def test_the_done_on_time_rate_counts_what_fell_due(app, db, org, schedule, audited):
    """R01: due 1 Nov done 5 Nov (late), due 5 Dec done 3 Dec (on time), due 2 Jan not done
    by 10 Jan (late). R02: never done, so due 1 Nov, 1 Dec and 31 Dec and missed each time.
    So 1 of 6 on time."""
    schedule()
    audited(date(2026, 11, 5))
    audited(date(2026, 12, 3))
    today = date(2027, 1, 10)
    items = list(items_on(app, db, org, today).values())

    assert due.on_time_rate(items, date(2026, 11, 1), today) == (1, 6)
    # December alone: R01's 5 Dec (on time), R02's 1 Dec and 31 Dec (missed).
    assert due.on_time_rate(items, date(2026, 12, 1), date(2026, 12, 31)) == (1, 3)
    # Due today and not yet done is not late yet.
    on_the_day = list(items_on(app, db, org, date(2027, 1, 2)).values())
    assert due.on_time_rate(on_the_day, date(2027, 1, 1), date(2027, 1, 2)) == (0, 0)


def test_an_inactive_service_has_nothing_due(app, db, org, schedule):
    schedule()
    org.care_home.active = False
    db.commit()

    assert items_on(app, db, org, date(2026, 11, 20)) == {}


def test_one_query_reads_the_audits_whatever_their_number(app, db, org, schedule, audited):
    """The service's audits are read once, not once per subject (no N+1)."""
    schedule()
    schedule(IPC)
    for day in (date(2026, 11, 2), date(2026, 11, 9)):
        audited(day)
        audited(day, subject="R02")
    statements: list[str] = []
    engine = app.extensions["careobs.engine"]

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        items_on(app, db, org, date(2026, 11, 20))
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    audit_reads = [s for s in statements if "FROM audits" in s]
    assert len(audit_reads) == 1
    assert len(statements) <= 8  # service, schedules (+templates), subjects, audits, timezone


def test_what_fell_due_lists_the_done_the_gaps_and_the_undone_but_not_today(
    app, db, org, schedule, audited
):
    """R01: due 1 Nov, done 3 Dec (1 Dec left empty); next due 2 Jan. On 1 Feb: 2 Jan missed,
    and 1 Feb (2 Jan + 30) is today, not late yet. R02, never done: 1 Nov, 1 Dec, 31 Dec and
    30 Jan missed."""
    schedule()
    audited(date(2026, 12, 3))
    items = items_on(app, db, org, date(2027, 2, 1))

    assert due.fallen_due(items["R01"]) == [
        Occurrence(date(2026, 11, 1), date(2026, 12, 3)),
        Occurrence(date(2026, 12, 1), None),
        Occurrence(date(2027, 1, 2), None),
    ]
    assert [o.due_on for o in due.fallen_due(items["R02"])] == [
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2026, 12, 31),
        date(2027, 1, 30),
    ]
    assert not any(o.on_time for o in due.fallen_due(items["R02"]))


# --- frequency history: what fell due keeps the frequency of its time ---------------------------

NOV = START.replace  # a day of November 2026: NOV(day=20)


def on(monkeypatch, day: date) -> None:
    """Make ``day`` the organisation's today for what is written (changes, subjects added)."""
    monkeypatch.setattr(
        "careobs.org.service.utcnow",
        lambda: datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC),
    )


def change(app, db, org, made, days: int) -> bool:
    with app.app_context():
        changed = schedules.change_frequency(
            db, db.get(schedules.AuditSchedule, made.id), days, org.manager
        )
        db.commit()
        return changed


def history(db, made) -> list[tuple[date, int]]:
    db.expire_all()
    return list(
        db.execute(
            sa.select(
                schedules.AuditScheduleFrequency.from_on,
                schedules.AuditScheduleFrequency.frequency_days,
            )
            .where(schedules.AuditScheduleFrequency.schedule_id == made.id)
            .order_by(schedules.AuditScheduleFrequency.from_on)
        )
    )


def test_lengthening_keeps_the_slots_that_fell_due_before_the_change(
    app, db, org, schedule, monkeypatch
):
    """Every 7 days from 1 Nov, never done; every 30 from 1 Dec. November's slots stay weekly
    (1, 8, 15, 22, 29 Nov); the next follows 29 Nov: 6 Dec is after the change, so it becomes
    the later of 1 Dec and 29 Nov + 30 = 29 Dec. On 31 Dec: 6 fell due, none on time (with 30
    days throughout it would have been 1 Nov and 1 Dec only)."""
    made = schedule(frequency=7)
    on(monkeypatch, NOV(month=12, day=1))
    assert change(app, db, org, made, 30) is True

    assert history(db, made) == [(START, 7), (date(2026, 12, 1), 30)]
    r02 = items_on(app, db, org, date(2026, 12, 31))["R02"]
    assert [o.due_on for o in due.fallen_due(r02)] == [
        NOV(day=1),
        NOV(day=8),
        NOV(day=15),
        NOV(day=22),
        NOV(day=29),
        date(2026, 12, 29),
    ]
    assert due.on_time_rate([r02], START, date(2026, 12, 31)) == (0, 6)
    assert r02.due_on == START and r02.frequency_days == 30


def test_shortening_makes_what_is_pending_due_on_the_change_day(
    app, db, org, schedule, audited, monkeypatch
):
    """Every 30 days; R01 done 3 Nov (next due 3 Dec). Every 7 from 20 Nov: 3 Dec is after the
    change, so R01 falls due on the later of 20 Nov and 3 Nov + 7 = 20 Nov: due that day, not
    overdue for the past; missed on 25 Nov, and the next is 27 Nov."""
    made = schedule()
    audited(NOV(day=3))
    on(monkeypatch, NOV(day=20))
    change(app, db, org, made, 7)

    on_the_day = items_on(app, db, org, NOV(day=20))["R01"]
    assert (on_the_day.due_on, on_the_day.status) == (NOV(day=20), "due")
    later = items_on(app, db, org, NOV(day=25))["R01"]
    assert (later.status, later.days_overdue) == ("overdue", 5)
    assert due.fallen_due(later) == [
        Occurrence(NOV(day=1), NOV(day=3)),
        Occurrence(NOV(day=20), None),
    ]
    assert [o.due_on for o in due.fallen_due(items_on(app, db, org, NOV(day=28))["R01"])] == [
        NOV(day=1),
        NOV(day=20),
        NOV(day=27),
    ]


def test_two_changes_apply_in_turn(app, db, org, schedule, monkeypatch):
    """Every 30 from 1 Nov, never done; every 14 from 10 Nov; every 3 from 20 Nov. After 1 Nov:
    1 Dec, on or after 10 Nov, so the later of 10 Nov and 1 Nov + 14 = 15 Nov (before 20 Nov:
    kept). After 15 Nov: 29 Nov, on or after 20 Nov, so the later of 20 Nov and 18 Nov = 20 Nov.
    Then every 3 days: 23, 26, 29 Nov."""
    made = schedule()
    on(monkeypatch, NOV(day=10))
    change(app, db, org, made, 14)
    on(monkeypatch, NOV(day=20))
    change(app, db, org, made, 3)

    r02 = items_on(app, db, org, date(2026, 11, 30))["R02"]
    assert [o.due_on.day for o in due.fallen_due(r02)] == [1, 15, 20, 23, 26, 29]
    assert history(db, made) == [(START, 30), (NOV(day=10), 14), (NOV(day=20), 3)]


def test_a_second_change_the_same_day_replaces_that_days_row(app, db, org, schedule, monkeypatch):
    made = schedule()
    on(monkeypatch, NOV(day=10))
    change(app, db, org, made, 14)
    change(app, db, org, made, 21)
    assert change(app, db, org, made, 21) is False  # no change, nothing written

    assert history(db, made) == [(START, 30), (NOV(day=10), 21)]


def test_a_change_on_the_start_day_or_before_it_replaces_the_first_row(
    app, db, org, schedule, monkeypatch
):
    """Changed on its start day: one row, the new frequency from the start. A schedule that
    starts on 1 Dec, changed on 20 Nov: the change counts from its start."""
    made = schedule()
    on(monkeypatch, START)
    change(app, db, org, made, 14)
    assert history(db, made) == [(START, 14)]
    r01 = items_on(app, db, org, NOV(day=20))["R01"]
    assert [o.due_on.day for o in due.fallen_due(r01)] == [1, 15]

    later = schedule(IPC, starts_on=date(2026, 12, 1))
    on(monkeypatch, NOV(day=20))
    change(app, db, org, later, 10)
    assert history(db, later) == [(date(2026, 12, 1), 10)]


def test_a_restart_after_a_stop_starts_the_history_anew(app, db, org, schedule, monkeypatch):
    """Every 30 from 1 Nov, every 14 from 10 Nov, stopped; restarted every 7 from 5 Nov (before
    the 10 Nov change, which goes): R02, never done, falls due 5 Nov, then weekly: on 20 Nov 5,
    12 and 19 Nov fell due."""
    made = schedule()
    on(monkeypatch, NOV(day=10))
    change(app, db, org, made, 14)
    with app.app_context():
        schedules.stop_schedule(db, db.get(schedules.AuditSchedule, made.id), org.manager)
        db.commit()

    restarted = schedule(frequency=7, starts_on=NOV(day=5))

    assert restarted.id == made.id
    assert history(db, made) == [(START, 30), (NOV(day=5), 7)]
    r02 = items_on(app, db, org, NOV(day=20))["R02"]
    assert [o.due_on.day for o in due.fallen_due(r02)] == [5, 12, 19]


# --- subjects added after the schedule began ------------------------------------------------


def test_a_person_added_later_is_first_due_one_interval_after(
    app, db, org, schedule, audited, login_as, monkeypatch
):
    """Every 30 days from 1 Nov. R03, added on 20 Nov on the admin screen, is first due 20 Dec:
    nothing of hers fell due before (on 31 Dec: 20 Dec only). An audit on 22 Nov, before her
    first due date, only moves it to 22 Dec."""
    schedule()
    on(monkeypatch, NOV(day=20))
    admin = login_as(org.admin)
    response = admin.post(
        "/admin/people/new",
        data={"service": org.care_home.uuid.hex, "code": "R03", "consent": "not_recorded"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)

    r03 = items_on(app, db, org, date(2026, 12, 31))["R03"]
    assert r03.due_on == date(2026, 12, 20)
    assert [o.due_on for o in due.fallen_due(r03)] == [date(2026, 12, 20)]
    r03 = items_on(app, db, org, NOV(day=25))["R03"]
    assert (r03.status, r03.status_label) == ("upcoming", "Not due yet")  # never done, not due
    assert due.Summary.of([r03]) == due.Summary(overdue=0, due=0, due_today=0, done=0, upcoming=1)

    audited(NOV(day=22), subject="R03")
    assert items_on(app, db, org, NOV(day=25))["R03"].due_on == date(2026, 12, 22)


def test_a_person_made_active_again_is_due_one_interval_after(
    app, db, org, schedule, audited, login_as, monkeypatch
):
    """R02 left and came back on 15 Nov: first due 15 Dec, not overdue since 1 Nov."""
    schedule()
    org.people["R02"].active = False
    db.commit()
    on(monkeypatch, NOV(day=15))
    admin = login_as(org.admin)
    assert admin.post(f"/admin/people/{org.people['R02'].uuid}/active").status_code == 302

    r02 = items_on(app, db, org, NOV(day=20))["R02"]
    assert (r02.due_on, r02.status) == (date(2026, 12, 15), "upcoming")
    assert due.fallen_due(r02) == []
    # R01, there from the start (added_on empty), is overdue since 1 Nov as before.
    assert items_on(app, db, org, NOV(day=20))["R01"].status == "overdue"


def test_an_area_added_later_is_first_due_one_interval_after(
    app, db, org, schedule, login_as, monkeypatch
):
    schedule(IPC, frequency=30)
    on(monkeypatch, NOV(day=10))
    admin = login_as(org.admin)
    response = admin.post(
        f"/admin/services/{org.care_home.uuid}/areas", data={"name": "Garden room"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-600:]

    items = items_on(app, db, org, NOV(day=20))
    assert items["Garden room"].due_on == date(2026, 12, 10)
    assert items["Lounge"].due_on == START


def test_a_care_worker_is_first_due_after_the_later_of_added_and_start_date(app, db, org):
    """A care worker's first due date follows the later of the day added and their start."""
    worker = org.staff_members["Carla Carer"]
    worker.added_on, worker.start_date = NOV(day=3), NOV(day=9)
    db.commit()
    home = org.care_home.id
    with app.app_context():
        found = due._subjects(db, {"staff": [home]})["staff"][home]
    assert [(text, added) for _, text, _, added in found] == [("Carla Carer", NOV(day=9))]
    worker.start_date = None
    db.commit()
    with app.app_context():
        found = due._subjects(db, {"staff": [home]})["staff"][home]
    assert [added for *_, added in found] == [NOV(day=3)]


def test_several_services_are_read_in_one_query_each_for_audits_and_subjects(
    app, db, org, schedule, audited
):
    """The care home and the homecare branch both scheduled: one read of the audits and one of
    the people for the two, not one per service."""
    schedule()
    schedule(service=org.homecare)
    audited(date(2026, 11, 2))
    statements: list[str] = []
    engine = app.extensions["careobs.engine"]

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        services = [db.get(Service, org.care_home.id), db.get(Service, org.homecare.id)]
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            items = due.services_due(db, services, date(2026, 11, 20))
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)

    assert sorted(i.subject_text for i in items) == ["H01", "H02", "R01", "R02"]
    assert len([s for s in statements if "FROM audits" in s]) == 1
    assert len([s for s in statements if "FROM people" in s]) == 1


def test_the_due_page_says_a_subject_never_done_is_not_due_yet(
    app, db, org, schedule, login_as, monkeypatch
):
    """R03, added on 20 Nov, is neither "done late" nor counted as done: "Not due yet", first
    due 20 Dec, and the summary counts it apart."""
    schedule()
    on(monkeypatch, NOV(day=20))
    admin = login_as(org.admin)
    response = admin.post(
        "/admin/people/new",
        data={"service": org.care_home.uuid.hex, "code": "R03", "consent": "not_recorded"},
    )
    assert response.status_code == 302

    page = admin.get(
        "/audits/due", query_string={"service": org.care_home.uuid.hex, "status": "upcoming"}
    ).get_data(as_text=True)

    assert "Not due yet" in page and "first due 20 Dec 2026" in page
    assert "Done late" not in page
    assert "0 done and not yet due again · 1 never done and not due yet." in page
