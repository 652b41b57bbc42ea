"""Evidence from the people's voice: what people picked by a fair draw said when asked CQC's
"I" statements. The table sits under Listening to and involving people (R4); each statement's
agreement sits under the quality statement it speaks to.

The figures are the people's voice summary's own table (careobs.voice.queries), so the pack
and the summary never disagree. Only counts: no person is quoted or named. A period with no
conversation adds nothing.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from careobs.dashboards.filters import Scope
from careobs.evidence.contents import FOUND, Item
from careobs.voice import queries
from careobs.voice.questions import QUESTIONS

STATEMENT = "R4"  # Responsive — Listening to and involving people


def voice_evidence(db: Session, scope: Scope, add, counts: dict[str, int]) -> None:
    """The "I" statements evidence of the period (counts["conversations"]: people answering)."""
    voice_scope = queries.Scope(list(scope.service_ids), scope.first, scope.last, scope.zone)
    table = queries.answers_table(db, voice_scope)
    counts["voice_answers"] = sum(row[-2] for row in table.rows)
    if not table.rows:
        return
    add(
        STATEMENT,
        Item(
            "People's voice: the “I” statements",
            FOUND,
            "People picked by a fair draw (not chosen by staff) were asked how much they agree "
            "with statements from CQC's framework. Each row adds up to the people who answered "
            "it; Agreeing is Strongly agree or Agree among those who gave a view.",
            table=table,
        ),
    )
    for question, row in zip(QUESTIONS, table.rows, strict=True):
        *_counts, n, share = row
        view = n - row[6]  # less Prefer not to say
        if not view:
            continue
        agreeing = round(share * view)
        add(
            question.cqc,
            Item(
                f"“{question.text}”",
                FOUND,
                f"{agreeing} of {view} people asked agreed (people's voice, from fair draws).",
                facts=[("Agreeing", f"{agreeing} of {view}")],
            ),
        )
