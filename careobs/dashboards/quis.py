"""The QUIS dashboard: category shares and their trend, from the counts stored per session.

Every query groups submitted sessions (never their interaction rows): a session stores its
per-category counts, the number of people observed, how many of them met a negative
interaction and the person-minutes observed when it is written.

Shares pooled from several sessions get a cluster-robust 95% interval (the session is the
sampling unit: :mod:`careobs.statistics`). Its inputs are sums over sessions of y², y·n and n²
(y: positive or negative interactions, n: all of them), added up by the same grouped queries,
so the dashboard still reads each session once per grouping and never fetches one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.dashboards.filters import Scope
from careobs.dashboards.tables import NOTE, Chart, Column, Table
from careobs.periods import (
    bucket_index,
    local_slot,
    offset_spans,
    period_boundaries,
    slot_columns,
)
from careobs.quis import scoring
from careobs.quis.models import CONTEXTS, QuisSession
from careobs.quis.models import COUNTED as COUNTED_SESSIONS
from careobs.quis.scoring import CATEGORIES, CATEGORY_LABELS, CategoryCounts
from careobs.statistics import ClusterSums, cluster_interval
from careobs.wording import plural

SMALL_SAMPLE = 30  # fewer interactions than this: say so beside the figures
INTERVAL_MEANS = (
    "The range the true share probably lies in (95%); it allows for interactions in one "
    "session being alike, so it is wider than a simple interval."
)


@dataclass
class Totals:
    """Stored session aggregates summed over a group of sessions."""

    sessions: int = 0
    counts: CategoryCounts = field(default_factory=CategoryCounts)
    people: int = 0
    people_negative: int = 0
    person_minutes: float = 0.0
    observed_minutes: float = 0.0  # the sessions' lengths added up
    # Per-session squares and products summed, for the clustered intervals (see SUMS).
    nn: int = 0
    positive_yy: int = 0
    positive_yn: int = 0
    negative_yy: int = 0
    negative_yn: int = 0
    coded: int = 0  # sessions that coded at least one interaction: the clusters

    def __add__(self, other: Totals) -> Totals:
        """Two groups of sessions as one: every field is a sum, so they add field by field (the
        category counts category by category)."""
        sums = {f.name: getattr(self, f.name) + getattr(other, f.name) for f in _SUMMED}
        counts = {c: getattr(self.counts, c) + getattr(other.counts, c) for c in CATEGORIES}
        return Totals(counts=CategoryCounts(**counts), **sums)

    @property
    def n(self) -> int:
        return self.counts.total

    @property
    def positive(self) -> ClusterSums:
        """The positive share's sums, each session a cluster."""
        return ClusterSums(
            self.coded, self.counts.positive, self.n, self.positive_yy, self.positive_yn, self.nn
        )

    @property
    def negative(self) -> ClusterSums:
        """The negative share's sums, each session a cluster."""
        return ClusterSums(
            self.coded, self.counts.negative, self.n, self.negative_yy, self.negative_yn, self.nn
        )

    def too_short_to_rate(self) -> bool:
        """People were observed for some time, but too little altogether to give a rate (as
        :func:`careobs.quis.scoring.rate_text` says: none at all is a dash, not "too short")."""
        return self.person_minutes > 0 and self.observed_minutes < scoring.MIN_RATED_MINUTES

    def note(self) -> str:
        if self.sessions == 0:
            return "no sessions"
        if self.n == 0:
            return "no interactions"
        if self.n < SMALL_SAMPLE:
            return f"small sample: n = {self.n}"
        return ""


_SUMMED = tuple(f for f in fields(Totals) if f.name != "counts")

_N = QuisSession.n_ps + QuisSession.n_pc + QuisSession.n_n + QuisSession.n_np + QuisSession.n_nr
_POSITIVE = QuisSession.n_ps + QuisSession.n_pc
_NEGATIVE = QuisSession.n_np + QuisSession.n_nr
# Integer sums over sessions: exact in SQL, combined exactly by careobs.statistics.
_SQUARE_SUMS = {
    "nn": _N * _N,
    "positive_yy": _POSITIVE * _POSITIVE,
    "positive_yn": _POSITIVE * _N,
    "negative_yy": _NEGATIVE * _NEGATIVE,
    "negative_yn": _NEGATIVE * _N,
}
SQUARES = tuple(_SQUARE_SUMS)

SUMS = (
    sa.func.count().label("sessions"),
    *(sa.func.sum(getattr(QuisSession, f"n_{c.lower()}")).label(c) for c in CATEGORIES),
    sa.func.sum(QuisSession.people_count).label("people"),
    sa.func.sum(QuisSession.people_with_negative).label("people_negative"),
    sa.func.sum(QuisSession.person_minutes).label("person_minutes"),
    sa.func.sum(QuisSession.observed_minutes).label("observed_minutes"),
    *(sa.func.sum(expression).label(name) for name, expression in _SQUARE_SUMS.items()),
    sa.func.sum(sa.case((_N > 0, 1), else_=0)).label("coded"),
)


def _totals(row) -> Totals:
    return Totals(
        row.sessions,
        CategoryCounts(**{c: int(getattr(row, c) or 0) for c in CATEGORIES}),
        int(row.people or 0),
        int(row.people_negative or 0),
        float(row.person_minutes or 0),
        float(row.observed_minutes or 0),
        *(int(getattr(row, name) or 0) for name in SQUARES),
        int(row.coded or 0),
    )


def _where(scope: Scope) -> list:
    conditions = [
        QuisSession.service_id.in_(scope.service_ids),
        QuisSession.status == "submitted",
        COUNTED_SESSIONS,  # a paired observation once: its lead's record
        QuisSession.started_at >= scope.start,
        QuisSession.started_at < scope.end,
    ]
    if scope.context:
        conditions.append(QuisSession.context == scope.context)
    if scope.area_id:
        conditions.append(QuisSession.area_id == scope.area_id)
    return conditions


@dataclass
class Breakdown:
    """The scope's totals per period, per context and per local hour the sessions started."""

    periods: list[Totals]
    contexts: dict[str, Totals]
    hours: dict[int, Totals]


def breakdown(db: Session, scope: Scope) -> Breakdown:
    """Two passes over the scope's sessions: by (period, context), and by start time."""
    spans = scope.periods()
    bucket = bucket_index(QuisSession.started_at, period_boundaries(spans)).label("bucket")
    periods = [Totals() for _ in spans]
    contexts: dict[str, Totals] = {}
    for row in db.execute(
        sa.select(bucket, QuisSession.context, *SUMS)
        .where(*_where(scope))
        .group_by(bucket, QuisSession.context)
    ):
        totals = _totals(row)
        periods[row.bucket] += totals
        contexts[row.context] = contexts.get(row.context, Totals()) + totals
    offsets = offset_spans(scope.start, scope.end, scope.zone)
    slot = slot_columns(QuisSession.started_at, offsets, scope.end)
    hours: dict[int, Totals] = {}
    for row in db.execute(sa.select(*slot, *SUMS).where(*_where(scope)).group_by(*slot)):
        _, hour = local_slot(offsets[row.span][1], row.quarter)
        hours[hour] = hours.get(hour, Totals()) + _totals(row)
    return Breakdown(periods, contexts, hours)


# -- tables -----------------------------------------------------------------------------------


def _shares_with_intervals(t: Totals) -> list:
    positive = cluster_interval(t.positive)
    negative = cluster_interval(t.negative)
    return [
        scoring.positive_share(t.counts),
        positive.low if positive else None,
        positive.high if positive else None,
        scoring.negative_share(t.counts),
        negative.low if negative else None,
        negative.high if negative else None,
    ]


COUNTED = [Column("sessions", "Sessions", "int"), Column("n", "Interactions (n)", "int")]
SHARE_COLUMNS = [
    Column("positive", "Positive", "pct"),
    Column("positive_low", "Positive, 95% range from", "pct"),
    Column("positive_high", "Positive, 95% range to", "pct"),
    Column("negative", "Negative", "pct"),
    Column("negative_low", "Negative, 95% range from", "pct"),
    Column("negative_high", "Negative, 95% range to", "pct"),
]
INTERVAL_BANDS = (("positive_low", "positive_high"), ("negative_low", "negative_high"))


def tables(db: Session, scope: Scope) -> tuple[Totals, list[Table]]:
    """The whole dashboard: totals for the scope and every table (with its chart)."""
    spans = scope.periods()
    found = breakdown(db, scope)
    per_period = found.periods
    overall = sum(per_period, Totals())
    unit = scope.grouping.capitalize()

    categories = Table(
        "categories",
        "Interactions by category",
        [
            Column("period", unit),
            *COUNTED,
            *(Column(c, CATEGORY_LABELS[c], "pct") for c in CATEGORIES),
            NOTE,
        ],
        [
            [p.label, t.sessions, t.n, *(t.counts.share(c) for c in CATEGORIES), t.note()]
            for p, t in zip(spans, per_period, strict=True)
        ],
        caption="Share of the interactions coded in each category; n is the number coded.",
        chart=Chart("Category shares", "stacked", "period", tuple(CATEGORIES)),
    )
    trend = Table(
        "trend",
        "Positive and negative interactions, with 95% ranges",
        [
            Column("period", unit),
            *COUNTED,
            *SHARE_COLUMNS,
        ],
        [
            [p.label, t.sessions, t.n, *_shares_with_intervals(t)]
            for p, t in zip(spans, per_period, strict=True)
        ],
        caption=f"{INTERVAL_MEANS} The wider the range, the less certain the share.",
        chart=Chart(
            "Positive and negative %", "line", "period", ("positive", "negative"), INTERVAL_BANDS
        ),
    )
    people = Table(
        "people",
        "People with a negative interaction, and interaction rate",
        [
            Column("period", unit),
            Column("people", "People observed", "int"),
            Column("people_negative", "With at least one negative", "int"),
            Column("share_negative", "Share with a negative", "pct"),
            Column("person_hours", "Person-hours observed", "num"),
            Column("rate", "Interactions per person-hour", "num"),
            NOTE,
        ],
        [
            [
                p.label,
                t.people,
                t.people_negative,
                t.people_negative / t.people if t.people else None,
                t.person_minutes / 60,
                scoring.interactions_per_person_hour(t.n, t.person_minutes, t.observed_minutes),
                scoring.TOO_SHORT if t.too_short_to_rate() else "",
            ]
            for p, t in zip(spans, per_period, strict=True)
        ],
        caption="A person observed in two sessions counts twice. Rates need at least "
        f"{scoring.MIN_RATED_MINUTES} minutes observed (the sessions' lengths added up); "
        f"below that the note says “{scoring.TOO_SHORT}”.",
        chart=Chart(
            "People with at least one negative interaction", "line", "period", ("share_negative",)
        ),
    )
    contexts = found.contexts
    context_table = Table(
        "contexts",
        "By context",
        [
            Column("context", "Context"),
            *COUNTED,
            *SHARE_COLUMNS,
            NOTE,
        ],
        [
            [label, t.sessions, t.n, *_shares_with_intervals(t), t.note()]
            for code, label in CONTEXTS.items()
            if (t := contexts.get(code)) is not None
        ],
        caption=f"Mealtimes compared with the other times of day observed. {INTERVAL_MEANS}",
        empty="No sessions for these filters.",
        chart=Chart(
            "Positive and negative % by context",
            "bar",
            "context",
            ("positive", "negative"),
            INTERVAL_BANDS,
        ),
    )
    hours = found.hours
    hour_table = Table(
        "hours",
        "By hour of day the session started",
        [
            Column("hour", "Hour"),
            *COUNTED,
            Column("positive", "Positive", "pct"),
            Column("negative", "Negative", "pct"),
            NOTE,
        ],
        [
            [
                f"{hour:02d}:00–{hour:02d}:59",
                t.sessions,
                t.n,
                scoring.positive_share(t.counts),
                scoring.negative_share(t.counts),
                t.note(),
            ]
            for hour, t in sorted(hours.items())
        ],
        caption="Local time. Each session counts in the hour it started.",
        empty="No sessions for these filters.",
        chart=Chart("Positive and negative % by hour", "bar", "hour", ("positive", "negative")),
    )
    return overall, [categories, trend, people, context_table, hour_table]


def headline(t: Totals) -> list[tuple[str, str]]:
    """The figures for the whole scope, as label and text, for the top of the page."""

    def with_interval(sums: ClusterSums) -> str:
        if sums.share is None:
            return "—"
        interval = cluster_interval(sums)
        return (
            f"{scoring.percent(sums.share)} (95% {scoring.percent(interval.low)}"
            f"–{scoring.percent(interval.high)}), {plural(t.n, 'interaction', 'interactions')} "
            f"in {plural(t.coded, 'session', 'sessions')}"
        )

    return [
        ("Sessions", str(t.sessions)),
        ("Interactions (n)", str(t.n)),
        ("Positive", with_interval(t.positive)),
        ("Negative", with_interval(t.negative)),
        ("Positive : negative", scoring.ratio_text(t.counts)),
        ("Social share of positives", scoring.percent(scoring.social_share(t.counts))),
        (
            "Interactions per person-hour",
            scoring.rate_text(t.n, t.person_minutes, t.observed_minutes),
        ),
        (
            "People with a negative interaction",
            f"{t.people_negative} of {t.people}"
            + (f" ({scoring.percent(t.people_negative / t.people)})" if t.people else ""),
        ),
    ]
