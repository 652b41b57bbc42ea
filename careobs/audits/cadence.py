"""The arithmetic of a schedule's due dates: pure standard-library functions, no Flask or database.

A schedule's frequency has a history: (from day, every n days) rows in date order, the first
from the schedule's start. The due date that follows a day x (an audit day, or a slot that fell
due and was left empty) is y = x + f(x), f(x) being the frequency in force on x; then, for each
change (c, f') with c > x in date order, if y >= c then y = max(c, x + f'). So a change applies
at once to what is still pending, while the slots that fell due before it keep the frequency of
their time. The rules of what falls due are in careobs.audits.due's docstring.

Slots left empty are never listed one by one: between two changes they are an arithmetic run
(first day, step, count), and how many of them fall in a period is integer arithmetic.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date

Run = tuple[int, int, int]  # (first slot as a day ordinal, step in days, number of slots)


@dataclass(frozen=True)
class Cadence:
    """A frequency history: ``froms`` (day ordinals, ascending) and the ``days`` from each."""

    froms: tuple[int, ...]
    days: tuple[int, ...]

    @classmethod
    def of(cls, rows: list[tuple[date, int]]) -> Cadence:
        """From (from day, frequency) rows in date order (at least one)."""
        return cls(tuple(d.toordinal() for d, _ in rows), tuple(f for _, f in rows))

    @classmethod
    def every(cls, days: int, since: date = date.min) -> Cadence:
        """One frequency, never changed."""
        return cls((since.toordinal(),), (days,))

    def days_on(self, x: int) -> int:
        """The frequency in force on day ``x`` (before the first row: the first row's)."""
        return self.days[max(bisect_right(self.froms, x) - 1, 0)]

    def after(self, x: int) -> int:
        """The due date that follows day ``x`` (see the module's rule)."""
        i = bisect_right(self.froms, x)
        y = x + self.days[max(i - 1, 0)]
        for c, f in zip(self.froms[i:], self.days[i:], strict=True):
            if y < c:
                break
            y = max(c, x + f)
        return y

    def runs(self, first: int, before: int) -> list[Run]:
        """The slots ``first``, after(first), … while before ``before``, as arithmetic runs: one
        per stretch of constant frequency."""
        found = []
        s = first
        while s < before:
            i = bisect_right(self.froms, s)
            f = self.days[max(i - 1, 0)]
            end = before if i == len(self.froms) else min(before, self.froms[i])
            n = (end - s + f - 1) // f  # s + k·f < end for k < n
            found.append((s, f, n))
            if end == before:
                break
            s = self.after(s + (n - 1) * f)
        return found


@dataclass(frozen=True)
class Occurrence:
    """One audit that fell (or falls) due, and the day it was done (None: not yet)."""

    due_on: date
    done_on: date | None

    @property
    def on_time(self) -> bool:
        return self.done_on is not None and self.done_on <= self.due_on


@dataclass
class Trace:
    """What a (schedule, subject) came to: the audits done with the day each was due, the runs
    of slots left empty between them, and the next due date."""

    done: list[Occurrence] = field(default_factory=list)
    missed: list[Run] = field(default_factory=list)
    due_on: date = date.min


def first_due(starts_on: date, cadence: Cadence, added_on: date | None) -> date:
    """The first due date of a subject: the schedule's start, or one interval after the subject
    was added when that is later."""
    if added_on is None:
        return starts_on
    return max(starts_on, date.fromordinal(cadence.after(added_on.toordinal())))


def trace(
    starts_on: date, cadence: Cadence, done: list[date], added_on: date | None = None
) -> Trace:
    """Walk the days a subject's audits were done (see careobs.audits.due's rules)."""
    start = first_due(starts_on, cadence, added_on).toordinal()
    result = Trace()
    due = start
    for day in sorted({d.toordinal() for d in done}):  # two on one day close one slot
        if day < start:
            due = max(start, cadence.after(day))  # before the first due: only moves it
            continue
        result.done.append(Occurrence(date.fromordinal(due), date.fromordinal(day)))
        result.missed.extend(cadence.runs(cadence.after(due), day))
        due = cadence.after(day)
    result.due_on = date.fromordinal(due)
    return result


def slots(runs: list[Run]) -> list[date]:
    """Every slot of the runs (for tests and small lists only: the counts never need them)."""
    return [date.fromordinal(s + k * f) for s, f, n in runs for k in range(n)]


def in_window(run: Run, lo: int, hi: int) -> int:
    """How many slots of the run fall on days ``lo`` to ``hi`` (inclusive)."""
    s, f, n = run
    first = 0 if lo <= s else -(-(lo - s) // f)
    if hi < s:
        return 0
    last = min(n - 1, (hi - s) // f)
    return max(last - first + 1, 0)


def tally(
    trace_: Trace, cadence: Cadence, today: date, starts: list[date], last: date
) -> tuple[list[int], list[int]]:
    """(done on time, fell due) per period: the periods begin on ``starts`` (ascending), the last
    ends on ``last``; nothing after ``today`` counts, nor the slot due today and not yet done.
    Counted as :func:`careobs.audits.due.fallen_due` lists them, without listing them."""
    on_time = [0] * len(starts)
    fell_due = [0] * len(starts)
    edges = [d.toordinal() for d in starts]
    lo, hi = edges[0], min(last, today).toordinal()
    if hi < lo:
        return on_time, fell_due
    for occurrence in trace_.done:
        day = occurrence.due_on.toordinal()
        if lo <= day <= hi:
            index = bisect_right(edges, day) - 1
            fell_due[index] += 1
            on_time[index] += occurrence.on_time
    pending = cadence.runs(trace_.due_on.toordinal(), today.toordinal())
    for run in (*trace_.missed, *pending):
        s, f, n = run
        first, final = max(s, lo), min(s + (n - 1) * f, hi)
        if first > final:
            continue
        index = bisect_right(edges, first) - 1
        stop = bisect_left(edges, final + 1)  # the periods that hold first..final
        for i in range(index, stop):
            end = edges[i + 1] - 1 if i + 1 < len(edges) else hi
            fell_due[i] += in_window(run, max(edges[i], first), min(end, final))
    return on_time, fell_due
