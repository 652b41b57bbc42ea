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

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate, pairwise
from typing import NamedTuple

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
        if len(self.froms) == 1:  # never changed: the same interval whatever the day
            return x + self.days[0]
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
        if len(self.froms) == 1:
            f = self.days[0]
            return [(first, f, (before - first + f - 1) // f)] if first < before else []
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


class Occurrence(NamedTuple):
    """One audit that fell (or falls) due, and the day it was done (None: not yet)."""

    due_on: date
    done_on: date | None

    @property
    def on_time(self) -> bool:
        return self.done_on is not None and self.done_on <= self.due_on


@dataclass
class Trace:
    """What a (schedule, subject) came to, as day ordinals: the audits done (due, done), the
    runs of slots left empty between them, and the next due date."""

    done: list[tuple[int, int]] = field(default_factory=list)
    missed: list[Run] = field(default_factory=list)
    due: int = 1

    @property
    def due_on(self) -> date:
        return date.fromordinal(self.due)

    @property
    def occurrences(self) -> list[Occurrence]:
        """The audits done, each with the day it was due."""
        return [Occurrence(date.fromordinal(d), date.fromordinal(x)) for d, x in self.done]


def first_due(starts_on: date, cadence: Cadence, added_on: date | None) -> date:
    """The first due date of a subject: the schedule's start, or one interval after the subject
    was added when that is later."""
    if added_on is None:
        return starts_on
    return max(starts_on, date.fromordinal(cadence.after(added_on.toordinal())))


def trace(starts_on: date, cadence: Cadence, done, added_on: date | None = None) -> Trace:
    """Walk the days a subject's audits were done (see careobs.audits.due's rules)."""
    start = first_due(starts_on, cadence, added_on).toordinal()
    return walk_days(start, cadence, sorted({d.toordinal() for d in done}))


def walk_days(start: int, cadence: Cadence, days: list[int], since: int | None = None) -> Trace:
    """:func:`trace` from the first due date and the audit days as ordinals, ascending and
    each once (two audits on one day close one slot).

    ``since``: the day of the last audit before ``days`` (None: ``days`` are all of them). The
    next due date after an audit depends on its day alone, so the walk goes on from there as
    the whole walk would; the trace then holds only what follows that audit. Every slot that
    falls due on or after ``since`` + the longest frequency is in it (the audit due then was
    due one interval at most after an audit done that day or later), so the counts of a period
    starting then are those of the whole walk (:func:`counted_from_day`)."""
    result = Trace()
    due = start
    after, runs = cadence.after, cadence.runs
    if since is not None:
        due = max(start, after(since)) if since < start else after(since)
        days = [day for day in days if day > since]
    if len(cadence.days) == 1:
        _walk_one_frequency(result, start, cadence.days[0], due, days)
        return result
    for day in days:
        if day < start:
            due = max(start, after(day))  # before the first due: only moves it
            continue
        result.done.append((due, day))
        if day > due:
            gap = runs(after(due), day)
            if gap:
                result.missed.extend(gap)
        due = after(day)
    result.due = due
    return result


def _walk_one_frequency(result: Trace, start: int, f: int, due: int, days: list[int]) -> None:
    """:func:`walk_days`'s loop for a frequency never changed, where the due date after day x is
    x + f and a gap is one run (the same walk, with no call per audit: most schedules)."""
    done, missed = result.done, result.missed
    for day in days:
        if day < start:
            due = max(start, day + f)
            continue
        done.append((due, day))
        first = due + f  # the slot after the one this audit filled
        if first < day:
            missed.append((first, f, (day - first + f - 1) // f))
        due = day + f
    result.due = due


def counted_from_day(first: int, cadence: Cadence) -> int:
    """The day before which audits need not be read one by one to count the slots due from
    ``first`` on: ``first`` less the longest frequency of the history (only the last audit
    before it matters, as :func:`walk_days`'s ``since``)."""
    return first - max(cadence.days)


def slots(runs: list[Run]) -> list[date]:
    """Every slot of the runs (for tests and small lists only: the counts never need them)."""
    return [date.fromordinal(s + k * f) for s, f, n in runs for k in range(n)]


@dataclass(frozen=True)
class Periods:
    """Consecutive periods as day ordinals: each begins on an edge, the last ends on ``last``."""

    edges: tuple[int, ...]
    last: int

    @classmethod
    def of(cls, starts: list[date], last: date) -> Periods:
        return cls(tuple(d.toordinal() for d in starts), last.toordinal())


class Tally:
    """The audits done on time and fallen due in each period, over any number of traces.

    Counted as :func:`careobs.audits.due.fallen_due` lists them, without listing them: nothing
    after ``today`` counts, nor the slot due today and not yet done. Every trace adds to counts
    per day (a run of empty slots is two entries in a difference array of its step), and
    :meth:`into` sums the days into the periods once: so the cost is one step per audit and per
    run, not per period a run spans."""

    def __init__(self, periods: Periods, today: date):
        self.periods = periods
        self.today = today.toordinal()
        self.lo, self.hi = periods.edges[0], min(periods.last, self.today)
        size = max(self.hi - self.lo + 1, 0)
        self.on_time = [0] * size
        self.fell_due = [0] * size
        self.steps: dict[int, list[int]] = {}  # step → difference array over the days

    def add(self, trace_: Trace, cadence: Cadence) -> None:
        lo, hi = self.lo, self.hi
        if hi < lo:
            return
        on_time, fell_due = self.on_time, self.fell_due
        for due, day in trace_.done:
            if lo <= due <= hi:
                fell_due[due - lo] += 1
                if day <= due:
                    on_time[due - lo] += 1
        pending = cadence.runs(trace_.due, self.today) if trace_.due < self.today else ()
        for s, f, n in (*trace_.missed, *pending) if pending else trace_.missed:
            first = s if s >= lo else s + -((s - lo) // f) * f  # the first slot from lo on
            last = min(s + (n - 1) * f, hi)
            if first > last:
                continue
            last = first + (last - first) // f * f  # the last slot up to hi
            diff = self.steps.get(f)
            if diff is None:
                diff = self.steps[f] = [0] * (len(fell_due) + f)
            diff[first - lo] += 1
            diff[last - lo + f] -= 1  # from the slot after the last, the run adds nothing

    def into(self, on_time: list[int], fell_due: list[int]) -> None:
        """Add the counts, one per period, to ``on_time`` and ``fell_due``."""
        days = list(self.fell_due)
        for f, diff in self.steps.items():
            for r in range(f):  # each residue is a plain prefix sum
                for i, n in zip(range(r, len(days), f), accumulate(diff[r::f]), strict=False):
                    days[i] += n
        edges = [e - self.lo for e in self.periods.edges] + [len(days)]
        for index, (start, end) in enumerate(pairwise(edges)):
            start, end = max(start, 0), min(end, len(days))
            if start < end:
                fell_due[index] += sum(days[start:end])
                on_time[index] += sum(self.on_time[start:end])
