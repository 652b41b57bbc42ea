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
come from the counts stored with each session and visit, with their n and a 95% Wilson interval,
so nobody re-types numbers.
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
from careobs.quis.models import CONTEXTS, QuisSession
from careobs.quis.scoring import wilson_interval
from careobs.spotchecks.models import VisitDomainScore

KINDS = {
    "quis_negative": "Negative interactions (QUIS)",
    "quis_positive": "Positive interactions (QUIS)",
    "domain_met": "Items met in a checklist domain (monitoring visits)",
}
DEFAULT_DAYS = 90
MAX_DAYS = 365


@dataclass(frozen=True)
class Value:
    """A share over one window of local dates [first, last], with its n and 95% interval."""

    value: float | None
    n: int
    low: float | None
    high: float | None
    first: date
    last: date


@dataclass(frozen=True)
class Comparison:
    label: str
    before: Value
    after: Value

    @property
    def change(self) -> float | None:
        """After minus before, in share points; None when either side has no data."""
        if self.before.value is None or self.after.value is None:
            return None
        return self.after.value - self.before.value


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
    return Comparison(label(db, action), before, after)


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
    start, end = local_midnight(first, zone), local_midnight(last + timedelta(days=1), zone)
    measure = action.measure
    if last < first:
        hits, n = 0, 0
    elif measure["kind"] == "domain_met":
        hits, n = db.execute(
            sa.select(
                sa.func.coalesce(sa.func.sum(VisitDomainScore.n_met), 0),
                sa.func.coalesce(
                    sa.func.sum(
                        VisitDomainScore.n_met
                        + VisitDomainScore.n_partly
                        + VisitDomainScore.n_not_met
                    ),
                    0,
                ),
            ).where(
                VisitDomainScore.service_id == action.service_id,
                VisitDomainScore.domain_key == uuid.UUID(measure["domain_key"]),
                VisitDomainScore.planned_at >= start,
                VisitDomainScore.planned_at < end,
            )
        ).one()
    else:
        counted = (
            (QuisSession.n_np + QuisSession.n_nr)
            if measure["kind"] == "quis_negative"
            else (QuisSession.n_ps + QuisSession.n_pc)
        )
        conditions = [
            QuisSession.service_id == action.service_id,
            QuisSession.status == "submitted",
            QuisSession.started_at >= start,
            QuisSession.started_at < end,
        ]
        if measure.get("context"):
            conditions.append(QuisSession.context == measure["context"])
        total = (
            QuisSession.n_ps
            + QuisSession.n_pc
            + QuisSession.n_n
            + QuisSession.n_np
            + QuisSession.n_nr
        )
        hits, n = db.execute(
            sa.select(
                sa.func.coalesce(sa.func.sum(counted), 0), sa.func.coalesce(sa.func.sum(total), 0)
            ).where(*conditions)
        ).one()
    hits, n = int(hits), int(n)
    interval = wilson_interval(hits, n)
    return Value(
        hits / n if n else None,
        n,
        interval.low if interval else None,
        interval.high if interval else None,
        first,
        last,
    )
