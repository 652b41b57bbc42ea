"""Evidence from audits: each audit template's results in the period, under every CQC quality
statement the template names (``Checklist.cqc_statements``).

Under each of its statements a template gives what was checked (how many audits of how many
subjects, the average score, the ratings) and what was found (the latest rating of every subject
as a split, and the items most often failed); the score trend by month is given once, under the
template's first statement, and the others point to it. Only aggregates: the audits dashboard's
list of subjects (people by code) is left out, as the pack names no person supported.

A template scheduled in the service also gives its on-time compliance under each of its
statements ("14 of 18 care plan audits due ... were done by their due date (78%)", by the rules of
careobs.audits.due), with the month-by-month table under the first; it is given even when no
audit of it was done in the period (then none was on time), and a template audited but not
scheduled says so.

A template that names no quality statement is still evidence: its audits are counted in the
pack's total and its items shown apart, under "Audits not mapped to a quality statement", with a
note telling the manager to map it. Each audit is counted once, however many statements its
template names, so the audits under statements and those not mapped add up to the total.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.actions.cqc import STATEMENTS
from careobs.audits.models import Audit
from careobs.audits.schedules import AuditSchedule
from careobs.checklists.models import Checklist, ChecklistVersion
from careobs.dashboards import audits
from careobs.dashboards.audits_agreement import HEADLINE_LABEL as CO_AUDITS_LABEL
from careobs.dashboards.audits_on_time import ON_TIME_LABEL
from careobs.dashboards.filters import Scope
from careobs.dashboards.tables import Table
from careobs.evidence.contents import CHECKED, FOUND, Item, Statement
from careobs.org.models import Service
from careobs.wording import plural


def _templates(db: Session, scope: Scope) -> tuple[list[Checklist], set[int]]:
    """The audit templates with a submitted audit in the scope or scheduled in its services, by
    name, and the ids of those scheduled (as the on-time figures count them: schedules in use in
    active services; an inactive service has nothing due)."""
    scheduled = set(
        db.scalars(
            sa.select(AuditSchedule.checklist_id)
            .join(Service, Service.id == AuditSchedule.service_id)
            .where(
                AuditSchedule.service_id.in_(scope.service_ids),
                AuditSchedule.stopped_at.is_(None),
                Service.active.is_(True),
            )
        )
    )
    audited = (
        sa.select(ChecklistVersion.checklist_id)
        .join(Audit, Audit.checklist_version_id == ChecklistVersion.id)
        .where(
            Audit.status == "submitted",
            Audit.co_audit_with.is_(None),
            Audit.service_id.in_(scope.service_ids),
            Audit.started_at >= scope.start,
            Audit.started_at < scope.end,
        )
    )
    templates = db.scalars(
        sa.select(Checklist)
        .where(sa.or_(Checklist.id.in_(audited), Checklist.id.in_(scheduled)))
        .order_by(Checklist.name)
    )
    return list(templates), scheduled


UNMAPPED_TITLE = "Audits not mapped to a quality statement"


def audit_evidence(
    db: Session, scope: Scope, add, counts: dict[str, int], today: date | None = None
) -> list[Statement]:
    """Add each audited or scheduled template's evidence under its statements and count the
    audits (``today``: nothing falls due after it; the organisation's today by default).

    A template that names no quality statement is not left out: its evidence is returned, one
    :class:`Statement` per template (its code empty), for the pack to show apart, and its audits
    are counted. ``counts`` gets ``audits`` (each audit once, however many statements its
    template names), ``audits_mapped`` and ``audits_unmapped``, which add up to it.
    """
    counts.update(audits=0, audits_mapped=0, audits_unmapped=0)
    unmapped: list[Statement] = []
    templates, scheduled = _templates(db, scope)
    for template in templates:
        codes = [c for c in template.cqc_statements if c in STATEMENTS]
        overall, tables = audits.tables(db, replace(scope, template_id=template.id), today)
        counts["audits"] += overall["audits"]
        counts["audits_mapped" if codes else "audits_unmapped"] += overall["audits"]
        found = {t.key: t for t in tables}
        evidence = _template_evidence(template, codes or [""], overall, found, scheduled)
        if codes:
            for code, items in evidence.items():
                for item in items:
                    add(code, item)
        elif evidence:
            unmapped.append(Statement("", template.name, evidence[""]))
    return unmapped


def _template_evidence(
    template: Checklist, codes: list[str], overall: dict, found: dict, scheduled: set[int]
) -> dict[str, list[Item]]:
    """The template's items under each of its statement codes (the first has the tables by
    month, the others point to it)."""
    on_time = _on_time_items(template, codes, found) if template.id in scheduled else {}
    if not overall["audits"]:  # scheduled, none done: the on-time figures say so
        return {code: [item] for code, item in on_time.items()}
    latest = found["latest"]
    split = {
        key: sum(row[i] for row in latest.rows)
        for i, key in enumerate(("subjects", "red", "amber", "green", "unscored"), start=2)
    }
    facts = [
        (label, value)
        for label, value in audits.headline(overall)
        # Co-audits have their own section (careobs.evidence.coaudits), never a staff figure.
        if label not in ("Subjects red at their latest audit", ON_TIME_LABEL, CO_AUDITS_LABEL)
    ]
    facts.append(("Latest rating of each subject", audits.rag_text(split)))
    checked = (
        f"{plural(overall['audits'], 'audit', 'audits')} of "
        f"{plural(split['subjects'], 'subject', 'subjects')} with the "
        f"{template.name.lower()} template."
    )
    if template.id not in scheduled:
        checked += " It is not on a schedule in this service, so no audit of it fell due."
    evidence: dict[str, list[Item]] = {}
    for position, code in enumerate(codes):
        items = evidence[code] = [Item(template.name, CHECKED, checked, facts=list(facts))]
        if code in on_time:
            items.append(on_time[code])
        items.append(
            Item(
                f"{template.name}: latest rating of each subject",
                FOUND,
                "Each subject counted once, by its latest audit in the period.",
                table=latest,
            )
        )
        items.append(
            Item(f"{template.name}: most often failed items", FOUND, table=found["failed"])
        )
        title = f"{template.name}: scores by month"
        if position == 0:
            items.append(Item(title, FOUND, table=found["scores"]))
        else:
            items.append(Item(title, FOUND, f"Given under {codes[0]} ({STATEMENTS[codes[0]]})."))
    return evidence


def audits_note(counts: dict[str, int]) -> str:
    """How the pack's audits add up, for the caption of its total."""
    total, mapped, unmapped = counts["audits"], counts["audits_mapped"], counts["audits_unmapped"]
    if not total:
        return ""
    note = (
        f"Each of the {plural(total, 'audit', 'audits')} is counted once in the total, even when "
        "its template evidences several quality statements and so is shown under each of them"
    )
    if not unmapped:
        return note + "."
    return (
        f"{note}: {mapped} under quality statements and {unmapped} of templates not mapped to "
        f"one, shown under “{UNMAPPED_TITLE}”."
    )


def unmapped_note(counts: dict[str, int]) -> str:
    """What the manager reads above the audits of templates that name no quality statement."""
    total, unmapped = counts["audits"], counts["audits_unmapped"]
    return (
        "These audit templates name no CQC quality statement, so their evidence is shown here "
        f"rather than under one. Their {plural(unmapped, 'audit', 'audits')} "
        f"{'is' if unmapped == 1 else 'are'} counted in the pack’s total of {total}. Map each "
        "template to the quality statements it evidences (Checklists, then the template’s audit "
        "settings; an organisation admin can do this), and the next pack shows it there."
    )


def _on_time_items(template: Checklist, codes: list[str], found: dict) -> dict[str, Item]:
    """The template's on-time compliance for each of its statements, the table by month under
    the first (none when the schedule has no active subject)."""
    overall = found["ontime"]
    if not overall.rows:
        return {}
    [row] = overall.rows  # one template in one service
    columns = [c.key for c in overall.columns]
    value = dict(zip(columns, row, strict=True))
    words = value["summary"].split(": ", 1)[1]  # without the service's name: the pack is one
    rate = "—" if value["rate"] is None else f"{value['rate'] * 100:.1f}%"
    facts = [
        ("Scheduled", f"every {plural(value['every'], 'day', 'days')}"),
        ("Subjects", str(value["subjects"])),
        ("Fell due", str(value["fell_due"])),
        ("Done on time", f"{value['on_time']} ({rate})"),
        ("Late or missed", str(value["late"])),
    ]
    title = f"{template.name}: done on time"
    first = codes[0]
    items = {first: Item(title, CHECKED, words, facts=facts, table=_by_month(found))}
    for code in codes[1:]:
        text = f"{words} By month under {first} ({STATEMENTS[first]})."
        items[code] = Item(title, CHECKED, text, facts=list(facts))
    return items


def _by_month(found: dict) -> Table:
    """The dashboard's table by month without its template and service columns: the item's
    title names the template and the pack is one service's."""
    table = found["ontime_periods"]
    keep = [i for i, c in enumerate(table.columns) if c.key not in ("template", "service")]
    return replace(
        table,
        columns=[table.columns[i] for i in keep],
        rows=[[row[i] for i in keep] for row in table.rows],
    )
