"""Evidence from the compliments and concerns log, under "Listening to and involving people"
(Responsive, R4): what people said, by section of the service, and what was done with it.

The figures are the Compliments dashboard's own tables (careobs.dashboards.compliments), so the
pack and the dashboard never disagree. Only counts: the pack quotes no entry, and names nobody
who gave one. A period with no entry adds nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.compliments.models import Compliment
from careobs.dashboards import compliments
from careobs.dashboards.filters import Scope
from careobs.evidence.contents import DONE, FOUND, Item
from careobs.feedback.models import Feedback
from careobs.wording import plural

STATEMENT = "R4"  # Responsive — Listening to and involving people


def compliments_evidence(db: Session, scope: Scope, add, counts: dict[str, int]) -> None:
    """What people said about the service in the period, and what came of it."""
    overall, tables = compliments.tables(db, scope)
    n = overall["compliment"] + overall["concern"]
    counts["compliments"], counts["concerns"] = overall["compliment"], overall["concern"]
    if not n:
        return
    by_section = next(t for t in tables if t.key == "by_section")
    add(
        STATEMENT,
        Item(
            "Compliments and concerns",
            FOUND,
            "What people supported, their families and friends, and professionals told the "
            "service, logged by what it was about. A concern here is informal feedback, not a "
            f"formal complaint. {compliments.in_words(overall)}",
            facts=compliments.headline(overall),
            table=by_section,
        ),
    )
    in_scope = (
        Compliment.service_id.in_(scope.service_ids),
        Compliment.received_on >= scope.first,
        Compliment.received_on <= scope.last,
    )
    actions = db.scalar(
        sa.select(sa.func.count()).where(*in_scope, Compliment.action_id.is_not(None))
    )
    feedback = db.execute(
        sa.select(
            sa.func.count().label("drafted"),
            sa.func.count(Feedback.released_at).label("released"),
            sa.func.count(Feedback.acknowledged_at).label("acknowledged"),
        )
        .join(Compliment, Compliment.id == Feedback.compliment_id)
        .where(*in_scope)
    ).one()
    concerns = overall["concern"]
    add(
        STATEMENT,
        Item(
            "What was done with them",
            DONE,
            f"{overall['responded']} of {plural(concerns, 'concern', 'concerns')} had a "
            f"response recorded, and {plural(actions, 'action was', 'actions were')} raised "
            "from them. Each compliment naming a care worker was drafted as written feedback to "
            "them, for a manager of the service to release: "
            f"{feedback.released} of {feedback.drafted} released, "
            f"{feedback.acknowledged} acknowledged by the worker.",
            facts=[
                ("Concerns responded to", f"{overall['responded']} of {concerns}"),
                ("Actions raised from concerns", str(actions)),
                (
                    "Feedback from compliments released",
                    f"{feedback.released} of {feedback.drafted}",
                ),
                (
                    "Acknowledged by the care worker",
                    f"{feedback.acknowledged} of {feedback.released}",
                ),
            ],
        ),
    )
