"""The evidence pack: what was checked, found, done and changed in one service over a period,
grouped by CQC key question and quality statement (design §2.3).

:func:`build` computes a :class:`Pack` once from the dashboards' own tables, the actions and the
feedback; the HTML page and the PDF both render that same object, so they never disagree.
People supported never appear (the tables are aggregates); staff are named only as the owners
of actions and as the assessor of the self-assessment, and no per-worker QUIS figure is
included. The pack also holds the service's latest self-assessment by the period's end
(careobs.evidence.selfassess) with its action plan, and charts drawn from its own tables
(careobs.evidence.charts): the page shows each chart's SVG and the PDF draws the same one.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from careobs.actions.cqc import NAMES, QUALITY_STATEMENTS
from careobs.dashboards.filters import Scope, whole_services
from careobs.db import utcnow
from careobs.evidence.audits import UNMAPPED_TITLE, audit_evidence, audits_note, unmapped_note
from careobs.evidence.calibration import calibration_evidence
from careobs.evidence.coaudits import coaudit_evidence
from careobs.evidence.compliments import compliments_evidence
from careobs.evidence.contents import CHANGED, CHECKED, DONE, FOUND, Item, Pack, Section, Statement
from careobs.evidence.improvement import (
    ACTION_COLUMNS,
    action_evidence,
    actions_in,
    change_evidence,
    feedback_evidence,
)
from careobs.evidence.observed import (
    DOMAIN_STATEMENTS,
    DRAWS,
    draw_evidence,
    quis_evidence,
    visit_evidence,
)
from careobs.evidence.selfassess import self_assessment_part
from careobs.evidence.voice import voice_evidence
from careobs.org.models import Service

__all__ = [
    "ACTION_COLUMNS",
    "CHANGED",
    "CHECKED",
    "DOMAIN_STATEMENTS",
    "DONE",
    "DRAWS",
    "FOUND",
    "Item",
    "Pack",
    "Section",
    "Statement",
    "build",
    "scope_for",
]


def scope_for(db: Session, service: Service, first: date, last: date) -> Scope:
    """A monthly dashboard scope of one service, unfiltered otherwise."""
    return whole_services(db, service.organisation_id, (service.id,), first, last)


def build(db: Session, service: Service, first: date, last: date, today: date) -> Pack:
    """The pack for ``service`` from ``first`` to ``last`` (local dates, both included).

    Coverage builds links to workers' pages, so call this inside a request context.
    """
    scope = scope_for(db, service, first, last)
    statements = {code: Statement(code, name) for code, name in NAMES.items()}
    counts: dict[str, int] = {}

    def add(code: str, item: Item) -> None:
        statements[code].items.append(item)

    if service.kind == "care_home":
        quis_evidence(db, scope, add, counts)
        calibration_evidence(db, scope, add, counts, today)
    else:
        visit_evidence(db, scope, today, add, counts)
    unmapped = audit_evidence(db, scope, add, counts)
    actions = actions_in(db, scope)
    counts["actions"] = len(actions)
    counts["actions_done"] = sum(a.status == "done" for a in actions)
    action_evidence(actions, add)
    feedback_evidence(db, scope, add, counts)
    change_evidence(db, actions, today, add)
    draw_evidence(db, service, first, last, add, counts)
    compliments_evidence(db, scope, add, counts)
    voice_evidence(db, scope, add, counts)
    coaudit_evidence(db, scope, add, counts)
    assessed = self_assessment_part(db, service, last)
    for code, line in assessed.statements.items():
        statements[code].self_assessed = line
    sections = [
        Section(
            question,
            [s for c in by_code if (s := statements[c]).items or s.self_assessed is not None],
        )
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
        audits_note=audits_note(counts),
        unmapped_audits=(
            Section(UNMAPPED_TITLE, unmapped, note=unmapped_note(counts)) if unmapped else None
        ),
        self_assessment=assessed,
    )


def _summary(service: Service, counts: dict[str, int]) -> list[tuple[str, str]]:
    checked = (
        ("QUIS sessions", counts.get("sessions", 0))
        if service.kind == "care_home"
        else ("Monitoring visits", counts.get("visits", 0))
    )
    return [
        (checked[0], str(checked[1])),
        ("Audits", _audits(counts)),
        ("Actions", f"{counts['actions']} ({counts['actions_done']} done)"),
        ("Feedback released", str(counts["feedback_released"])),
        ("Feedback acknowledged", str(counts["feedback_acknowledged"])),
    ]


def _audits(counts: dict[str, int]) -> str:
    """The audits in the period, split when some are of templates mapped to no statement."""
    total, unmapped = counts["audits"], counts["audits_unmapped"]
    if not unmapped:
        return str(total)
    return f"{total} ({counts['audits_mapped']} under quality statements, {unmapped} not mapped)"
