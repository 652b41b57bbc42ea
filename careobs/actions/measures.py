"""The difference an action made: the measure it names, before it and after it.

An action may name one measure in its service (``Action.measure``, a small JSON object):

- ``{"kind": "quis_negative", "context": "mealtime" | null}``: negative interactions as a share
  of all interactions coded in QUIS sessions (of that context, or any);
- ``{"kind": "quis_positive", "context": ...}``: the same for positive interactions;
- ``{"kind": "domain_met", "domain_key": "<uuid>"}``: items met as a share of the items rated in
  one checklist domain at monitoring visits.

Each may carry ``"days"`` (default 90): the length of the two windows compared. *Before* is the
``days`` up to the day the action was added; *after* starts the day it was done (or, while it is
still open, the day it was added) and runs for ``days``, or to today if that comes first. Both
come from the counts stored with each session and visit, so nobody re-types numbers.

Each window's share pools many sessions (or visits), and interactions in one session are alike,
so the session (for ``domain_met``: the visit) is the sampling unit: each side shows its n, its
k sessions and a cluster-robust 95% interval, and the difference is judged by a z test on the
two sets of clusters (:mod:`careobs.statistics`), stated in words by
:attr:`Comparison.statement`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.checklists.models import ChecklistDomain, ChecklistVersion
from careobs.days import local_midnight
from careobs.org import settings as org_settings
from careobs.quis.models import CONTEXTS, COUNTED, QuisSession
from careobs.statistics import (
    ClusterSums,
    Difference,
    change_statement,
    cluster_interval,
    compare,
    shown_change,
)
from careobs.visits.models import VisitDomainScore

KINDS = {
    "quis_negative": "Negative interactions (QUIS)",
    "quis_positive": "Positive interactions (QUIS)",
    "domain_met": "Items met in a checklist domain (monitoring visits)",
}
DEFAULT_DAYS = 90
MAX_DAYS = 365


# What n and k count, per kind: (n's unit, the cluster's singular and plural).
UNITS = {
    "quis_negative": ("interactions", "session", "sessions"),
    "quis_positive": ("interactions", "session", "sessions"),
    "domain_met": ("items rated", "visit", "visits"),
}


@dataclass(frozen=True)
class Value:
    """A share over one window of local dates [first, last]: its n, its k clusters (sessions
    or visits) and its 95% interval, which treats each cluster as the sampling unit."""

    sums: ClusterSums
    first: date
    last: date

    @property
    def value(self) -> float | None:
        return self.sums.share

    @property
    def n(self) -> int:
        return self.sums.n

    @property
    def k(self) -> int:
        return self.sums.k

    @property
    def low(self) -> float | None:
        interval = cluster_interval(self.sums)
        return interval.low if interval else None

    @property
    def high(self) -> float | None:
        interval = cluster_interval(self.sums)
        return interval.high if interval else None


@dataclass(frozen=True)
class Comparison:
    label: str
    before: Value
    after: Value
    kind: str = "quis_negative"

    @property
    def change(self) -> float | None:
        """After minus before, in share points, as the two shown shares differ (see
        :func:`careobs.statistics.shown_change`); None when either side has no data."""
        if self.before.value is None or self.after.value is None:
            return None
        return shown_change(self.before.value, self.after.value)

    @property
    def n_unit(self) -> str:
        """What n counts, e.g. "interactions"."""
        return UNITS[self.kind][0]

    @property
    def k_unit(self) -> str:
        """What k counts, e.g. "sessions"."""
        return UNITS[self.kind][2]

    @property
    def interval_means(self) -> str:
        """What the 95% interval is, in one plain sentence."""
        n_unit, one, _ = UNITS[self.kind]
        return (
            f"The 95% interval is the range the true share probably lies in; it allows for "
            f"{n_unit} in one {one} being alike, so it is wider than a simple interval."
        )

    @property
    def test(self) -> Difference | None:
        """The z test of after against before; None when a side has too few clusters."""
        return compare(self.before.sums, self.after.sums)

    @property
    def statement(self) -> str:
        """The difference in words, with whether chance alone could explain it."""
        return change_statement(self.before.sums, self.after.sums, UNITS[self.kind][1:])


def check(measure: dict | None) -> dict | None:
    """A measure as stored, or ValueError saying what is wrong with it."""
    if measure is None:
        return None
    kind = measure.get("kind")
    if kind not in KINDS:
        raise ValueError(f"unknown measure {kind!r}")
    days = measure.get("days", DEFAULT_DAYS)
    if not isinstance(days, int) or not 7 <= days <= MAX_DAYS:
        raise ValueError(f"the windows must be 7 to {MAX_DAYS} days long")
    clean: dict = {"kind": kind, "days": days}
    if kind == "domain_met":
        clean["domain_key"] = str(uuid.UUID(str(measure.get("domain_key"))))
    else:
        context = measure.get("context") or None
        if context is not None and context not in CONTEXTS:
            raise ValueError(f"unknown context {context!r}")
        clean["context"] = context
    return clean


def windows(action, today: date, zone) -> tuple[tuple[date, date], tuple[date, date]]:
    """The local date ranges compared: before the action, and after it."""
    days = action.measure.get("days", DEFAULT_DAYS)
    added = action.created_at.astimezone(zone).date()
    before = (added - timedelta(days=days), added - timedelta(days=1))
    start = action.completed_at.astimezone(zone).date() if action.completed_at else added
    after = (start, min(start + timedelta(days=days - 1), today))
    return before, after


def before_after(db: Session, action, today: date | None = None) -> Comparison | None:
    """The action's measure before and after it; None when it names no measure."""
    if not action.measure:
        return None
    zone = org_settings.time_zone(db, action.organisation_id)
    today = today or date.today()
    (b_first, b_last), (a_first, a_last) = windows(action, today, zone)
    before = _value(db, action, b_first, b_last, zone)
    after = _value(db, action, a_first, a_last, zone)
    return Comparison(label(db, action), before, after, action.measure["kind"])


def label(db: Session, action) -> str:
    """What is measured, in words, e.g. "Negative interactions (QUIS) at mealtimes"."""
    measure = action.measure
    text = KINDS[measure["kind"]]
    if measure["kind"] == "domain_met":
        name = db.scalar(
            sa.select(ChecklistDomain.name)
            .join(ChecklistVersion, ChecklistVersion.id == ChecklistDomain.version_id)
            .where(ChecklistDomain.key == uuid.UUID(measure["domain_key"]))
            .order_by(ChecklistVersion.number.desc())
            .limit(1)
        )
        text = f"Items met in “{name or 'a retired domain'}” (monitoring visits)"
    elif measure.get("context"):
        text += f", {CONTEXTS[measure['context']].lower()}"
    return f"{text} at {action.service.name}"


def _value(db: Session, action, first: date, last: date, zone) -> Value:
    if last < first:
        return Value(ClusterSums(), first, last)
    start, end = local_midnight(first, zone), local_midnight(last + timedelta(days=1), zone)
    measure = action.measure
    if measure["kind"] == "domain_met":
        # One row per visit and domain: each row is a visit, the cluster.
        y = VisitDomainScore.n_met
        n = VisitDomainScore.n_met + VisitDomainScore.n_partly + VisitDomainScore.n_not_met
        conditions = [
            VisitDomainScore.service_id == action.service_id,
            VisitDomainScore.domain_key == uuid.UUID(measure["domain_key"]),
            VisitDomainScore.planned_at >= start,
            VisitDomainScore.planned_at < end,
        ]
    else:
        y = (
            (QuisSession.n_np + QuisSession.n_nr)
            if measure["kind"] == "quis_negative"
            else (QuisSession.n_ps + QuisSession.n_pc)
        )
        n = (
            QuisSession.n_ps
            + QuisSession.n_pc
            + QuisSession.n_n
            + QuisSession.n_np
            + QuisSession.n_nr
        )
        conditions = [
            QuisSession.service_id == action.service_id,
            QuisSession.status == "submitted",
            COUNTED,  # a paired observation once: its lead's record
            QuisSession.started_at >= start,
            QuisSession.started_at < end,
        ]
        if measure.get("context"):
            conditions.append(QuisSession.context == measure["context"])
    row = db.execute(
        sa.select(
            sa.func.sum(sa.case((n > 0, 1), else_=0)),  # the clusters: those that rated any
            *(
                sa.func.coalesce(sa.func.sum(expression), 0)
                for expression in (y, n, y * y, y * n, n * n)
            ),
        ).where(*conditions)
    ).one()
    return Value(ClusterSums(*(int(value or 0) for value in row)), first, last)
