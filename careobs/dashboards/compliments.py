"""The compliments dashboard: compliments and concerns received, by section of the service and
by period, from the compliments and concerns log (careobs.compliments).

Entries are counted by the local date they were received on. Every table's rows add up to its
n: Compliments + Concerns = All, and the sections' (or periods') All add up to the entries in
scope. Sections are the organisation's own (careobs.compliments.models.ComplimentSection), in
their order; a section no longer offered still shows when it has entries in the period.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.compliments.models import Compliment, ComplimentSection
from careobs.dashboards.filters import Scope
from careobs.dashboards.tables import Chart, Column, Table
from careobs.wording import plural

SECTION = Column("section", "Section")
PERIOD = Column("period", "Period")
COMPLIMENTS = Column("compliments", "Compliments", "int")
CONCERNS = Column("concerns", "Concerns", "int")
ALL = Column("all", "All (n)", "int")
COUNTS = [COMPLIMENTS, CONCERNS, ALL]
RESPONDED = Column("responded", "Concerns responded to", "int")


def received(db: Session, scope: Scope) -> list[tuple]:
    """(received on, kind, section id, responded, entries) for the entries in the scope,
    counted by the database per day, kind, section and whether a concern has a response: the
    rows grow with the days shown, not with the entries logged."""
    responded = (Compliment.response != "").label("responded")
    return list(
        db.execute(
            sa.select(
                Compliment.received_on,
                Compliment.kind,
                Compliment.section_id,
                responded,
                sa.func.count(),
            )
            .where(
                Compliment.service_id.in_(scope.service_ids),
                Compliment.received_on >= scope.first,
                Compliment.received_on <= scope.last,
            )
            .group_by(Compliment.received_on, Compliment.kind, Compliment.section_id, responded)
        )
    )


def counts(rows: list[tuple], scope: Scope) -> dict:
    """The entries counted overall, per section and per period (and section within period).

    Pure: ``rows`` are :func:`received`'s tuples. Keys: ``overall`` and each value of
    ``sections`` and ``periods`` are Counters of "compliment", "concern", "responded"
    (concerns with a response); ``by_period_section`` is keyed by (period index, section id).
    """
    spans = scope.periods()
    firsts = [p.first for p in spans]
    overall: Counter = Counter()
    sections: dict[int, Counter] = {}
    periods = [Counter() for _ in spans]
    cells: dict[tuple[int, int], Counter] = {}
    for day, kind, section_id, responded, n in rows:
        index = bisect_right(firsts, day) - 1  # the scope's days only: always a period
        for counter in (
            overall,
            sections.setdefault(section_id, Counter()),
            periods[index],
            cells.setdefault((index, section_id), Counter()),
        ):
            counter[kind] += n
            if kind == "concern" and responded:
                counter["responded"] += n
    return {"overall": overall, "sections": sections, "periods": periods, "cells": cells}


def _section_names(db: Session, scope: Scope, used: set[int]) -> list[tuple[int, str]]:
    """(id, label) of the organisation's active sections and any used in the period, in order."""
    found = db.execute(
        sa.select(ComplimentSection.id, ComplimentSection.label)
        .where(
            ComplimentSection.organisation_id == scope.organisation_id,
            sa.or_(ComplimentSection.active.is_(True), ComplimentSection.id.in_(used)),
        )
        .order_by(ComplimentSection.position, ComplimentSection.id)
    )
    return [(row.id, row.label) for row in found]


def _row(counter: Counter) -> list[int]:
    return [counter["compliment"], counter["concern"], counter["compliment"] + counter["concern"]]


def in_words(counter: Counter) -> str:
    """ "12 entries: 9 compliments and 3 concerns (responded to: 2 of 3)"."""
    n = counter["compliment"] + counter["concern"]
    if not n:
        return "No compliments or concerns were recorded."
    compliments = plural(counter["compliment"], "compliment", "compliments")
    concerns = plural(counter["concern"], "concern", "concerns")
    text = f"{plural(n, 'entry', 'entries')}: {compliments} and {concerns}"
    if counter["concern"]:
        text += f" (responded to: {counter['responded']} of {counter['concern']})"
    return text + "."


def tables(db: Session, scope: Scope) -> tuple[Counter, list[Table]]:
    """The overall counts and the dashboard's tables."""
    found = counts(received(db, scope), scope)
    overall = found["overall"]
    names = _section_names(db, scope, set(found["sections"]))
    n = overall["compliment"] + overall["concern"]
    by_section = Table(
        "by_section",
        "By section",
        [SECTION, *COUNTS],
        [[label, *_row(found["sections"].get(sid, Counter()))] for sid, label in names],
        caption=f"Entries received in the period, by what they were about. {in_words(overall)} "
        f"Compliments + Concerns = All in each row; the rows' All add up to n = {n}.",
        empty="No sections yet: the log adds its sections the first time it is used.",
        chart=Chart("By section", "bar", "section", ("compliments", "concerns"), percent=False),
    )
    spans = scope.periods()
    per_period = Table(
        "by_period",
        "By period",
        [PERIOD, *COUNTS, RESPONDED],
        [
            [p.label, *_row(found["periods"][i]), found["periods"][i]["responded"]]
            for i, p in enumerate(spans)
        ],
        caption=f"Entries received in each {scope.grouping}; the rows' All add up to n = {n}. "
        "Concerns responded to: concerns with a response recorded, of that period's concerns.",
        chart=Chart("By period", "bar", "period", ("compliments", "concerns"), percent=False),
    )
    labels = dict(names)
    order = {sid: position for position, (sid, _label) in enumerate(names)}
    cells = sorted(found["cells"].items(), key=lambda item: (item[0][0], order[item[0][1]]))
    section_by_period = Table(
        "section_by_period",
        "Sections in each period",
        [PERIOD, SECTION, *COUNTS],
        [[spans[i].label, labels[sid], *_row(counter)] for (i, sid), counter in cells],
        caption="Each section with entries in a period; a section with none is left out. "
        f"The rows' All add up to n = {n}.",
    )
    return overall, [by_section, per_period, section_by_period]


def headline(overall: Counter) -> list[tuple[str, str]]:
    """The headline figures, each rate in words with its n."""
    n = overall["compliment"] + overall["concern"]
    concerns = overall["concern"]

    def share(k: int, of: int) -> str:
        return f"{k} of {of} ({k / of:.1%})" if of else "—"

    return [
        ("Entries (n)", str(n)),
        ("Compliments", share(overall["compliment"], n)),
        ("Concerns", share(concerns, n)),
        ("Concerns responded to", share(overall["responded"], concerns)),
    ]
