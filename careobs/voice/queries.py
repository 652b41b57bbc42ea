"""The people's voice summary: per "I" statement how people answered, and what came of each
draw of people (asked, declined, not available, not yet) — the no-cherry-picking evidence.

Counted from submitted conversations that started within the period (local days); the draws
counted are those made within it. Each answers table row adds up to its n.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.dashboards.tables import Column, Table
from careobs.days import within_days
from careobs.selection.models import SelectionDraw
from careobs.voice.models import Conversation, ConversationAnswer
from careobs.voice.questions import ANSWERS, OUTCOMES, summarise


@dataclass(frozen=True)
class Scope:
    """Which conversations a summary reads: these services' (ids), these local days."""

    service_ids: list[int]
    first: date
    last: date
    zone: object


def answers_table(db: Session, scope: Scope) -> Table:
    """Per statement: how many gave each answer, n, and the share agreeing among those who
    gave a view (n less "Prefer not to say")."""
    pairs = db.execute(
        sa.select(ConversationAnswer.question, ConversationAnswer.answer)
        .join(Conversation, Conversation.id == ConversationAnswer.conversation_id)
        .where(
            Conversation.service_id.in_(scope.service_ids),
            Conversation.status == "submitted",
            Conversation.outcome == "asked",
            *within_days(Conversation.started_at, scope.first, scope.last, scope.zone),
        )
    ).all()
    columns = [
        Column("statement", "Statement"),
        *(Column(key, label, "int") for key, label in ANSWERS.items()),
        Column("n", "n", "int"),
        Column("agreeing", "Agreeing", "pct"),
    ]
    rows = [
        [row.question.text, *row.counts.values(), row.n, row.share_agreeing]
        for row in summarise(pairs)
    ]
    return Table(
        "voice_answers",
        "What people said",
        columns,
        rows if any(row[-2] for row in rows) else [],
        caption="Each row adds up to n, the people who answered that statement. Agreeing: "
        "Strongly agree or Agree, as a share of those who gave a view (n less Prefer not "
        "to say).",
        empty="No conversations were submitted in this period.",
    )


def follow_up_table(db: Session, scope: Scope) -> Table:
    """Per draw of people made in the period: how many were drawn, and how many of them were
    asked, declined, were not available or have not been asked yet (these add up to drawn)."""
    draws = db.scalars(
        sa.select(SelectionDraw)
        .where(
            SelectionDraw.service_id.in_(scope.service_ids),
            SelectionDraw.kind == "people",
            *within_days(SelectionDraw.created_at, scope.first, scope.last, scope.zone),
        )
        .order_by(SelectionDraw.created_at, SelectionDraw.id)
    ).all()
    recorded = db.execute(
        sa.select(Conversation.draw_id, Conversation.outcome, sa.func.count())
        .where(
            Conversation.draw_id.in_([d.id for d in draws]),
            Conversation.status == "submitted",
        )
        .group_by(Conversation.draw_id, Conversation.outcome)
    ).all()
    counts = {(draw_id, outcome): n for draw_id, outcome, n in recorded}
    columns = [
        Column("draw", "Draw"),
        Column("drawn", "Drawn", "int"),
        *(Column(key, label, "int") for key, label in OUTCOMES.items()),
        Column("not_yet", "Not yet asked", "int"),
    ]
    rows = []
    for draw in draws:
        followed = [counts.get((draw.id, key), 0) for key in OUTCOMES]
        drawn = len(draw.result)
        label = f"{draw.service.name}, {draw.created_at.astimezone(scope.zone):%-d %b %Y}"
        rows.append([label, drawn, *followed, drawn - sum(followed)])
    return Table(
        "voice_follow_up",
        "Who was asked from each draw",
        columns,
        rows,
        caption="Everyone a draw picked, and what came of asking them: each row adds up to the "
        "number drawn, so nobody drawn is left out of the record.",
        empty="No draws of people were made in this period.",
    )
