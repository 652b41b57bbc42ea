"""Local weeks and months, their UTC boundaries around the clock changes, and how the database
sorts timestamps into them (run on the test database, SQLite or PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from careobs.dashboards.tables import Column, Table, display, heat_level
from careobs.days import local_midnight
from careobs.db import UTCDateTime
from careobs.periods import (
    bucket_index,
    epoch_seconds,
    local_slot,
    offset_spans,
    period_boundaries,
    period_start,
    periods,
    slot_columns,
)
from tests.support.dashboards import LONDON, local


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- periods ------------------------------------------------------------------------------------


def test_weeks_start_on_monday_and_are_clipped_to_the_range():
    weeks = periods(date(2026, 6, 3), date(2026, 6, 18), "week", LONDON)  # Wed to Thu

    assert [(p.first, p.last) for p in weeks] == [
        (date(2026, 6, 3), date(2026, 6, 7)),
        (date(2026, 6, 8), date(2026, 6, 14)),
        (date(2026, 6, 15), date(2026, 6, 18)),
    ]
    assert [p.first.weekday() for p in weeks[1:]] == [0, 0]
    assert [p.whole for p in weeks] == [False, True, False]
    # Summer time: local midnight is 23:00 UTC the day before.
    assert weeks[0].start == utc(2026, 6, 2, 23)
    assert weeks[1].start == weeks[0].end == utc(2026, 6, 7, 23)
    assert weeks[2].end == utc(2026, 6, 18, 23)
    assert [p.label for p in weeks] == [
        "w/c 1 Jun 2026 (part)",
        "w/c 8 Jun 2026",
        "w/c 15 Jun 2026 (part)",
    ]
    assert [p.key for p in weeks] == ["2026-06-03", "2026-06-08", "2026-06-15"]


def test_period_start():
    assert period_start(date(2026, 10, 25), "week") == date(2026, 10, 19)  # a Sunday
    assert period_start(date(2026, 10, 26), "week") == date(2026, 10, 26)  # a Monday
    assert period_start(date(2026, 2, 28), "month") == date(2026, 2, 1)


def test_months_are_calendar_months_clipped_to_the_range():
    months = periods(date(2025, 12, 15), date(2026, 3, 10), "month", LONDON)

    assert [(p.first, p.last) for p in months] == [
        (date(2025, 12, 15), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 10)),
    ]
    assert [p.label for p in months] == [
        "Dec 2025 (part)",
        "Jan 2026",
        "Feb 2026",
        "Mar 2026 (part)",
    ]
    assert months[1].start == utc(2026, 1, 1) and months[1].end == utc(2026, 2, 1)
    assert months[-1].end == utc(2026, 3, 11)  # still GMT


def test_a_single_day_range_is_one_period():
    (week,) = periods(date(2026, 7, 1), date(2026, 7, 1), "week", LONDON)
    assert (week.first, week.last) == (date(2026, 7, 1), date(2026, 7, 1))
    assert week.end - week.start == timedelta(hours=24)


def test_an_unknown_grouping_is_refused():
    with pytest.raises(ValueError, match="grouping"):
        periods(date(2026, 1, 1), date(2026, 2, 1), "day", LONDON)


def test_week_boundaries_around_the_march_change():
    """Clocks go forward on Sunday 29 March 2026 at 01:00 UTC: that week is 167 hours long."""
    weeks = periods(date(2026, 3, 23), date(2026, 4, 5), "week", LONDON)

    assert [p.start for p in weeks] == [utc(2026, 3, 23, 0), utc(2026, 3, 29, 23)]
    assert weeks[0].end - weeks[0].start == timedelta(hours=167)
    assert weeks[1].end == utc(2026, 4, 5, 23)
    assert local_midnight(date(2026, 3, 29), LONDON) == utc(2026, 3, 29, 0)
    assert local_midnight(date(2026, 3, 30), LONDON) == utc(2026, 3, 29, 23)


def test_week_boundaries_around_the_october_change():
    """Clocks go back on Sunday 25 October 2026 at 01:00 UTC: that week is 169 hours long."""
    weeks = periods(date(2026, 10, 19), date(2026, 11, 1), "week", LONDON)

    assert [p.start for p in weeks] == [utc(2026, 10, 18, 23), utc(2026, 10, 26, 0)]
    assert weeks[0].end - weeks[0].start == timedelta(hours=169)
    assert weeks[1].end == utc(2026, 11, 2, 0)


def test_month_boundaries_across_both_changes():
    months = periods(date(2026, 3, 1), date(2026, 11, 30), "month", LONDON)
    starts = {p.first: p.start for p in months}

    assert starts[date(2026, 3, 1)] == utc(2026, 3, 1, 0)
    assert starts[date(2026, 4, 1)] == utc(2026, 3, 31, 23)
    assert starts[date(2026, 10, 1)] == utc(2026, 9, 30, 23)
    assert starts[date(2026, 11, 1)] == utc(2026, 11, 1, 0)
    boundaries = period_boundaries(months)
    assert boundaries == sorted(boundaries) and len(boundaries) == len(months) + 1
    assert boundaries[-1] == utc(2026, 12, 1)


# -- offset spans and local slots ---------------------------------------------------------------


def test_offset_spans_find_both_changes_to_the_minute():
    spans = offset_spans(utc(2026, 1, 1), utc(2027, 1, 1), LONDON)

    assert spans == [(utc(2026, 1, 1), 0), (utc(2026, 3, 29, 1), 60), (utc(2026, 10, 25, 1), 0)]


def test_offset_spans_start_in_summer_time():
    spans = offset_spans(local(2026, 10, 1), local(2026, 11, 1), LONDON)
    assert spans == [(utc(2026, 9, 30, 23), 60), (utc(2026, 10, 25, 1), 0)]


def test_offset_spans_without_a_change():
    assert offset_spans(utc(2026, 6, 1), utc(2026, 7, 1), LONDON) == [(utc(2026, 6, 1), 60)]


@pytest.mark.parametrize(
    ("first", "last", "change"),
    [
        # Ranges whose last local day is the day of a change: the change is on that day too.
        (date(2026, 3, 1), date(2026, 3, 29), utc(2026, 3, 29, 1)),
        (date(2026, 3, 29), date(2026, 3, 29), utc(2026, 3, 29, 1)),
        (date(2026, 10, 25), date(2026, 10, 25), utc(2026, 10, 25, 1)),
        (date(2026, 10, 1), date(2026, 10, 25), utc(2026, 10, 25, 1)),
    ],
)
def test_offset_spans_find_a_change_on_the_last_day_of_the_range(first, last, change):
    start = local_midnight(first, LONDON)
    end = local_midnight(last + timedelta(days=1), LONDON)

    spans = offset_spans(start, end, LONDON)

    assert [s for s, _ in spans] == [start, change]
    assert spans[1][1] == (60 if change.month == 3 else 0)


def test_offset_spans_ignore_a_change_at_the_very_end():
    assert offset_spans(utc(2026, 3, 28), utc(2026, 3, 29, 1), LONDON) == [(utc(2026, 3, 28), 0)]


def quarter(weekday: int, hour: int, minute: int) -> int:
    """The UTC quarter-hour of the week counted from Thursday 00:00 (Monday = 0 as weekday)."""
    return ((weekday - 3) % 7 * 1440 + hour * 60 + minute) // 15


@pytest.mark.parametrize(
    ("offset", "utc_weekday", "hour", "minute", "expected"),
    [
        (0, 0, 9, 0, (0, 9)),  # winter: Monday 09:00 UTC is Monday 09:00
        (60, 0, 9, 0, (0, 10)),  # summer: one hour later
        (60, 6, 23, 30, (0, 0)),  # summer: Sunday 23:30 UTC is Monday 00:30
        (60, 5, 23, 45, (6, 0)),  # summer: Saturday 23:45 UTC is Sunday 00:45
        (0, 6, 23, 30, (6, 23)),  # winter: Sunday 23:30 stays Sunday
        (60, 6, 0, 0, (6, 1)),  # summer: Sunday 00:00 UTC is Sunday 01:00
        (-300, 0, 2, 0, (6, 21)),  # a zone behind UTC wraps back to Sunday
        (330, 6, 18, 30, (0, 0)),  # half-hour offsets use the quarter: 18:30 + 5:30
        (330, 6, 18, 15, (6, 23)),  # 18:15 + 5:30 is 23:45, still Sunday
        (0, 3, 0, 0, (3, 0)),  # Thursday 00:00 UTC: quarter 0
        (0, 2, 23, 59, (2, 23)),  # Wednesday 23:59 UTC: the week's last quarter
    ],
)
def test_local_slot(offset, utc_weekday, hour, minute, expected):
    assert local_slot(offset, quarter(utc_weekday, hour, minute)) == expected


# -- in the database ----------------------------------------------------------------------------


@pytest.fixture
def stamps(app):
    """A scratch table of UTC timestamps on the test database; yields an insert-and-query helper."""
    engine = app.extensions["careobs.engine"]
    metadata = sa.MetaData()
    table = sa.Table(
        "dash_test_stamps",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", UTCDateTime),
    )
    metadata.drop_all(engine)
    metadata.create_all(engine)

    def run(instants, *columns):
        with engine.begin() as conn:
            conn.execute(table.delete())
            conn.execute(table.insert(), [{"id": i, "at": at} for i, at in enumerate(instants)])
            query = sa.select(table.c.id, *(c(table.c.at) for c in columns)).order_by(table.c.id)
            return [tuple(row)[1:] for row in conn.execute(query)]

    yield run
    metadata.drop_all(engine)


def test_bucket_index_in_sql(stamps):
    weeks = periods(date(2026, 10, 19), date(2026, 11, 8), "week", LONDON)
    boundaries = period_boundaries(weeks)
    instants = [
        utc(2026, 10, 18, 22, 59, 59),  # before the first week: -1
        utc(2026, 10, 18, 23),  # exactly Monday 19 Oct 00:00 BST: week 0
        local(2026, 10, 25, 23, 30),  # Sunday night after the change: week 0
        utc(2026, 10, 26, 0),  # exactly Monday 26 Oct 00:00 GMT: week 1
        local(2026, 10, 26, 0, 30),  # week 1
        utc(2026, 11, 2, 0) - timedelta(microseconds=1),  # last instant of week 1
        utc(2026, 11, 2),  # exactly the third boundary: week 2
        utc(2026, 11, 8, 23, 59, 59),  # last second of the range: week 2
        utc(2026, 11, 9),  # the end boundary itself: -1
        utc(2027, 1, 1),  # far after: -1
    ]

    rows = stamps(instants, lambda c: bucket_index(c, boundaries))

    assert [r[0] for r in rows] == [-1, 0, 0, 1, 1, 1, 2, 2, -1, -1]


def test_bucket_index_with_many_buckets_matches_python(stamps):
    months = periods(date(2024, 1, 1), date(2026, 12, 31), "month", LONDON)
    boundaries = period_boundaries(months)
    instants = [b + timedelta(seconds=delta) for b in boundaries for delta in (-1, 0, 1)]

    rows = stamps(instants, lambda c: bucket_index(c, boundaries))

    def expected(at):
        for index in range(len(boundaries) - 1):
            if boundaries[index] <= at < boundaries[index + 1]:
                return index
        return -1

    assert [r[0] for r in rows] == [expected(at) for at in instants]


def test_bucket_index_needs_two_boundaries():
    with pytest.raises(ValueError):
        bucket_index(sa.column("at"), [utc(2026, 1, 1)])


def test_slot_columns_group_by_offset_span_and_utc_quarter_of_the_week(stamps):
    start, end = local_midnight(date(2026, 10, 19), LONDON), utc(2026, 11, 2)
    spans = offset_spans(start, end, LONDON)
    instants = [
        local(2026, 10, 19, 0, 30),  # Sunday 18 Oct 23:30 UTC, summer time
        local(2026, 10, 25, 0, 59),  # Saturday 23:59 UTC, just before the change
        local(2026, 10, 25, 23, 30),  # after the change
        local(2026, 11, 1, 12, 14),
    ]

    rows = stamps(instants, *(lambda c, i=i: slot_columns(c, spans, end)[i] for i in range(2)))

    # Sunday 23:30, Saturday 23:59, Sunday 23:30 and Sunday 12:14, all UTC.
    assert rows == [
        (0, quarter(6, 23, 30)),
        (0, quarter(5, 23, 45)),
        (1, quarter(6, 23, 30)),
        (1, quarter(6, 12, 0)),
    ]
    local_slots = [local_slot(spans[s][1], q) for s, q in rows]
    assert local_slots == [(0, 0), (6, 0), (6, 23), (6, 12)]


def test_epoch_seconds_in_sql_are_whole_seconds_rounded_down(stamps):
    """As Python counts them, for instants with a fraction of a second, before 1970, at year 1
    and at year 9999 (the audits' local days are worked out from them)."""
    epoch = utc(1970, 1, 1)
    instants = [
        epoch,
        utc(2026, 6, 1, 22, 59, 59) + timedelta(microseconds=999_999),
        utc(2026, 6, 1, 23),
        utc(1960, 3, 4, 5, 6, 7) + timedelta(microseconds=500_000),
        utc(1, 1, 1),
        utc(9999, 12, 31, 23, 59, 59) + timedelta(microseconds=1),
    ]

    rows = stamps(instants, epoch_seconds)

    assert [r[0] for r in rows] == [(at - epoch) // timedelta(seconds=1) for at in instants]


# -- display, CSV and heat ----------------------------------------------------------------------


def test_display_and_csv_formatting():
    pct, num, count = (
        Column("p", "Share", "pct"),
        Column("n", "Rate", "num"),
        Column("c", "N", "int"),
    )
    day, text = Column("d", "Day", "date"), Column("t", "Text")

    assert display(pct, 0.8376) == "83.8%"
    assert display(pct, 0.8376, for_csv=True) == "83.8"
    assert display(pct, 1) == "100.0%"
    assert display(pct, 0) == "0.0%"
    assert display(num, 3.857142) == "3.9"
    assert display(count, 7) == "7"
    assert display(day, date(2026, 10, 5)) == "5 Oct 2026"
    assert display(day, date(2026, 10, 5), for_csv=True) == "2026-10-05"
    assert display(text, "w/c 5 Oct 2026") == "w/c 5 Oct 2026"
    for column in (pct, num, count, day, text):
        assert display(column, None) == "—"
        assert display(column, None, for_csv=True) == ""


def test_table_csv_writes_the_displayed_cells():
    table = Table(
        "t",
        "Title",
        [
            Column("period", "Week"),
            Column("n", "Interactions (n)", "int"),
            Column("p", "Pos", "pct"),
        ],
        [["w/c 5 Oct 2026", 6, 4 / 6], ["w/c 12 Oct 2026", 0, None]],
    )

    assert table.as_csv() == (
        "Week,Interactions (n),Pos (%)\r\nw/c 5 Oct 2026,6,66.7\r\nw/c 12 Oct 2026,0,\r\n"
    )
    assert table.cells(table.rows[0]) == ["w/c 5 Oct 2026", "6", "66.7%"]
    assert table.as_json()["rows"] == [["w/c 5 Oct 2026", 6, 4 / 6], ["w/c 12 Oct 2026", 0, None]]


@pytest.mark.parametrize(
    ("share", "level"),
    [
        (0.0, 0),
        (0.4999, 0),
        (0.5, 1),
        (0.6999, 1),
        (0.7, 2),
        (0.8, 3),
        (0.8999, 3),
        (0.9, 4),
        (1, 4),
    ],
)
def test_heat_level(share, level):
    assert heat_level(share) == level
