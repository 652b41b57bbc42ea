"""The due arithmetic (careobs.audits.cadence) against a day-by-day reference written here.

The reference knows nothing of runs or changes applied in turn: it walks the calendar one day at
a time, and a slot falls due on the first day d after the last event x on which d - x reaches
the frequency in force on d (which is what the rule "x + f(x), then each later change c: if on or
after c, the later of c and x + f'" comes to). Hundreds of seeded random cases — frequency
changes, subjects added late, audits early, late, twice a day, before the start — must give the
same occurrences, next due date and per-period counts.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from careobs.audits.cadence import (
    Cadence,
    Occurrence,
    Periods,
    Tally,
    Trace,
    counted_from_day,
    first_due,
    slots,
    trace,
    walk_days,
)

DAY = timedelta(days=1)


def tally(walked: Trace, cadence: Cadence, today: date, periods: Periods, on_time, fell_due):
    """One trace's counts added to ``on_time`` and ``fell_due``."""
    counts = Tally(periods, today)
    counts.add(walked, cadence)
    counts.into(on_time, fell_due)


# --- the reference, day by day -------------------------------------------------------------


def in_force(history: list[tuple[date, int]], day: date) -> int:
    current = history[0][1]
    for from_on, days in history:
        if from_on <= day:
            current = days
    return current


def next_due(history: list[tuple[date, int]], x: date) -> date:
    d = x + DAY
    while (d - x).days < in_force(history, d):
        d += DAY
    return d


def reference(history, starts_on, added_on, done, today):
    """(every occurrence that fell due by today, in order; the next due date)."""
    start = starts_on
    if added_on is not None:
        start = max(starts_on, next_due(history, added_on))
    days = sorted(set(done))
    due = start
    for day in (d for d in days if d < start):
        due = max(start, next_due(history, day))
    audit_days = {d for d in days if d >= start}
    occurrences: list[Occurrence] = []
    open_slots = [due]  # slots awaiting an audit: the first is closed by it, the rest missed
    last_event = due
    day = min([start, *audit_days])
    end = max([today, *audit_days])
    while day <= end:
        if day in audit_days:
            occurrences.append(Occurrence(open_slots[0], day))
            occurrences.extend(Occurrence(s, None) for s in open_slots[1:] if s < day)
            due = next_due(history, day)
            open_slots, last_event = [due], due
        elif day > last_event and day < today and (day - last_event).days >= in_force(history, day):
            open_slots.append(day)
            last_event = day
        day += DAY
    pending = [Occurrence(s, None) for s in open_slots if s < today]
    fallen = [o for o in [*occurrences, *pending] if o.due_on <= today]
    return fallen, open_slots[0]


def random_case(rng: random.Random):
    starts_on = date(2025, 1, 1) + timedelta(days=rng.randrange(0, 60))
    history = [(starts_on, rng.choice((1, 3, 7, 14, 30, 42)))]
    for _ in range(rng.choice((0, 0, 1, 2, 3))):
        day = history[-1][0] + timedelta(days=rng.randrange(0, 90))
        if day == history[-1][0]:
            history[-1] = (day, rng.randrange(1, 60))  # a second change the same day replaces
        else:
            history.append((day, rng.randrange(1, 60)))
    added_on = None
    if rng.random() < 0.4:
        added_on = starts_on + timedelta(days=rng.randrange(-30, 200))
    today = starts_on + timedelta(days=rng.randrange(0, 400))
    n = rng.choice((0, 1, 2, 5, 12))
    done = [
        starts_on + timedelta(days=rng.randrange(-40, (today - starts_on).days + 1))
        for _ in range(n)
    ]
    done += done[:1] if rng.random() < 0.2 else []  # twice on one day
    return history, starts_on, added_on, [d for d in done if d <= today], today


@pytest.mark.parametrize("seed", range(12))
def test_the_arithmetic_agrees_with_the_day_by_day_reference(seed):
    rng = random.Random(seed)
    for _ in range(40):
        history, starts_on, added_on, done, today = random_case(rng)
        cadence = Cadence.of(history)
        expected, expected_due = reference(history, starts_on, added_on, done, today)

        walked = trace(starts_on, cadence, done, added_on)
        pending = slots(cadence.runs(walked.due, today.toordinal()))
        listed = sorted(
            [
                *walked.occurrences,
                *(Occurrence(d, None) for d in [*slots(walked.missed), *pending]),
            ],
            key=lambda o: o.due_on,
        )
        listed = [o for o in listed if o.due_on <= today]
        case = (history, starts_on, added_on, sorted(done), today)
        assert walked.due_on == expected_due, case
        assert listed == expected, case

        # Counted per month without listing: the same as counting the listed occurrences,
        # periods starting before the schedule or part way through a run of missed slots.
        first = starts_on + timedelta(days=rng.randrange(-40, 200))
        last = max(first, today + timedelta(days=rng.randrange(-60, 30)))
        starts = [first]
        while starts[-1] + timedelta(days=30) <= last:
            starts.append(starts[-1] + timedelta(days=rng.choice((7, 30, 31))))
        starts = [s for s in starts if s <= last]
        on_time, fell_due = [0] * len(starts), [0] * len(starts)
        tally(walked, cadence, today, Periods.of(starts, last), on_time, fell_due)
        want_on_time, want_fell = [0] * len(starts), [0] * len(starts)
        for o in expected:
            if first <= o.due_on <= last:
                index = max(i for i, s in enumerate(starts) if s <= o.due_on)
                want_fell[index] += 1
                want_on_time[index] += o.on_time
        assert (on_time, fell_due) == (want_on_time, want_fell), case


@pytest.mark.parametrize("seed", range(6))
def test_many_traces_tallied_together_count_what_each_counts_alone(seed):
    """The dashboard adds every subject of a template and service to one Tally: the counts are
    the sums of each trace's own, whatever the periods, steps and frequency changes."""
    rng = random.Random(500 + seed)
    for _ in range(10):
        today = date(2025, 1, 1) + timedelta(days=rng.randrange(30, 400))
        first = date(2025, 1, 1) + timedelta(days=rng.randrange(-30, 200))
        last = first + timedelta(days=rng.randrange(0, 300))
        starts = [first]
        while starts[-1] + timedelta(days=7) <= last:
            starts.append(starts[-1] + timedelta(days=rng.choice((1, 7, 30, 31))))
        periods = Periods.of([s for s in starts if s <= last], last)
        together = Tally(periods, today)
        alone_on_time, alone_fell = [0] * len(periods.edges), [0] * len(periods.edges)
        for _ in range(rng.randrange(1, 8)):
            history, starts_on, added_on, done, _ = random_case(rng)
            cadence = Cadence.of(history)
            walked = trace(starts_on, cadence, [d for d in done if d <= today], added_on)
            together.add(walked, cadence)
            tally(walked, cadence, today, periods, alone_on_time, alone_fell)
        on_time, fell_due = [0] * len(periods.edges), [0] * len(periods.edges)
        together.into(on_time, fell_due)
        assert (on_time, fell_due) == (alone_on_time, alone_fell)


def test_the_reference_agrees_with_the_rule_as_written():
    """The reference's next due date is the rule of the module's docstring, case by case."""
    rng = random.Random(99)
    for _ in range(300):
        history, *_ = random_case(rng)
        x = history[0][0] + timedelta(days=rng.randrange(-20, 300))
        y = x + timedelta(days=in_force(history, x))
        for c, f in history:
            if c > x and y >= c:
                y = max(c, x + timedelta(days=f))
        assert next_due(history, x) == y
        assert Cadence.of(history).after(x.toordinal()) == y.toordinal()


def test_the_local_day_of_an_instant_follows_the_clock_changes():
    """London's clocks go forward at 01:00 UTC on 29 Mar 2026 and back at 01:00 UTC on
    25 Oct 2026; the shortcut (one offset per UTC day, on whole seconds since the epoch) gives
    the same days as astimezone, before 1970 too."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from careobs.audits.due import local_day

    def seconds(instant: datetime) -> int:
        return (instant - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(seconds=1)

    for name in ("Europe/London", "Australia/Adelaide", "America/St_Johns", "UTC"):
        zone = ZoneInfo(name)
        day_of = local_day(zone)
        for start in (datetime(2026, 1, 1, tzinfo=UTC), datetime(1960, 1, 1, tzinfo=UTC)):
            for minutes in range(0, 366 * 24 * 60, 17):
                instant = start + timedelta(minutes=minutes, seconds=59, microseconds=999_999)
                expected = instant.astimezone(zone).toordinal()
                assert day_of(seconds(instant)) == expected, (name, instant)
    london = local_day(ZoneInfo("Europe/London"))
    assert (
        london(seconds(datetime(2026, 3, 28, 23, 30, tzinfo=UTC))) == date(2026, 3, 28).toordinal()
    )
    assert (
        london(seconds(datetime(2026, 3, 29, 23, 30, tzinfo=UTC))) == date(2026, 3, 30).toordinal()
    )
    # The last second before local midnight, and local midnight itself, in summer time.
    assert (
        london(seconds(datetime(2026, 6, 1, 22, 59, 59, tzinfo=UTC)))
        == date(2026, 6, 1).toordinal()
    )
    assert london(seconds(datetime(2026, 6, 1, 23, 0, tzinfo=UTC))) == date(2026, 6, 2).toordinal()


@pytest.mark.parametrize("seed", range(12))
def test_walking_on_from_the_last_audit_before_a_period_counts_what_the_whole_walk_counts(seed):
    """The dashboard reads, of the audits done before its first day less the longest frequency,
    only the last one (walk_days's ``since``): every count from the first day on is the same."""
    rng = random.Random(1000 + seed)
    for _ in range(40):
        history, starts_on, added_on, done, today = random_case(rng)
        cadence = Cadence.of(history)
        whole = trace(starts_on, cadence, done, added_on)
        first = starts_on + timedelta(days=rng.randrange(-40, 400))
        last = first + timedelta(days=rng.randrange(0, 200))
        starts = [first]
        while starts[-1] + timedelta(days=7) <= last:
            starts.append(starts[-1] + timedelta(days=rng.choice((7, 30, 31))))
        starts = [s for s in starts if s <= last]
        periods = Periods.of(starts, last)

        cutoff = counted_from_day(first.toordinal(), cadence)
        assert cutoff == first.toordinal() - max(days for _, days in history)
        days = sorted({d.toordinal() for d in done})
        before = [d for d in days if d < cutoff]
        start = first_due(starts_on, cadence, added_on).toordinal()
        part = walk_days(
            start, cadence, [d for d in days if d >= cutoff], before[-1] if before else None
        )

        counts = []
        for walked in (whole, part):
            on_time, fell_due = [0] * len(starts), [0] * len(starts)
            tally(walked, cadence, today, periods, on_time, fell_due)
            counts.append((on_time, fell_due))
        case = (history, starts_on, added_on, sorted(done), today, first)
        assert counts[0] == counts[1], case
        assert part.due == whole.due, case
        # What the part holds is the end of the whole walk.
        assert whole.done[len(whole.done) - len(part.done) :] == part.done, case
