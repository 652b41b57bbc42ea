"""Evidence of what was checked and found in a service: QUIS observations (care homes),
monitoring visits and their coverage (homecare), and the fair draws of whom to check or ask."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from careobs.dashboards import coverage, quis, visits
from careobs.dashboards.filters import Scope
from careobs.dashboards.tables import Column, Table
from careobs.evidence.charts import Bar, Chart, Series, bar_chart
from careobs.evidence.contents import CHECKED, FOUND, Item
from careobs.org.models import Service
from careobs.selection.queries import asking_recorded, follow_ups
from careobs.selection.service import SERVICE_KINDS
from careobs.wording import plural

# Checklist domains (by a word in their name) that evidence a statement of their own.
DOMAIN_STATEMENTS = {"infection": "S7", "medicine": "S8", "consent": "E6"}


def _by_key(tables: list[Table]) -> dict[str, Table]:
    return {t.key: t for t in tables}


def quis_evidence(db: Session, scope: Scope, add, counts: dict[str, int]) -> None:
    """QUIS observations evidence Caring: dignity (C1) and treating people as individuals (C2)."""
    totals, tables = quis.tables(db, scope)
    counts["sessions"] = totals.sessions
    counts["interactions"] = totals.n
    found = _by_key(tables)
    add(
        "C1",
        Item(
            "QUIS observations",
            CHECKED,
            f"{plural(totals.sessions, 'QUIS session', 'QUIS sessions')} in communal areas coded "
            f"{plural(totals.n, 'interaction', 'interactions')} between staff and the people they "
            "support.",
            facts=quis.headline(totals),
        ),
    )
    add(
        "C1",
        Item(
            "Positive and negative interactions by month",
            FOUND,
            table=found["trend"],
            chart=quis_trend_chart(found["trend"]),
        ),
    )
    add("C1", Item("Interactions by category", FOUND, table=found["categories"]))
    add(
        "C2",
        Item(
            "People's experience across the day",
            FOUND,
            "Whether people met negative interactions, and how care differed by context.",
            table=found["people"],
        ),
    )
    add("C2", Item("By context", FOUND, table=found["contexts"]))


def visit_evidence(db: Session, scope: Scope, today: date, add, counts: dict[str, int]) -> None:
    """Monitoring visits evidence Safe (staffing, infection control, medicines) and Effective
    (consent); coverage shows whether every worker is checked, and unpredictably."""
    overall, tables = visits.tables(db, scope)
    counts["visits"] = overall["visits"]
    found = _by_key(tables)
    (people, types), spread = coverage.tables(db, scope, today)
    spread_tables = _by_key(spread)  # the worker list (named care workers) is left out
    add(
        "S6",
        Item(
            "Monitoring visits (spot checks)",
            CHECKED,
            f"{plural(overall['visits'], 'monitoring visit', 'monitoring visits')} observed care "
            "workers' practice in people's homes.",
            facts=visits.headline(overall),
        ),
    )
    add(
        "S6",
        Item(
            "Coverage: who has been checked",
            CHECKED,
            f"Status of the service's care workers on {today:%-d %b %Y}.",
            facts=coverage.headline(people, types),
        ),
    )
    add("S6", Item("Visits by type", CHECKED, table=spread_tables["types"]))
    add("S6", Item("Visits by weekday", CHECKED, table=spread_tables["weekdays"]))
    add(
        "S6",
        Item(
            "Visit scores by month",
            FOUND,
            table=found["scores"],
            chart=visit_scores_chart(found["scores"]),
        ),
    )
    add(
        "S6",
        Item(
            "Outcome bands by month",
            FOUND,
            visits.scored_text(overall),
            table=found["bands"],
        ),
    )
    add("S6", Item("% met by checklist domain", FOUND, table=found["domains"]))
    add("S6", Item("Recurring gaps: most often missed items", FOUND, table=found["missed"]))
    add("S6", Item("Arrival against the planned time", FOUND, table=found["lateness"]))
    grid = found["domains"]
    for word, code in DOMAIN_STATEMENTS.items():
        rows = [row for row in grid.rows if word in str(row[0]).lower()]
        missed = [row for row in found["missed"].rows if word in str(row[1]).lower()]
        if rows:
            add(code, Item(f"{rows[0][0]}: % met by month", FOUND, table=_subset(grid, rows)))
        if missed:
            add(code, Item("Items missed", FOUND, table=_subset(found["missed"], missed)))


POSITIVE = Series("Positive", "#2e7d4f")
NEGATIVE = Series("Negative", "#b3261e", dashed=True)
MET = Series("Met", "#1f5f8b")


def _bars(table: Table, keys: tuple[str, ...]) -> list[tuple[str, list[Bar]]]:
    """One row of bars per row of ``table`` (its first cell the category): each bar the share
    in column ``key`` as a percentage, labelled exactly as the table shows it."""
    where = {c.key: i for i, c in enumerate(table.columns)}
    rows = []
    for row in table.rows:
        cells = table.cells(row)
        bars = []
        for key in keys:
            value = row[where[key]]
            text = cells[where[key]] if value is not None else "no data"
            bars.append(Bar(None if value is None else value * 100, text))
        rows.append((cells[0], bars))
    return rows


def quis_trend_chart(table: Table) -> Chart:
    """Chart (b): the share of interactions positive and negative, month by month, from the
    QUIS trend table (which also holds the 95% ranges)."""
    rows = _bars(table, ("positive", "negative"))
    said = "; ".join(f"{month}: positive {p.text}, negative {n.text}" for month, (p, n) in rows)
    return bar_chart(
        "Positive and negative interactions by month",
        "Each month's share of the QUIS interactions coded positive and negative, as in the "
        f"table below (which gives the 95% ranges). {said}.",
        rows,
        [POSITIVE, NEGATIVE],
        axis_label="Share of interactions (%)",
        empty="No QUIS interactions in this period, so there is nothing to chart.",
    )


def visit_scores_chart(table: Table) -> Chart:
    """Chart (c): monitoring visits' average score (items met as a share of those possible),
    month by month, from the visit scores table."""
    rows = _bars(table, ("score",))
    said = "; ".join(f"{month}: {bar.text}" for month, (bar,) in rows)
    return bar_chart(
        "Visits: % met by month",
        "Each month's average monitoring visit score: the points met as a share of those "
        f"possible, over the scored visits, as in the table below. {said}.",
        rows,
        [MET],
        axis_label="Average score (% met)",
        empty="No scored monitoring visits in this period, so there is nothing to chart.",
    )


def _subset(table: Table, rows: list) -> Table:
    return Table(table.key, table.title, table.columns, rows, table.caption, table.empty)


DRAWS = {
    # kind: (statement, title, what "checked" means, its column label)
    "workers": (
        "S6",
        "Fair draws of care workers to check",
        "visited",
        "Visited",
    ),
    "people": (
        "R4",
        "Fair draws of people to ask how their care is going",
        "asked",
        "Asked",
    ),
}


def draw_evidence(db: Session, service: Service, first: date, last: date, add, counts) -> None:
    """The random draws made in the period (who to check next, whom to ask), whether each
    re-runs to its stored result, and whether those drawn were then visited or asked by the
    end of the period (see careobs.selection.queries for what counts)."""
    kinds = ("workers", "people") if service.kind in SERVICE_KINDS["workers"] else ("people",)
    for kind in kinds:
        statement, title, done, label = DRAWS[kind]
        found = follow_ups(db, service, kind, first, last)
        recorded = kind == "workers" or asking_recorded(service)
        drawn = sum(f.drawn for f in found)
        checked = sum(f.checked or 0 for f in found)
        counts[f"draws_{kind}"] = len(found)
        columns = [
            Column("day", "Drawn on", "date"),
            Column("number", "Draw number", "int"),
            Column("drawn", "How many drawn", "int"),
            Column("repeat", "Repeat draw"),
            Column("verified", "Verified"),
        ]
        if recorded:
            columns += [Column("checked", label, "int"), Column("not", f"Not yet {done}", "int")]
        rows = [
            [
                f.day,
                f.draw.sequence,
                f.drawn,
                f"Yes: {f.draw.repeat_reason}" if f.draw.is_repeat else "No",
                "Yes" if f.verified else "No: tell your administrator",
                *((f.checked, f.not_checked) if recorded else ()),
            ]
            for f in found
        ]
        who = "care worker" if kind == "workers" else "person"
        whom = "care workers" if kind == "workers" else "people"
        if recorded:
            followed = (
                f"{plural(drawn, who, whom)} drawn: {checked} {done} by {last:%-d %b %Y} "
                f"and {drawn - checked} not yet {done}. "
            )
            rule = (
                f"A {who} counts as {done} when "
                + (
                    "a scored monitoring visit of them was submitted"
                    if kind == "workers"
                    else "a monitoring visit to them recorded their view (satisfaction or a "
                    "comment)"
                )
                + " on or after the day of the draw and by the end of the period; someone "
                "drawn in two draws counts in each."
            )
        else:
            followed = f"{plural(drawn, who, whom)} drawn. "
            rule = (
                "Whether they were then asked is not recorded in careobs: in a care home "
                "nothing records asking a person how their care is going (QUIS observes, it "
                "does not ask)."
            )
        repeats = sum(f.draw.is_repeat for f in found)
        verified = sum(f.verified for f in found)
        add(
            statement,
            Item(
                title,
                CHECKED,
                f"careobs draws whom to check at random with a seed it makes itself, keeps "
                f"every draw and re-runs each from its record to show it was not chosen by "
                f"hand. {followed}{rule}",
                facts=[
                    ("Draws", str(len(found))),
                    ("Repeat draws (same day, with the reason)", str(repeats)),
                    ("Verified", f"{verified} of {len(found)}"),
                    ("Drawn", str(drawn)),
                    *(
                        [(label, str(checked)), (f"Not yet {done}", str(drawn - checked))]
                        if recorded
                        else [(label, "Not recorded in careobs")]
                    ),
                ],
                table=Table(
                    f"draws_{kind}",
                    title,
                    columns,
                    rows,
                    caption="One row per draw, in the order they were made. Verified: "
                    "re-running the draw from its stored seed and inputs gives its stored "
                    "result.",
                    empty="No draws in this period.",
                ),
            ),
        )
