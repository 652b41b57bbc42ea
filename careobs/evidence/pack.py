"""The evidence pack: what was checked, found, done and changed in one service over a period,
grouped by CQC key question and quality statement (design §2.3).

:func:`build` computes a :class:`Pack` once from the dashboards' own tables, the actions and the
feedback; the HTML page and the PDF both render that same object, so they never disagree.
People supported never appear (the tables are aggregates); staff are named only as the owners
of actions, and no per-worker QUIS figure is included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from careobs.actions.cqc import QUALITY_STATEMENTS
from careobs.actions.measures import before_after
from careobs.actions.models import CLOSED, Action
from careobs.dashboards import coverage, quis, visits
from careobs.dashboards.filters import Scope
from careobs.dashboards.tables import Column, Table
from careobs.db import utcnow
from careobs.feedback.models import Feedback
from careobs.org import settings as org_settings
from careobs.org.models import Service
from careobs.selection.queries import asking_recorded, follow_ups
from careobs.selection.service import SERVICE_KINDS
from careobs.statistics import MIN_CLUSTERS
from careobs.wording import plural

# The four things the pack says about each statement, in the order CQC reads them.
CHECKED, FOUND, DONE, CHANGED = (
    "What was checked",
    "What was found",
    "What was done",
    "What changed",
)

# Checklist domains (by a word in their name) that evidence a statement of their own.
DOMAIN_STATEMENTS = {"infection": "S7", "medicine": "S8", "consent": "E6"}


@dataclass
class Item:
    """One piece of evidence: a heading, what kind of evidence it is, a short paragraph,
    headline figures and/or a table."""

    title: str
    kind: str  # CHECKED, FOUND, DONE or CHANGED
    text: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)
    table: Table | None = None


@dataclass
class Statement:
    code: str
    name: str
    items: list[Item] = field(default_factory=list)


@dataclass
class Section:
    """One CQC key question and the statements with evidence in the period."""

    question: str
    statements: list[Statement] = field(default_factory=list)


@dataclass
class Pack:
    organisation: str
    service: Service
    first: date
    last: date
    generated_at: datetime
    counts: dict[str, int]
    summary: list[tuple[str, str]]
    sections: list[Section]

    @property
    def title(self) -> str:
        return f"Evidence pack: {self.service.name}"

    @property
    def period(self) -> str:
        return f"{self.first:%-d %b %Y} to {self.last:%-d %b %Y}"


def scope_for(db: Session, service: Service, first: date, last: date) -> Scope:
    """A monthly dashboard scope of one service, unfiltered otherwise."""
    return Scope(
        organisation_id=service.organisation_id,
        zone=org_settings.time_zone(db, service.organisation_id),
        service_ids=(service.id,),
        first=first,
        last=last,
        grouping="month",
        context=None,
        area_id=None,
        visit_type=None,
        query={},
    )


def build(db: Session, service: Service, first: date, last: date, today: date) -> Pack:
    """The pack for ``service`` from ``first`` to ``last`` (local dates, both included).

    Coverage builds links to workers' pages, so call this inside a request context.
    """
    scope = scope_for(db, service, first, last)
    statements = {
        code: Statement(code, name)
        for by_code in QUALITY_STATEMENTS.values()
        for code, name in by_code.items()
    }
    counts: dict[str, int] = {}

    def add(code: str, item: Item) -> None:
        statements[code].items.append(item)

    if service.kind == "care_home":
        _quis_evidence(db, scope, add, counts)
    else:
        _visit_evidence(db, scope, today, add, counts)
    actions = _actions(db, scope)
    counts["actions"] = len(actions)
    counts["actions_done"] = sum(a.status == "done" for a in actions)
    _action_evidence(actions, add)
    _feedback_evidence(db, scope, add, counts)
    _change_evidence(db, actions, today, add)
    _draw_evidence(db, service, first, last, add, counts)
    sections = [
        Section(question, [statements[c] for c in by_code if statements[c].items])
        for question, by_code in QUALITY_STATEMENTS.items()
    ]
    return Pack(
        organisation=service.organisation.name,
        service=service,
        first=first,
        last=last,
        generated_at=utcnow(),
        counts=counts,
        summary=_summary(service, counts),
        sections=sections,
    )


def _summary(service: Service, counts: dict[str, int]) -> list[tuple[str, str]]:
    checked = (
        ("QUIS sessions", counts.get("sessions", 0))
        if service.kind == "care_home"
        else ("Monitoring visits", counts.get("visits", 0))
    )
    return [
        (checked[0], str(checked[1])),
        ("Actions", f"{counts['actions']} ({counts['actions_done']} done)"),
        ("Feedback released", str(counts["feedback_released"])),
        ("Feedback acknowledged", str(counts["feedback_acknowledged"])),
    ]


def _by_key(tables: list[Table]) -> dict[str, Table]:
    return {t.key: t for t in tables}


def _quis_evidence(db: Session, scope: Scope, add, counts: dict[str, int]) -> None:
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
    add("C1", Item("Positive and negative interactions by month", FOUND, table=found["trend"]))
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


def _visit_evidence(db: Session, scope: Scope, today: date, add, counts: dict[str, int]) -> None:
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
    add("S6", Item("Visit scores by month", FOUND, table=found["scores"]))
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


def _subset(table: Table, rows: list) -> Table:
    return Table(table.key, table.title, table.columns, rows, table.caption, table.empty)


def _actions(db: Session, scope: Scope) -> list[Action]:
    """The service's actions raised before the period ended that were still open in it, or
    closed during it."""
    return list(
        db.scalars(
            sa.select(Action)
            .where(
                Action.service_id.in_(scope.service_ids),
                Action.created_at < scope.end,
                sa.or_(
                    Action.status.not_in(CLOSED),
                    sa.func.coalesce(Action.completed_at, Action.updated_at) >= scope.start,
                ),
            )
            .options(selectinload(Action.owner_user), selectinload(Action.owner_staff))
            .order_by(Action.created_at, Action.id)
        )
    )


ACTION_COLUMNS = [
    Column("description", "Action"),
    Column("owner", "Owner"),
    Column("source", "From"),
    Column("due", "Due", "date"),
    Column("status", "Status"),
    Column("completed", "Completed", "date"),
]


def _action_table(key: str, actions: list[Action]) -> Table:
    return Table(
        key,
        "Actions",
        ACTION_COLUMNS,
        [
            [
                a.description,
                a.owner_name,
                a.source_label,
                a.due_on,
                a.status_label,
                a.completed_at.date() if a.completed_at else None,
            ]
            for a in actions
        ],
        caption="Each action is listed under every quality statement it is tagged with.",
    )


def _action_evidence(actions: list[Action], add) -> None:
    """Actions under their own tags, and all of them under Well-led: learning (W7) and
    governance (W5), with how many were done on time."""
    by_tag: dict[str, list[Action]] = {}
    for action in actions:
        for code in action.cqc_tags or []:
            by_tag.setdefault(code, []).append(action)
    for code, tagged in by_tag.items():
        if code in ("W5", "W7"):
            continue
        add(
            code,
            Item("Actions tagged with this statement", DONE, table=_action_table(code, tagged)),
        )
    done = [a for a in actions if a.status == "done"]
    on_time = sum(
        1
        for a in done
        if a.due_on is None or (a.completed_at and a.completed_at.date() <= a.due_on)
    )
    add(
        "W7",
        Item(
            "Actions agreed from what was found",
            DONE,
            f"{plural(len(actions), 'action', 'actions')} open or completed in the period; "
            f"{len(done)} done, {on_time} of them by their due date.",
            table=_action_table("W7", actions),
        ),
    )
    add(
        "W5",
        Item(
            "Governance of actions",
            DONE,
            "Every action has a named owner or is listed as having none, a due date and a status, "
            "and is reviewed in careobs.",
            facts=[
                (label, str(sum(a.status == status for a in actions)))
                for status, label in (
                    ("open", "Open"),
                    ("in_progress", "In progress"),
                    ("done", "Done"),
                    ("cancelled", "Cancelled"),
                )
            ],
        ),
    )


def _feedback_evidence(db: Session, scope: Scope, add, counts: dict[str, int]) -> None:
    """Written feedback released to care workers in the period, and what they did with it."""
    row = db.execute(
        sa.select(
            sa.func.count().label("released"),
            sa.func.count(Feedback.read_at).label("read"),
            sa.func.count(Feedback.acknowledged_at).label("acknowledged"),
            sa.func.count(Feedback.replied_at).label("replied"),
        ).where(
            Feedback.service_id.in_(scope.service_ids),
            Feedback.status == "released",
            Feedback.released_at >= scope.start,
            Feedback.released_at < scope.end,
        )
    ).one()
    counts["feedback_released"] = row.released
    counts["feedback_acknowledged"] = row.acknowledged

    def share(n: int) -> str:
        return f"{n} ({n / row.released * 100:.0f}%)" if row.released else str(n)

    add(
        "W7",
        Item(
            "Feedback to care workers",
            DONE,
            "Written feedback about their practice, released to each care worker observed; "
            "careobs records when they read it, acknowledged it and replied with a reflection.",
            facts=[
                ("Released", str(row.released)),
                ("Read", share(row.read)),
                ("Acknowledged", share(row.acknowledged)),
                ("Replied", share(row.replied)),
            ],
        ),
    )


def _change_evidence(db: Session, actions: list[Action], today: date, add) -> None:
    """Before and after measures of the actions that name one (Learning, improvement and
    innovation): the measure over the days before the action, and since it was done, with n,
    k sessions (or visits), 95% intervals, and what a test that treats each session (visit) as
    the unit says about the difference: the same statement as the action's own page."""
    rows = []
    verdicts = []
    for action in actions:
        comparison = before_after(db, action, today)
        if comparison is None:
            continue
        before, after = comparison.before, comparison.after
        rows.append(
            [
                action.description,
                action.status_label,
                comparison.label,
                before.value,
                _interval(before),
                before.n,
                before.k,
                after.value,
                _interval(after),
                after.n,
                after.k,
                comparison.change,
            ]
        )
        verdicts.append((action.description, comparison.statement))
    table = Table(
        "changes",
        "Before and after",
        [
            Column("action", "Action"),
            Column("status", "Status"),
            Column("measure", "Measure"),
            Column("before", "Before", "pct"),
            Column("before_ci", "Before, 95% interval"),
            Column("before_n", "Before (n)", "int"),
            Column("before_k", "Before (k)", "int"),
            Column("after", "After", "pct"),
            Column("after_ci", "After, 95% interval"),
            Column("after_n", "After (n)", "int"),
            Column("after_k", "After (k)", "int"),
            Column("change", "Change", "pct"),
        ],
        rows,
        caption="Each window is the measure's number of days before the action was added, and "
        "from the day it was done (while open: added). n counts interactions (for a checklist "
        "domain: items rated) and k the sessions (visits) they came from. Change is after minus "
        "before, in percentage points. The 95% interval is the range the true share probably "
        "lies in; it allows for interactions in one session being alike, so it is wider than a "
        "simple interval. Whether a change could be chance is judged by a test that treats each "
        f"session (visit) as the unit; it needs at least {MIN_CLUSTERS} on each side.",
        empty="No action in this period names a measure to compare before and after.",
    )
    add("W7", Item("The difference made", CHANGED, facts=verdicts, table=table))


def _interval(value) -> str:
    if value.low is None or value.high is None:
        return "—"
    return f"{value.low * 100:.1f}–{value.high * 100:.1f}%"


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


def _draw_evidence(db: Session, service: Service, first: date, last: date, add, counts) -> None:
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
