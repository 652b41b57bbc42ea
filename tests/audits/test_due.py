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


def test_a_changed_frequency_moves_the_next_due_date(
    app, db, org, schedule, audited, monkeypatch
):
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
