"""Evidence of what was done and what changed in a service: its actions under the statements
they are tagged with, feedback to care workers, and the before-and-after measures of actions."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from careobs.actions.measures import before_after
from careobs.actions.models import CLOSED, Action
from careobs.dashboards.filters import Scope
from careobs.dashboards.tables import Column, Table
from careobs.evidence.contents import CHANGED, DONE, Item
from careobs.feedback.models import Feedback
from careobs.statistics import MIN_CLUSTERS
from careobs.wording import plural


def actions_in(db: Session, scope: Scope) -> list[Action]:
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


def action_evidence(actions: list[Action], add) -> None:
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


def feedback_evidence(db: Session, scope: Scope, add, counts: dict[str, int]) -> None:
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


def change_evidence(db: Session, actions: list[Action], today: date, add) -> None:
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
