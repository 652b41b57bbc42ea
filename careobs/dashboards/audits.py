"""The audits dashboard: the latest rating of every subject, score trend, bands per period and the
most often failed items, per audit template and service.

Scores, bands and counts come from the outcome stored with each submitted audit
(careobs.audits.service); only the failed items read the answer rows, and only those of the
audits in scope. Every table's rows add up to its n: Green + Amber + Red + Unscored = Audits (or
Subjects), where Unscored is an audit with every item N/A (no score, no band).

"Scheduled audits done on time" (careobs.dashboards.audits_on_time) follows the audit schedules
and the rules of careobs.audits.due: per template and service, over the period and per period.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.audits.models import Audit, AuditAnswer, AuditLatest
from careobs.checklists.models import Checklist, ChecklistDomain, ChecklistItem, ChecklistVersion
from careobs.dashboards import audits_agreement, audits_on_time
from careobs.dashboards.filters import Scope
from careobs.dashboards.tables import NOTE, Chart, Column, Table
from careobs.db import utcnow
from careobs.org.models import Area, Person, Service, StaffMember
from careobs.periods import bucket_index, period_boundaries

BANDS = ("red", "amber", "green")
# Worst first: red, then amber, then unscored (nothing to judge by), then green.
SEVERITY = {"red": 0, "amber": 1, None: 2, "green": 3}
BAND_WORDS = {"red": "Red", "amber": "Amber", "green": "Green", None: "Unscored"}
NO_AUDITS = dict.fromkeys(("audits", "scored", "green", "amber", "red", "unscored"), 0)
UNSCORED_MEANS = "Unscored: every item was N/A, so the audit has no score and no band"


def _where(scope: Scope) -> list:
    """The staff audits in the scope: submitted, never a co-audit (co-audits have their own
    figures, careobs.dashboards.coaudits, and must not move the staff audits' scores)."""
    conditions = [
        Audit.status == "submitted",
        Audit.co_audit_with.is_(None),
        Audit.service_id.in_(scope.service_ids),
        Audit.started_at >= scope.start,
        Audit.started_at < scope.end,
    ]
    if scope.template_id is not None:
        conditions.append(
            Audit.checklist_version_id.in_(
                sa.select(ChecklistVersion.id).where(
                    ChecklistVersion.checklist_id == scope.template_id
                )
            )
        )
    return conditions


def _count_when(condition):
    return sa.func.sum(sa.case((condition, 1), else_=0))


def per_period(db: Session, scope: Scope) -> list[dict]:
    """Audits, scored audits, score sum and bands in each period of the scope."""
    spans = scope.periods()
    bucket = bucket_index(Audit.started_at, period_boundaries(spans)).label("bucket")
    rows = db.execute(
        sa.select(
            bucket,
            sa.func.count().label("audits"),
            sa.func.count(Audit.score).label("scored"),
            sa.func.sum(Audit.score).label("score_sum"),
            _count_when(Audit.band == "green").label("green"),
            _count_when(Audit.band == "amber").label("amber"),
            _count_when(Audit.band == "red").label("red"),
            _count_when(Audit.band.is_(None)).label("unscored"),
        )
        .where(*_where(scope))
        .group_by(bucket)
    )
    periods = [NO_AUDITS | {"score_sum": None} for _ in spans]
    for row in rows:
        period = periods[row.bucket]
        for key in NO_AUDITS:
            period[key] += int(getattr(row, key))
        if row.score_sum is not None:
            period["score_sum"] = (period["score_sum"] or 0) + row.score_sum
    return periods


def latest(db: Session, scope: Scope) -> tuple[dict, list[dict]]:
    """The latest audit in the period of every subject, per template and service.

    A subject is a person, a care worker, an area or the whole service; its latest audit is the
    one started last (ties: the one stored last). Returns the counts of subjects by the band of
    their latest audit per (template, service) — keys "subjects", "red", "amber", "green",
    "unscored" — and, worst first, the subjects whose latest audit was not green, with ids only
    (``person``, ``staff``, ``area``: :func:`name_subjects` names them).

    Read from each subject's newest audit as stored (careobs.audits.models.AuditLatest): one row
    per subject, whatever the number of audits, counted by the database; only the subjects to
    follow up come back row by row. When the period ends before some subject's newest audit
    (dates chosen in the past), the audits of the period are ranked instead.
    """
    found = _stored_latest(db, scope)
    if found is None:
        found = _counted(_ranked_latest(db, scope))
    counts, rows = found
    templates = _names(db, Checklist, Checklist.name, {key[0] for key in counts})
    services = _names(db, Service, Service.name, {key[1] for key in counts})
    groups: dict[tuple[str, str], dict] = defaultdict(
        lambda: dict.fromkeys(("subjects", "red", "amber", "green", "unscored"), 0)
    )
    for (template_id, service_id, band), n in counts.items():
        group = groups[(templates[template_id], services[service_id])]
        group["subjects"] += n
        group[band or "unscored"] += n
    subjects = [
        {
            "template": templates[row.template_id],
            "service": services[row.service_id],
            "type": row.subject_type,
            "person": row.person_id,
            "staff": row.staff_id,
            "area": row.area_id,
            "last": row.started_at,
            "score": row.score,
            "band": row.band,
        }
        for row in rows
    ]
    subjects.sort(
        key=lambda s: (
            s["template"],
            s["service"],
            SEVERITY[s["band"]],
            s["score"] if s["score"] is not None else 0,
        )
    )
    return dict(groups), subjects


LATEST_COLUMNS = (
    Audit.subject_type,
    Audit.person_id,
    Audit.staff_id,
    Audit.area_id,
    Audit.started_at,
    Audit.score,
    Audit.band,
)


def _counted(rows: list) -> tuple[dict, list]:
    """Subjects per (template, service, band) and the rows not green, from rows of subjects'
    latest audits each standing for ``row.n`` subjects."""
    counts: dict[tuple, int] = defaultdict(int)
    for row in rows:
        counts[(row.template_id, row.service_id, row.band)] += row.n
    return dict(counts), [row for row in rows if row.band != "green"]


def _stored_latest(db: Session, scope: Scope) -> tuple[dict, list] | None:
    """From AuditLatest, the subjects whose newest audit started in the period: counted per
    (template, service, band), and the rows of those not green; None when a subject's newest
    audit started after the period (its latest in the period is an older one).

    One statement, so one snapshot: the green subjects are counted by the database (one row
    per template and service), each other subject is a group of its own (its audit's id), so
    the counts and the list always agree even while audits arrive."""
    template = [] if scope.template_id is None else [AuditLatest.checklist_id == scope.template_id]
    own_group = sa.case((Audit.band == "green", None), else_=Audit.id)
    after = sa.case((AuditLatest.started_at >= scope.end, 1), else_=0)
    rows = db.execute(
        sa.select(
            AuditLatest.checklist_id.label("template_id"),
            AuditLatest.service_id,
            Audit.band,
            sa.func.count().label("n"),
            sa.func.max(after).label("after"),
            # One audit per group but the green ones': its own values.
            *(sa.func.max(column).label(column.key) for column in LATEST_COLUMNS[:-1]),
        )
        .join(Audit, Audit.id == AuditLatest.audit_id)
        .where(
            AuditLatest.service_id.in_(scope.service_ids),
            AuditLatest.started_at >= scope.start,
            *template,
        )
        .group_by(AuditLatest.checklist_id, AuditLatest.service_id, Audit.band, own_group)
    ).all()
    if any(row.after for row in rows):
        return None
    return _counted(rows)


def _ranked_latest(db: Session, scope: Scope) -> list:
    """Each subject's latest audit in the period, ranked over the period's audits (one row per
    subject: ``n`` is 1)."""
    template_id = ChecklistVersion.checklist_id
    subject = (Audit.subject_type, Audit.person_id, Audit.staff_id, Audit.area_id)
    newest = (
        sa.func.row_number()
        .over(
            partition_by=(template_id, Audit.service_id, *subject),
            order_by=(Audit.started_at.desc(), Audit.id.desc()),
        )
        .label("newest")
    )
    ranked = (
        sa.select(template_id.label("template_id"), Audit.service_id, *LATEST_COLUMNS, newest)
        .join(ChecklistVersion, ChecklistVersion.id == Audit.checklist_version_id)
        .where(*_where(scope))
        .subquery()
    )
    return db.execute(sa.select(ranked, sa.literal(1).label("n")).where(ranked.c.newest == 1)).all()


def _names(db: Session, model, column, ids: set) -> dict:
    if not ids:
        return {}
    return dict(db.execute(sa.select(model.id, column).where(model.id.in_(ids))).all())


SUBJECT_KINDS = {"person": "Person", "staff": "Care worker", "area": "Area", "service": "Service"}


def name_subjects(db: Session, subjects: list[dict]) -> None:
    """Give each subject its ``subject`` text: a person's code (never a name), a care worker's
    name, an area's name or "The service"."""
    codes = _names(db, Person, Person.code, {s["person"] for s in subjects if s["person"]})
    staff = _names(db, StaffMember, StaffMember.name, {s["staff"] for s in subjects if s["staff"]})
    areas = _names(db, Area, Area.name, {s["area"] for s in subjects if s["area"]})
    for s in subjects:
        s["subject"] = (
            codes.get(s["person"]) or staff.get(s["staff"]) or areas.get(s["area"]) or "The service"
        )


def failed_items(db: Session, scope: Scope, limit: int = 10) -> list[dict]:
    """The items most often rated Not met or Partly met, each with how often it was rated at all
    (N/A left out), followed across template versions by the item's key.

    Reads only the answers that are not Met (a small share of them); how often an item was
    rated is the number of audits on its version less its N/A answers.
    """
    in_scope = sa.select(Audit.id).where(*_where(scope))
    per_version = dict(
        db.execute(
            sa.select(Audit.checklist_version_id, sa.func.count())
            .where(*_where(scope))
            .group_by(Audit.checklist_version_id)
        ).all()
    )
    counted = db.execute(
        sa.select(
            AuditAnswer.item_id,
            _count_when(AuditAnswer.rating == "not_met").label("not_met"),
            _count_when(AuditAnswer.rating == "partly").label("partly"),
            _count_when(AuditAnswer.rating == "na").label("na"),
        )
        # Only the answers that are not Met are read (ix_audit_answers_not_met holds them).
        .where(AuditAnswer.audit_id.in_(in_scope), AuditAnswer.rating != "met")
        .group_by(AuditAnswer.item_id)
    ).all()
    if not counted:
        return []
    items = {
        row.id: row
        for row in db.execute(
            sa.select(ChecklistItem.id, ChecklistItem.key, ChecklistDomain.version_id)
            .join(ChecklistDomain, ChecklistDomain.id == ChecklistItem.domain_id)
            .where(ChecklistDomain.version_id.in_(per_version))
        )
    }
    by_key: dict = defaultdict(lambda: {"rated": 0, "not_met": 0, "partly": 0})
    for row in counted:
        item = items[row.item_id]
        totals = by_key[item.key]
        totals["not_met"] += int(row.not_met)
        totals["partly"] += int(row.partly)
        totals["rated"] -= int(row.na)
    for item in items.values():  # one item per key in each version
        if item.key in by_key:
            by_key[item.key]["rated"] += per_version[item.version_id]
    ranked = sorted(
        (
            (key, totals)
            for key, totals in by_key.items()
            if totals["not_met"] + totals["partly"] > 0
        ),
        key=lambda pair: (-(pair[1]["not_met"] + pair[1]["partly"]), str(pair[0])),
    )[:limit]
    texts = {}
    if ranked:
        for key, text, template in db.execute(
            sa.select(ChecklistItem.key, ChecklistItem.text, Checklist.name)
            .join(ChecklistDomain, ChecklistDomain.id == ChecklistItem.domain_id)
            .join(ChecklistVersion, ChecklistVersion.id == ChecklistDomain.version_id)
            .join(Checklist, Checklist.id == ChecklistVersion.checklist_id)
            .where(
                ChecklistItem.key.in_([key for key, _ in ranked]),
                ChecklistVersion.published_at.is_not(None),
                # Starter items share their keys across organisations: this one's wording only.
                ChecklistVersion.organisation_id == scope.organisation_id,
            )
            .order_by(ChecklistVersion.number)
        ):
            texts[key] = (text, template)  # the newest published wording wins
    return [
        {
            "item": texts.get(key, ("(item no longer listed)", ""))[0],
            "template": texts.get(key, ("", ""))[1],
            "rated": totals["rated"],
            "not_met": totals["not_met"],
            "partly": totals["partly"],
            "failed": totals["not_met"] + totals["partly"],
        }
        for key, totals in ranked
    ]


def rag_text(counts: dict) -> str:
    """ "18 green, 4 amber, 2 red", worst left out when there are none, unscored last."""
    parts = [f"{counts[band]} {band}" for band in ("green", "amber", "red") if counts[band]]
    if counts.get("unscored"):
        parts.append(f"{counts['unscored']} unscored")
    return ", ".join(parts) or "none"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def tables(db: Session, scope: Scope, today: date | None = None) -> tuple[dict, list[Table]]:
    """The scope's overall figures and the dashboard's tables (``today``: the organisation's
    today, by default; nothing falls due after it)."""
    spans = scope.periods()
    if today is None:
        today = utcnow().astimezone(scope.zone).date()
    on_time = audits_on_time.on_time(db, scope, today)
    overall_on_time = audits_on_time.headline(on_time)
    periods = per_period(db, scope)
    unit = scope.grouping.capitalize()
    overall = {key: sum(p[key] or 0 for p in periods) for key in (*NO_AUDITS, "score_sum")}
    groups, follow_up = latest(db, scope)
    overall["subjects"] = sum(g["subjects"] for g in groups.values())
    overall["subjects_red"] = sum(g["red"] for g in groups.values())

    rag = Table(
        "latest",
        "Latest rating of every subject",
        [
            Column("template", "Template"),
            Column("service", "Service"),
            Column("subjects", "Subjects (n)", "int"),
            Column("red", "Red", "int"),
            Column("amber", "Amber", "int"),
            Column("green", "Green", "int"),
            Column("unscored", "Unscored", "int"),
            Column("summary", "In words"),
        ],
        [
            [
                template,
                service,
                *(g[key] for key in ("subjects", "red", "amber", "green", "unscored")),
                f"{template}, {service}: {rag_text(g)}",
            ]
            for (template, service), g in sorted(groups.items())
        ],
        caption=(
            "Each person, care worker, area or service counted once per template, by its "
            "latest audit in the period. Red + Amber + Green + Unscored = Subjects. "
            f"{UNSCORED_MEANS}. A critical item Not met makes an audit red whatever its score."
        ),
        empty="No audits for these filters.",
        chart=Chart(
            "Latest rating of every subject",
            "stacked",
            "summary",
            ("red", "amber", "green", "unscored"),
            percent=False,
        ),
    )
    # Listed by name: the subjects not green at their latest audit (the green ones are counted
    # above; listing thousands of them would bury the few that need following up).
    name_subjects(db, follow_up)
    green = sum(g["green"] for g in groups.values())
    worst = Table(
        "subjects",
        "Subjects to follow up, worst first",
        [
            Column("template", "Template"),
            Column("service", "Service"),
            Column("subject", "Subject"),
            Column("kind", "Subject type"),
            Column("band", "Rating"),
            Column("score", "Score", "pct"),
            Column("last", "Audited on", "date"),
        ],
        [
            [
                s["template"],
                s["service"],
                s["subject"],
                SUBJECT_KINDS[s["type"]],
                BAND_WORDS[s["band"]],
                s["score"] / 100 if s["score"] is not None else None,
                s["last"].astimezone(scope.zone).date(),
            ]
            for s in follow_up
        ],
        caption=(
            f"Each subject whose latest audit was red, amber or unscored (n = {len(follow_up)}): "
            "red first, then amber, then unscored, the lowest score first within each, per "
            f"template and service. People by code. The {_count(green, 'subject')} green at "
            "their latest audit are counted in the table above."
        ),
        empty=(
            "Every subject was green at their latest audit."
            if groups
            else "No audits for these filters."
        ),
    )

    def note(p: dict) -> str:
        if p["audits"] == 0:
            return "no audits"
        if p["scored"] == 0:
            return "no scored audits"
        return f"small sample: n = {p['scored']}" if p["scored"] < 5 else ""

    every = "" if scope.template_id else " Every template together: choose one to follow it."
    trend = Table(
        "scores",
        "Average score",
        [
            Column("period", unit),
            Column("audits", "Audits (n)", "int"),
            Column("scored", "Scored (n)", "int"),
            Column("score", "Average score", "pct"),
            NOTE,
        ],
        [
            [
                s.label,
                p["audits"],
                p["scored"],
                p["score_sum"] / p["scored"] / 100 if p["scored"] else None,
                note(p),
            ]
            for s, p in zip(spans, periods, strict=True)
        ],
        caption=(
            "Mean of the scores of the scored audits (points as a share of those possible); "
            f"unscored audits are left out of the average.{every}"
        ),
        chart=Chart("Average audit score", "line", "period", ("score",)),
    )
    bands = Table(
        "bands",
        "Audits by rating",
        [
            Column("period", unit),
            Column("audits", "Audits (n)", "int"),
            Column("green", "Green", "int"),
            Column("amber", "Amber", "int"),
            Column("red", "Red", "int"),
            Column("unscored", "Unscored", "int"),
        ],
        [
            [s.label, p["audits"], p["green"], p["amber"], p["red"], p["unscored"]]
            for s, p in zip(spans, periods, strict=True)
        ],
        caption=f"Green + Amber + Red + Unscored = Audits. {UNSCORED_MEANS}.",
        chart=Chart(
            "Audits by rating",
            "stacked",
            "period",
            ("green", "amber", "red", "unscored"),
            percent=False,
        ),
    )
    failed = Table(
        "failed",
        "Most often failed items",
        [
            Column("item", "Item"),
            Column("template", "Template"),
            Column("rated", "Rated (n)", "int"),
            Column("not_met", "Not met", "int"),
            Column("partly", "Partly met", "int"),
            Column("met", "Met", "int"),
            Column("share", "Not met or partly met", "pct"),
        ],
        [
            [
                f["item"],
                f["template"],
                f["rated"],
                f["not_met"],
                f["partly"],
                f["rated"] - f["failed"],
                f["failed"] / f["rated"],
            ]
            for f in failed_items(db, scope)
        ],
        caption=(
            "The ten items most often rated Not met or Partly met. Not met + Partly met + Met = "
            "Rated; N/A is left out. The share is of the audits that rated the item."
        ),
        empty="No item was failed in the audits of this period.",
        chart=Chart("Most often failed items", "bar", "item", ("share",)),
    )
    overall["on_time"] = overall_on_time
    overall["co_audits"], co_audit_tables = audits_agreement.tables(db, scope)
    return overall, [
        rag,
        worst,
        *audits_on_time.tables(on_time, scope),
        trend,
        bands,
        failed,
        *co_audit_tables,
    ]


def headline(overall: dict) -> list[tuple[str, str]]:
    """The period's figures, each with its denominator."""
    audits, scored = overall["audits"], overall["scored"]

    def of_scored(key: str) -> str:
        if not scored:
            return "0 (no scored audits)" if audits else "0"
        return f"{overall[key]} of {scored} scored ({overall[key] / scored * 100:.1f}%)"

    average = overall["score_sum"] / scored if scored else None
    subjects = overall["subjects"]
    return [
        ("Audits", str(audits)),
        (
            "Average score",
            "—" if average is None else f"{average:.1f}% (over {_count(scored, 'scored audit')})",
        ),
        ("Green", of_scored("green")),
        ("Amber", of_scored("amber")),
        ("Red", of_scored("red")),
        (
            "Subjects red at their latest audit",
            f"{overall['subjects_red']} of {_count(subjects, 'subject')}"
            + (f" ({overall['subjects_red'] / subjects * 100:.1f}%)" if subjects else ""),
        ),
        overall["on_time"],
        audits_agreement.headline(overall["co_audits"]),
    ]
