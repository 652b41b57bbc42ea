"""Evidence from audits: each audit template's results in the period, under every CQC quality
statement the template names (``Checklist.cqc_statements``).

Under each of its statements a template gives what was checked (how many audits of how many
subjects, the average score, the ratings) and what was found (the latest rating of every subject
as a split, and the items most often failed); the score trend by month is given once, under the
template's first statement, and the others point to it. Only aggregates: the audits dashboard's
list of subjects (people by code) is left out, as the pack names no person supported.

On-time compliance with the audit schedules is not in the pack yet (the schedules are built
separately; see careobs.dashboards.audits).
"""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.actions.cqc import STATEMENTS
from careobs.audits.models import Audit
from careobs.checklists.models import Checklist, ChecklistVersion
from careobs.dashboards import audits
from careobs.dashboards.filters import Scope
from careobs.evidence.contents import CHECKED, FOUND, Item
from careobs.wording import plural


def _templates_audited(db: Session, scope: Scope) -> list[Checklist]:
    """The audit templates with a submitted audit in the scope, by name."""
    ids = (
        sa.select(ChecklistVersion.checklist_id)
        .join(Audit, Audit.checklist_version_id == ChecklistVersion.id)
        .where(
            Audit.status == "submitted",
            Audit.service_id.in_(scope.service_ids),
            Audit.started_at >= scope.start,
            Audit.started_at < scope.end,
        )
    )
    return list(
        db.scalars(sa.select(Checklist).where(Checklist.id.in_(ids)).order_by(Checklist.name))
    )


def audit_evidence(db: Session, scope: Scope, add, counts: dict[str, int]) -> None:
    """Add each audited template's evidence under its statements; count the audits."""
    counts["audits"] = 0
    for template in _templates_audited(db, scope):
        codes = [c for c in template.cqc_statements if c in STATEMENTS]
        if not codes:
            continue
        overall, tables = audits.tables(db, replace(scope, template_id=template.id))
        counts["audits"] += overall["audits"]
        found = {t.key: t for t in tables}
        latest = found["latest"]
        split = {
            key: sum(row[i] for row in latest.rows)
            for i, key in enumerate(("subjects", "red", "amber", "green", "unscored"), start=2)
        }
        facts = [
            (label, value)
            for label, value in audits.headline(overall)
            if label != "Subjects red at their latest audit"
        ]
        facts.append(("Latest rating of each subject", audits.rag_text(split)))
        checked = (
            f"{plural(overall['audits'], 'audit', 'audits')} of "
            f"{plural(split['subjects'], 'subject', 'subjects')} with the "
            f"{template.name.lower()} template."
        )
        failed = found["failed"]
        for position, code in enumerate(codes):
            add(code, Item(template.name, CHECKED, checked, facts=list(facts)))
            add(
                code,
                Item(
                    f"{template.name}: latest rating of each subject",
                    FOUND,
                    "Each subject counted once, by its latest audit in the period.",
                    table=latest,
                ),
            )
            add(code, Item(f"{template.name}: most often failed items", FOUND, table=failed))
            if position == 0:
                add(code, Item(f"{template.name}: scores by month", FOUND, table=found["scores"]))
            else:
                add(
                    code,
                    Item(
                        f"{template.name}: scores by month",
                        FOUND,
                        f"Given under {codes[0]} ({STATEMENTS[codes[0]]}).",
                    ),
                )
