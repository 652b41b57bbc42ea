"""The audits dashboard: the latest rating of every subject, score trend, bands per period and the
most often failed items, per audit template and service.

Scores, bands and counts come from the outcome stored with each submitted audit
(careobs.audits.service); only the failed items read the answer rows, and only those of the
audits in scope. Every table's rows add up to its n: Green + Amber + Red + Unscored = Audits (or
Subjects), where Unscored is an audit with every item N/A (no score, no band).

"% of scheduled audits done on time" needs the audit schedules and is not shown here yet.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.audits.models import Audit, AuditAnswer
from careobs.checklists.models import Checklist, ChecklistDomain, ChecklistItem, ChecklistVersion
from careobs.dashboards.filters import Scope
from careobs.dashboards.tables import NOTE, Chart, Column, Table
from careobs.org.models import Area, Person, Service, StaffMember
from careobs.periods import bucket_index, period_boundaries

BANDS = ("red", "amber", "green")
# Worst first: red, then amber, then unscored (nothing to judge by), then green.
SEVERITY = {"red": 0, "amber": 1, None: 2, "green": 3}
BAND_WORDS = {"red": "Red", "amber": "Amber", "green": "Green", None: "Unscored"}
NO_AUDITS = dict.fromkeys(("audits", "scored", "green", "amber", "red", "unscored"), 0)
UNSCORED_MEANS = "Unscored: every item was N/A, so the audit has no score and no band"


def _where(scope: Scope) -> list:
    conditions = [
        Audit.status == "submitted",
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


def latest(db: Session, scope: Scope) -> list[dict]:
    """The latest audit in the period of every subject, per template and service, worst first.

    A subject is a person, a care worker, an area or the whole service; its latest audit is the
    one started last (ties: the one stored last).
    """
    template_id = ChecklistVersion.checklist_id
    newest = (
        sa.func.row_number()
        .over(
            partition_by=(
                template_id,
                Audit.service_id,
                Audit.subject_type,
                Audit.person_id,
                Audit.staff_id,
                Audit.area_id,
            ),
            order_by=(Audit.started_at.desc(), Audit.id.desc()),
        )
        .label("newest")
    )
    ranked = (
        sa.select(
            template_id.label("template_id"),
            Audit.service_id,
            Audit.person_id,
            Audit.staff_id,
            Audit.area_id,
            Audit.started_at,
            Audit.score,
            Audit.band,
            newest,
        )
        .join(ChecklistVersion, ChecklistVersion.id == Audit.checklist_version_id)
        .where(*_where(scope))
        .subquery()
    )
    rows = db.execute(
        sa.select(
            Checklist.name.label("template"),
            Service.name.label("service"),
            Person.code,
            StaffMember.name.label("staff"),
            Area.name.label("area"),
            ranked.c.started_at,
            ranked.c.score,
            ranked.c.band,
        )
        .join(Checklist, Checklist.id == ranked.c.template_id)
        .join(Service, Service.id == ranked.c.service_id)
        .outerjoin(Person, Person.id == ranked.c.person_id)
        .outerjoin(StaffMember, StaffMember.id == ranked.c.staff_id)
        .outerjoin(Area, Area.id == ranked.c.area_id)
        .where(ranked.c.newest == 1)
    ).all()
    subjects = [
        {
            "template": row.template,
            "service": row.service,
            "subject": row.code or row.staff or row.area or "The service",
            "kind": (
                "Person"
                if row.code
                else "Care worker"
                if row.staff
                else "Area"
                if row.area
                else "Service"
            ),
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
            s["subject"],
        )
    )
    return subjects


def failed_items(db: Session, scope: Scope, limit: int = 10) -> list[dict]:
    """The items most often rated Not met or Partly met, each with how often it was rated at all
    (N/A left out), followed across template versions by the item's key."""
    audits = sa.select(Audit.id).where(*_where(scope))
    not_met = _count_when(AuditAnswer.rating == "not_met")
    partly = _count_when(AuditAnswer.rating == "partly")
    failed = (not_met + partly).label("failed")
    rows = db.execute(
        sa.select(
            ChecklistItem.key,
            sa.func.count().label("rated"),
            not_met.label("not_met"),
            partly.label("partly"),
            failed,
        )
        .join(ChecklistItem, ChecklistItem.id == AuditAnswer.item_id)
        .where(AuditAnswer.audit_id.in_(audits), AuditAnswer.rating != "na")
        .group_by(ChecklistItem.key)
        .having(failed > 0)
        .order_by(failed.desc(), ChecklistItem.key)
        .limit(limit)
    ).all()
    texts = {}
    if rows:
        for key, text, template in db.execute(
            sa.select(ChecklistItem.key, ChecklistItem.text, Checklist.name)
            .join(ChecklistDomain, ChecklistDomain.id == ChecklistItem.domain_id)
            .join(ChecklistVersion, ChecklistVersion.id == ChecklistDomain.version_id)
            .join(Checklist, Checklist.id == ChecklistVersion.checklist_id)
            .where(
                ChecklistItem.key.in_([row.key for row in rows]),
                ChecklistVersion.published_at.is_not(None),
            )
            .order_by(ChecklistVersion.number)
        ):
            texts[key] = (text, template)  # the newest published wording wins
    return [
        {
            "item": texts.get(row.key, ("(item no longer listed)", ""))[0],
            "template": texts.get(row.key, ("", ""))[1],
            "rated": int(row.rated),
            "not_met": int(row.not_met),
            "partly": int(row.partly),
            "failed": int(row.failed),
        }
        for row in rows
    ]


def rag_text(counts: dict) -> str:
    """ "18 green, 4 amber, 2 red", worst left out when there are none, unscored last."""
    parts = [f"{counts[band]} {band}" for band in ("green", "amber", "red") if counts[band]]
    if counts.get("unscored"):
        parts.append(f"{counts['unscored']} unscored")
    return ", ".join(parts) or "none"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def tables(db: Session, scope: Scope) -> tuple[dict, list[Table]]:
    """The scope's overall figures and the dashboard's tables."""
    spans = scope.periods()
    periods = per_period(db, scope)
    unit = scope.grouping.capitalize()
    overall = {key: sum(p[key] or 0 for p in periods) for key in (*NO_AUDITS, "score_sum")}
    subjects = latest(db, scope)

    groups: dict[tuple[str, str], dict] = defaultdict(
        lambda: {"subjects": 0, "red": 0, "amber": 0, "green": 0, "unscored": 0}
    )
    for s in subjects:
        group = groups[(s["template"], s["service"])]
        group["subjects"] += 1
        group[s["band"] or "unscored"] += 1
    overall["subjects"] = len(subjects)
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
    worst = Table(
        "subjects",
        "Every subject's latest audit, worst first",
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
                s["kind"],
                BAND_WORDS[s["band"]],
                s["score"] / 100 if s["score"] is not None else None,
                s["last"].astimezone(scope.zone).date(),
            ]
            for s in subjects
        ],
        caption=(
            f"One row per subject ({_count(len(subjects), 'subject')}): red first, then amber, "
            "unscored and green; the lowest score first within each rating. People by code."
        ),
        empty="No audits for these filters.",
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
    return overall, [rag, worst, trend, bands, failed]


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
    ]
