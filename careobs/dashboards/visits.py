"""The monitoring visits dashboard: score trend, bands, domains, missed items and lateness.

Queries group submitted visits by their stored outcome, and the per-domain counts and missed
items stored beside each submitted visit (never the raw answer rows).

Every table's rows add up to its n. A visit with nothing applicable (every item N/A, stored
before such visits were refused) has no score and no band: it is counted as "Unscored", so
Green + Amber + Red + Unscored = Visits, and shares of a band are stated against the scored
visits, saying so.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.checklists.models import ChecklistDomain, ChecklistItem, ChecklistVersion
from careobs.dashboards.filters import Scope
from careobs.dashboards.periods import bucket_index, period_boundaries
from careobs.dashboards.tables import Chart, Column, Table
from careobs.spotchecks.models import (
    MonitoringVisit,
    VisitDomainPeriod,
    VisitDomainScore,
    VisitMissedItem,
)

UNSCORED_MEANS = (
    "Unscored: every item was N/A, so the visit has no score and no band (such a visit can no "
    "longer be submitted)"
)
BANDS_MEAN = (
    "Bands follow the organisation's settings and are judged on the exact score, so 89.95% "
    "shows as 90.0% but is amber when green starts at 90%; red includes every visit where a "
    "critical item was not met."
)

# Arrival bands: (label, at most this many minutes after the planned time; None: any later).
LATENESS = (
    ("Early or on time", 0),
    ("Up to 10 minutes late", 10),
    ("10 to 20 minutes late", 20),
    ("20 to 30 minutes late", 30),
    ("30 to 60 minutes late", 60),
    ("More than an hour late", None),
)
NO_VISITS = dict.fromkeys(
    ("visits", "scored", "green", "amber", "red", "unscored", "late", "unannounced"), 0
)


def _where(model, scope: Scope, start=None, end=None) -> list:
    """Filters on a visit-shaped table (the visits, or the rows copied from them), for the
    scope's dates or the instants [start, end) within them."""
    conditions = [
        model.service_id.in_(scope.service_ids),
        model.planned_at >= (start or scope.start),
        model.planned_at < (end or scope.end),
    ]
    if scope.visit_type:
        conditions.append(model.visit_type == scope.visit_type)
    return conditions


def _visits_where(scope: Scope) -> list:
    return [
        MonitoringVisit.status == "submitted",
        *_where(MonitoringVisit, scope),
    ]


def outcomes(db: Session, scope: Scope) -> tuple[list[dict], dict[str, int], int]:
    """One pass over the scope's visits: their counts per period, how many arrived in each
    lateness band, and how many had no arrival time recorded."""
    spans = scope.periods()
    bucket = bucket_index(MonitoringVisit.planned_at, period_boundaries(spans)).label("bucket")
    late = MonitoringVisit.minutes_late
    band = sa.case(
        (late.is_(None), "not recorded"),
        *((late <= most, label) for label, most in LATENESS if most is not None),
        else_=LATENESS[-1][0],
    ).label("band")

    def count_when(condition):
        return sa.func.sum(sa.case((condition, 1), else_=0))

    rows = db.execute(
        sa.select(
            bucket,
            band,
            sa.func.count().label("visits"),
            sa.func.count(MonitoringVisit.score).label("scored"),
            sa.func.sum(MonitoringVisit.score).label("score_sum"),
            count_when(MonitoringVisit.band == "green").label("green"),
            count_when(MonitoringVisit.band == "amber").label("amber"),
            count_when(MonitoringVisit.band == "red").label("red"),
            count_when(MonitoringVisit.band.is_(None)).label("unscored"),
            count_when(MonitoringVisit.late.is_(True)).label("late"),
            count_when(MonitoringVisit.visit_type == "unannounced").label("unannounced"),
        )
        .where(*_visits_where(scope))
        .group_by(bucket, band)
    )
    periods = [NO_VISITS | {"score_sum": None} for _ in spans]
    bands = dict.fromkeys([label for label, _ in LATENESS] + ["not recorded"], 0)
    for row in rows:
        period = periods[row.bucket]
        for key in NO_VISITS:
            period[key] += int(getattr(row, key))
        if row.score_sum is not None:
            period["score_sum"] = (period["score_sum"] or 0) + row.score_sum
        bands[row.band] += row.visits
    unrecorded = bands.pop("not recorded")
    return periods, bands, unrecorded


def domain_grid(db: Session, scope: Scope) -> tuple[list[tuple[uuid.UUID, str]], dict]:
    """Per domain and period: (met, applicable); domains named as in their latest version.

    Whole weeks or months come from the per-period sums; a period cut short by the date range
    (at most the first and the last) is summed from the per-visit rows.
    """
    spans = scope.periods()
    cells: dict = {}
    whole = {p.first: index for index, p in enumerate(spans) if p.whole}
    if whole:
        conditions = [
            VisitDomainPeriod.service_id.in_(scope.service_ids),
            VisitDomainPeriod.grain == scope.grouping,
            VisitDomainPeriod.period_start >= min(whole),
            VisitDomainPeriod.period_start <= max(whole),
        ]
        if scope.visit_type:
            conditions.append(VisitDomainPeriod.visit_type == scope.visit_type)
        for row in db.execute(
            sa.select(
                VisitDomainPeriod.domain_key,
                VisitDomainPeriod.period_start,
                sa.func.sum(VisitDomainPeriod.n_met).label("met"),
                sa.func.sum(_applicable(VisitDomainPeriod)).label("applicable"),
            )
            .where(*conditions)
            .group_by(VisitDomainPeriod.domain_key, VisitDomainPeriod.period_start)
        ):
            cells[(row.domain_key, whole[row.period_start])] = (int(row.met), int(row.applicable))
    for index, part in enumerate(spans):
        if part.whole:
            continue
        for row in db.execute(
            sa.select(
                VisitDomainScore.domain_key,
                sa.func.sum(VisitDomainScore.n_met).label("met"),
                sa.func.sum(_applicable(VisitDomainScore)).label("applicable"),
            )
            .where(*_where(VisitDomainScore, scope, part.start, part.end))
            .group_by(VisitDomainScore.domain_key)
        ):
            cells[(row.domain_key, index)] = (int(row.met), int(row.applicable))
    names = _latest_names(
        db, ChecklistDomain, {key for key, _ in cells}, ChecklistDomain.version_id
    )
    order = sorted(names, key=lambda key: names[key][1])
    return [(key, names[key][0]) for key in order], cells


def _applicable(model):
    """Items rated at all: N/A is left out of every share."""
    return model.n_met + model.n_partly + model.n_not_met


def _latest_names(db: Session, model, keys: set, version_column) -> dict:
    """For each key: (name or text, position) from the newest checklist version holding it."""
    if not keys:
        return {}
    label = model.name if model is ChecklistDomain else model.text
    rows = db.execute(
        sa.select(model.key, label.label("label"), model.position, ChecklistVersion.number)
        .join(ChecklistVersion, ChecklistVersion.id == version_column)
        # Published versions only: a draft's wording is not settled until it is published.
        .where(model.key.in_(keys), ChecklistVersion.published_at.is_not(None))
        .order_by(ChecklistVersion.number)
    )
    return {row.key: (row.label, row.position) for row in rows}


def missed_items(db: Session, scope: Scope, limit: int = 10) -> list[dict]:
    """The items most often rated Not met or Partly met, with how many visits were counted."""
    missed = sa.func.count().label("missed")
    rows = db.execute(
        sa.select(
            VisitMissedItem.item_key,
            missed,
            sa.func.sum(sa.case((VisitMissedItem.rating == "not_met", 1), else_=0)).label(
                "not_met"
            ),
        )
        .where(*_where(VisitMissedItem, scope))
        .group_by(VisitMissedItem.item_key)
        .order_by(missed.desc(), VisitMissedItem.item_key)
        .limit(limit)
    ).all()
    keys = {row.item_key for row in rows}
    texts = {}
    if keys:
        for key, text, domain in db.execute(
            sa.select(ChecklistItem.key, ChecklistItem.text, ChecklistDomain.name)
            .join(ChecklistDomain, ChecklistDomain.id == ChecklistItem.domain_id)
            .join(ChecklistVersion, ChecklistVersion.id == ChecklistDomain.version_id)
            .where(ChecklistItem.key.in_(keys), ChecklistVersion.published_at.is_not(None))
            .order_by(ChecklistVersion.number)
        ):
            texts[key] = (text, domain)
    return [
        {
            "item": texts.get(row.item_key, ("(item no longer listed)", ""))[0],
            "domain": texts.get(row.item_key, ("", ""))[1],
            "missed": row.missed,
            "not_met": int(row.not_met),
            "partly": row.missed - int(row.not_met),
        }
        for row in rows
    ]


def tables(db: Session, scope: Scope) -> tuple[dict, list[Table]]:
    spans = scope.periods()
    per_period, late_counts, unrecorded = outcomes(db, scope)
    unit = scope.grouping.capitalize()
    overall = {key: sum(p[key] or 0 for p in per_period) for key in (*NO_VISITS, "score_sum")}

    def note(p: dict) -> str:
        if p["visits"] == 0:
            return "no visits"
        if p["scored"] == 0:
            return "no scored visits"
        return f"small sample: n = {p['scored']}" if p["scored"] < 5 else ""

    trend = Table(
        "scores",
        "Average score",
        [
            Column("period", unit),
            Column("visits", "Visits (n)", "int"),
            Column("scored", "Scored (n)", "int"),
            Column("score", "Average score", "pct"),
            Column("note", "Note"),
        ],
        [
            [
                s.label,
                p["visits"],
                p["scored"],
                p["score_sum"] / p["scored"] / 100 if p["scored"] else None,
                note(p),
            ]
            for s, p in zip(spans, per_period, strict=True)
        ],
        caption=(
            "Mean of the scores of the scored visits only (points as a share of those "
            "possible). Unscored visits, with every item N/A, are left out of the average."
        ),
        chart=Chart("Average visit score", "line", "period", ("score",)),
    )
    bands = Table(
        "bands",
        "Visits by outcome band",
        [
            Column("period", unit),
            Column("visits", "Visits (n)", "int"),
            Column("green", "Green", "int"),
            Column("amber", "Amber", "int"),
            Column("red", "Red", "int"),
            Column("unscored", "Unscored", "int"),
            Column("late", "Late arrivals", "int"),
        ],
        [
            [s.label, p["visits"], p["green"], p["amber"], p["red"], p["unscored"], p["late"]]
            for s, p in zip(spans, per_period, strict=True)
        ],
        caption=(
            "Green + Amber + Red + Unscored = Visits. "
            f"{UNSCORED_MEANS}. {BANDS_MEAN} "
            "Late arrivals are counted apart from the bands, out of all the visits."
        ),
        chart=Chart(
            "Visits by band",
            "stacked",
            "period",
            ("green", "amber", "red", "unscored"),
            percent=False,
        ),
    )
    domains, cells = domain_grid(db, scope)
    grid = Table(
        "domains",
        "% met by checklist domain",
        [Column("domain", "Domain")]
        + [Column(f"p{i}", s.label, "pct") for i, s in enumerate(spans)]
        + [Column("n", "Items rated (n)", "int")],
        [
            [
                name,
                *(_share(cells.get((key, i))) for i in range(len(spans))),
                sum(cells.get((key, i), (0, 0))[1] for i in range(len(spans))),
            ]
            for key, name in domains
        ],
        caption="Met as a share of the items rated (N/A left out); a dash means none rated.",
        empty="No visits for these filters.",
        heat=True,
    )
    missed = Table(
        "missed",
        "Most often missed items",
        [
            Column("item", "Item"),
            Column("domain", "Domain"),
            Column("missed", "Missed (n)", "int"),
            Column("not_met", "Not met", "int"),
            Column("partly", "Partly met", "int"),
            Column("share", "Share of scored visits", "pct"),
        ],
        [
            [
                m["item"],
                m["domain"],
                m["missed"],
                m["not_met"],
                m["partly"],
                m["missed"] / overall["scored"] if overall["scored"] else None,
            ]
            for m in missed_items(db, scope)
        ],
        caption=(
            "Items rated Not met or Partly met. Share of scored visits: the visits that missed "
            f"the item, out of the {_count(overall['scored'], 'scored visit')} (visits where "
            "the item was N/A are still counted in that total)."
        ),
        empty="No item was missed at the visits in this period.",
        chart=Chart("Most often missed items", "bar", "item", ("missed",), percent=False),
    )
    arrived = sum(late_counts.values())
    late_table = Table(
        "lateness",
        "Arrival against the planned time",
        [
            Column("band", "Arrival"),
            Column("visits", "Visits", "int"),
            Column("share", "Share", "pct"),
        ],
        [[label, n, n / arrived if arrived else None] for label, n in late_counts.items()],
        caption=f"Visits with an arrival time recorded: {arrived}; without: {unrecorded}.",
        chart=Chart("Arrival against the planned time", "bar", "band", ("visits",), percent=False),
    )
    return overall, [trend, bands, grid, missed, late_table]


def _share(cell: tuple[int, int] | None) -> float | None:
    if not cell or cell[1] == 0:
        return None
    return cell[0] / cell[1]


def _count(n: int, word: str) -> str:
    """``1 scored visit``, ``2 scored visits``."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def scored_text(overall: dict) -> str:
    """What the band shares are out of, in a sentence (for the evidence pack)."""
    visits, scored, unscored = overall["visits"], overall["scored"], overall["unscored"]
    if not visits:
        return "No monitoring visits in the period."
    return (
        f"Scored: {scored} of {_count(visits, 'visit')}; unscored (every item N/A): {unscored}. "
        "Green + Amber + Red + Unscored = Visits; each band's share in the figures above is out "
        "of the scored visits."
    )


def headline(overall: dict) -> list[tuple[str, str]]:
    """The period's figures, each with its denominator: bands out of the scored visits,
    the rest out of all the visits."""
    visits, scored = overall["visits"], overall["scored"]

    def of_scored(key: str) -> str:
        if not scored:
            return "0 (no scored visits)" if visits else "0"
        return f"{overall[key]} of {scored} scored ({overall[key] / scored * 100:.1f}%)"

    def of_visits(key: str) -> str:
        if not visits:
            return "0"
        share = overall[key] / visits * 100
        return f"{overall[key]} of {_count(visits, 'visit')} ({share:.1f}%)"

    average = overall["score_sum"] / scored if scored else None
    return [
        ("Visits", str(visits)),
        (
            "Average score",
            "—" if average is None else f"{average:.1f}% (over {_count(scored, 'scored visit')})",
        ),
        ("Green", of_scored("green")),
        ("Amber", of_scored("amber")),
        ("Red", of_scored("red")),
        ("Unscored", of_visits("unscored")),
        ("Unannounced", of_visits("unannounced")),
        ("Late arrivals", of_visits("late")),
    ]
