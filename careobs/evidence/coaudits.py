"""Evidence from co-audits: people who use the service (and quality checkers) auditing with us,
and how far they agree with our own audits — under Listening to and involving people (R4), in
the people's experience part of the pack.

Only aggregates: no person supported is named (not even by code: a follow-up's description
names one, so the pack counts follow-ups by status instead of listing them), and no staff
member. The agreement is the audits dashboard's (careobs.dashboards.audits_agreement), so the
pack and the dashboard never disagree.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from careobs.actions.models import STATUSES
from careobs.coaudits.queries import co_audit_rows, follow_up_statuses, most_disagreed
from careobs.dashboards.audits_agreement import RULE, agreement_words, sums
from careobs.dashboards.filters import Scope
from careobs.dashboards.tables import Column, Table
from careobs.evidence.contents import CHECKED, DONE, FOUND, Item
from careobs.wording import plural

STATEMENT = "R4"  # Responsive — Listening to and involving people
TITLE = "Co-audits with people who use the service"


def coaudit_evidence(db: Session, scope: Scope, add, counts: dict[str, int]) -> None:
    """The period's co-audits (counts["co_audits"]); a period with none adds nothing."""
    rows = co_audit_rows(db, scope.service_ids, scope.start, scope.end)
    counts["co_audits"] = len(rows)
    if not rows:
        return
    compared = [r for r in rows if r.was_compared]
    nothing = sum(1 for r in rows if r.nothing_to_compare)
    total = sums(rows)
    ids = [r.id for r in rows]
    add(
        STATEMENT,
        Item(
            TITLE,
            CHECKED,
            f"{plural(len(rows), 'audit was', 'audits were')} done with a person who uses the "
            "service, in their own words (easy-read where they wished), or by a quality "
            f"checker with lived experience; {len(compared)} of them "
            "compared item by item with our own audit of the same thing. " + RULE,
            facts=[
                ("Co-audits", str(len(rows))),
                ("Compared with our audit", str(len(compared))),
                ("Our audit arrived, no item to compare", str(nothing)),
                ("Agreement", agreement_words(total)),
            ],
        ),
    )
    disagreed = most_disagreed(db, ids)
    if disagreed:
        add(
            STATEMENT,
            Item(
                "Co-audits: the items most often disagreed on",
                FOUND,
                "Where the person's answer and our audit's differed most often: what to look "
                "at again with them.",
                table=Table(
                    "coaudit_disagreed",
                    "Items most often disagreed on",
                    [
                        Column("item", "Item"),
                        Column("template", "Audit"),
                        Column("compared", "Compared (n)", "int"),
                        Column("differed", "Disagreed", "int"),
                    ],
                    [[d.text, d.template, d.compared, d.differed] for d in disagreed],
                    caption="Items compared where neither answer was N/A or Not sure.",
                ),
            ),
        )
    statuses = follow_up_statuses(db, ids)
    differences = sum(r.differences for r in compared)
    raised = sum(statuses.values())
    add(
        STATEMENT,
        Item(
            "Co-audits: differences followed up",
            DONE,
            f"{plural(differences, 'difference', 'differences')} between the co-audits and our "
            f"audits; {raised} followed up with an action."
            + (
                " "
                + ", ".join(
                    f"{statuses[s]} {label.lower()}"
                    for s, label in STATUSES.items()
                    if s in statuses
                )
                + "."
                if raised
                else ""
            ),
            facts=[("Differences", str(differences)), ("Followed up", str(raised))]
            + [(label, str(statuses[s])) for s, label in STATUSES.items() if s in statuses],
        ),
    )
