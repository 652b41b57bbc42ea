"""The monitoring visits dashboard's queries: visit counts, bands and lateness per period, the
met share per checklist domain and period, and the most often missed items.

They read the outcomes stored with each submitted visit (score, band, per-domain counts and
missed items, and the per-period domain sums), never the raw answer rows;
:mod:`careobs.dashboards.visits` turns them into tables.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.checklists.models import ChecklistDomain, ChecklistItem, ChecklistVersion
from careobs.dashboards.filters import Scope
from careobs.periods import bucket_index, period_boundaries
from careobs.visits.models import (
    MonitoringVisit,
    VisitDomainPeriod,
    VisitDomainScore,
    VisitMissedItem,
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
        db,
        ChecklistDomain,
        {key for key, _ in cells},
        ChecklistDomain.version_id,
        scope.organisation_id,
    )
    order = sorted(names, key=lambda key: names[key][1])
    return [(key, names[key][0]) for key in order], cells


def _applicable(model):
    """Items rated at all: N/A is left out of every share."""
    return model.n_met + model.n_partly + model.n_not_met


def _latest_names(db: Session, model, keys: set, version_column, organisation_id: int) -> dict:
    """For each key: (name or text, position) from the organisation's newest checklist version
    holding it (default checklist keys are the same in every organisation)."""
    if not keys:
        return {}
    label = model.name if model is ChecklistDomain else model.text
    rows = db.execute(
        sa.select(model.key, label.label("label"), model.position, ChecklistVersion.number)
        .join(ChecklistVersion, ChecklistVersion.id == version_column)
        # Published versions only: a draft's wording is not settled until it is published.
        .where(
            model.key.in_(keys),
            ChecklistVersion.published_at.is_not(None),
            ChecklistVersion.organisation_id == organisation_id,
        )
        .order_by(ChecklistVersion.number)
    )
    return {row.key: (row.label, row.position) for row in rows}


def item_wording(db: Session, organisation_id: int, keys: set) -> dict:
    """For each item key: (text, its section's name) in the organisation's newest published
    version holding it. Starter and default items have the same keys in every organisation,
    so the organisation is always named: another's wording never shows here."""
    if not keys:
        return {}
    rows = db.execute(
        sa.select(ChecklistItem.key, ChecklistItem.text, ChecklistDomain.name)
        .join(ChecklistDomain, ChecklistDomain.id == ChecklistItem.domain_id)
        .join(ChecklistVersion, ChecklistVersion.id == ChecklistDomain.version_id)
        .where(
            ChecklistItem.key.in_(keys),
            ChecklistVersion.published_at.is_not(None),
            ChecklistVersion.organisation_id == organisation_id,
        )
        .order_by(ChecklistVersion.number)
    )
    return {key: (text, domain) for key, text, domain in rows}


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
    texts = item_wording(db, scope.organisation_id, {row.item_key for row in rows})
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
