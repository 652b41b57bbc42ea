"""Calendar periods in the organisation's time zone, and how the database sorts rows into them.

Dashboards group records by local week (Monday to Sunday) or local calendar month. SQLite has no
time zones, so instead of converting every timestamp in SQL we work out each period's start as a
UTC instant here, with ``zoneinfo`` (which knows every clock change), and let the database find
each row's period by comparing its UTC timestamp against those boundaries. The comparison is a
balanced tree of ``CASE`` expressions, so a row costs about log2(periods) comparisons, and the
same SQL runs on SQLite and PostgreSQL.

Local hour of day and weekday work the same way: the database groups by UTC quarter-hour of the
week within each stretch of constant UTC offset, and :func:`local_slot` shifts those groups into
local time here (every time zone's offset is a whole number of quarter-hours).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from careobs.days import local_midnight

GROUPINGS = {"week": "Week", "month": "Month"}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Period:
    """One week or month: local dates [first, last] and the UTC instants [start, end)."""

    first: date
    last: date
    start: datetime
    end: datetime
    grouping: str
    whole: bool = field(init=False)  # a whole week or month, not clipped by the date range
    label: str = field(init=False)  # e.g. "Mar 2026", "w/c 2 Mar 2026", "Nov 2026 (part)"

    def __post_init__(self) -> None:
        natural = period_start(self.first, self.grouping)
        whole = natural == self.first and _next_start(natural, self.grouping) == (
            self.last + timedelta(days=1)
        )
        if self.grouping == "month":
            text = f"{natural:%b %Y}"
        else:
            text = f"w/c {natural.day} {natural:%b %Y}"
        object.__setattr__(self, "whole", whole)
        object.__setattr__(self, "label", text if whole else f"{text} (part)")

    @property
    def key(self) -> str:
        return self.first.isoformat()


def period_start(day: date, grouping: str) -> date:
    """The first local day of the week (Monday) or month containing ``day``."""
    if grouping == "month":
        return day.replace(day=1)
    return day - timedelta(days=day.weekday())


def _next_start(first: date, grouping: str) -> date:
    if grouping == "month":
        return (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first + timedelta(days=7)


def periods(first: date, last: date, grouping: str, zone: ZoneInfo) -> list[Period]:
    """Every week or month touching the local dates [first, last], clipped to that range."""
    if grouping not in GROUPINGS:
        raise ValueError(f"unknown grouping {grouping!r}")
    result = []
    start = period_start(first, grouping)
    while start <= last:
        following = _next_start(start, grouping)
        clipped_first, clipped_last = max(start, first), min(following - timedelta(days=1), last)
        result.append(
            Period(
                clipped_first,
                clipped_last,
                local_midnight(clipped_first, zone),
                local_midnight(clipped_last + timedelta(days=1), zone),
                grouping,
            )
        )
        start = following
    return result


def bucket_index(column: ColumnElement, boundaries: list[datetime]) -> ColumnElement:
    """The index ``i`` such that ``boundaries[i] <= column < boundaries[i + 1]``, in SQL.

    ``boundaries`` are ascending; rows before the first or from the last belong to no bucket and
    come out as -1 (callers filter them out beforehand). Built as a balanced tree of CASE
    expressions so each row needs about log2(len(boundaries)) comparisons.
    """

    def between(low: int, high: int) -> ColumnElement:
        # Rows here are known to satisfy boundaries[low] <= column < boundaries[high].
        if high - low == 1:
            return sa.literal(low)
        middle = (low + high) // 2
        return sa.case(
            (column < boundaries[middle], between(low, middle)), else_=between(middle, high)
        )

    if len(boundaries) < 2:
        raise ValueError("need at least two boundaries")
    return sa.case(
        (column < boundaries[0], sa.literal(-1)),
        (column >= boundaries[-1], sa.literal(-1)),
        else_=between(0, len(boundaries) - 1),
    )


def period_boundaries(spans: list[Period]) -> list[datetime]:
    """The UTC instants separating consecutive periods, plus the end of the last."""
    return [p.start for p in spans] + [spans[-1].end]


# -- local hour and weekday -------------------------------------------------------------------


class epoch_seconds(FunctionElement):
    """Whole seconds from 1970-01-01 00:00 UTC to a timestamp (rounded down), as an integer: a
    driver hands over an integer far faster than it builds a datetime with its time zone, so a
    query that reads thousands of timestamps only to find their local days reads these."""

    inherit_cache = True
    type = sa.BigInteger()


def _whole_seconds_sqlite(column: str) -> str:
    # SQLite's date functions round a stored time to the millisecond, so 23:59:59.9996 would
    # count as the next second (and the next day): the fraction is cut off first.
    return f"CAST(strftime('%s', substr({column}, 1, 19)) AS INTEGER)"


@compiles(epoch_seconds)
def _epoch_seconds_sqlite(element, compiler, **kw):
    return _whole_seconds_sqlite(compiler.process(element.clauses, **kw))


@compiles(epoch_seconds, "postgresql")
def _epoch_seconds_postgresql(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"CAST(floor(extract(epoch FROM {column})) AS BIGINT)"


QUARTERS_PER_WEEK = 7 * 24 * 4


class quarter_of_week(FunctionElement):
    """The UTC quarter-hour of the week a timestamp falls in, counted from Thursday 00:00 UTC
    (the Unix epoch was a Thursday): ``floor(epoch seconds / 900) mod 672``. One date parse per
    row on SQLite; :func:`local_slot` turns it into a local weekday and hour."""

    inherit_cache = True
    type = sa.Integer()


@compiles(quarter_of_week)
def _quarter_of_week_sqlite(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"(({_whole_seconds_sqlite(column)} / 900) % {QUARTERS_PER_WEEK})"


@compiles(quarter_of_week, "postgresql")
def _quarter_of_week_postgresql(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    # mod() rather than the % operator, which the driver would take for a placeholder.
    return f"mod(CAST(floor(extract(epoch FROM {column}) / 900) AS BIGINT), {QUARTERS_PER_WEEK})"


def offset_spans(start: datetime, end: datetime, zone: ZoneInfo) -> list[tuple[datetime, int]]:
    """The instants in [start, end) where the zone's UTC offset changes, each with the offset
    (in minutes) from then on; the first entry is ``start`` itself."""
    spans = [(start, _offset_minutes(start, zone))]
    day = start
    while day < end:
        following = min(day + timedelta(days=1), end)
        # The last step probes just before ``end``, so a change on the range's last day counts.
        probe = following if following < end else end - timedelta(microseconds=1)
        if _offset_minutes(probe, zone) != spans[-1][1]:
            # Find the change to the minute within this day (clock changes are on the minute).
            low, high = day, probe
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if _offset_minutes(middle, zone) == spans[-1][1]:
                    low = middle
                else:
                    high = middle
            spans.append((high.replace(second=0, microsecond=0), _offset_minutes(high, zone)))
        day = following
    return spans


def _offset_minutes(instant: datetime, zone: ZoneInfo) -> int:
    return int(instant.astimezone(zone).utcoffset().total_seconds() // 60)


def slot_columns(column: ColumnElement, spans: list[tuple[datetime, int]], end: datetime) -> list:
    """SQL expressions to group rows before ``end`` by: the offset span (index into ``spans``)
    and the UTC quarter-hour of the week."""
    boundaries = [s for s, _ in spans] + [end]
    return [
        bucket_index(column, boundaries).label("span"),
        quarter_of_week(column).label("quarter"),
    ]


def local_slot(span_offset: int, quarter: int) -> tuple[int, int]:
    """Shift a UTC quarter-hour of the week (from Thursday 00:00) by the span's offset into
    local time: (weekday with Monday = 0, hour)."""
    minutes = (quarter * 15 + span_offset) % (7 * 1440)
    return (3 + minutes // 1440) % 7, (minutes % 1440) // 60
