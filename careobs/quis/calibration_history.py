"""Calibration over time: each QUIS observer's paired observations, their agreement and when
they are due to pair again, as plain data for the dashboard, the home page and the evidence pack.

Results are read from the pairs' stored results (``QuisPair`` with ``completed_at`` set, written
once by :func:`careobs.quis.pairs.complete_if_ready`), never recomputed from the interactions:
the kappa shown here is the kappa the pair's own page shows.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, tzinfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from careobs.accounts.models import Membership, User
from careobs.org.models import Service
from careobs.org.settings import settings_for, time_zone
from careobs.permissions.roles import WORK
from careobs.quis import calibration
from careobs.quis.models import QuisPair, QuisSession
from careobs.wording import plural

OBSERVED_WITHIN_DAYS = 365  # an observer is someone who recorded a session in the last year
NEVER_PAIRED = "Never paired: pair with an experienced observer"


@dataclass(frozen=True)
class PairResult:
    """One completed pair as seen from one of its observers."""

    pair_uuid: object
    service_id: int
    service_name: str
    observed_on: date  # the lead's session's local date: when the two observed together
    role: str  # this observer's part: "lead" or "second"
    other: str  # the other observer's display name
    matched: int
    lead_only: int
    second_only: int
    kappa: calibration.Kappa  # A4-weighted, from the stored confusion table
    lead_id: int | None = None
    second_id: int | None = None
    bound: float | None = None  # the organisation's lowest acceptable kappa, when known

    @property
    def verdict(self) -> str:
        return calibration.verdict(self.kappa.value, self.matched)

    @property
    def judged(self) -> bool:
        """Enough matched interactions for the kappa to say something."""
        return self.matched >= calibration.TOO_FEW and self.kappa.value is not None

    def figure(self) -> str:
        """The kappa as a number (``calibration.kappa_figure``), "—" without one."""
        if self.kappa.value is None:
            return "—"
        bounds = () if self.bound is None else (self.bound,)
        return calibration.kappa_figure(self.kappa.value, bounds)

    def kappa_text(self) -> str:
        """ "κ = 0.72 (95% 0.58–0.86), good", or why there is no kappa."""
        k = self.kappa
        if k.value is None:
            return f"no κ ({self.verdict})"
        return f"κ = {self.figure()} (95% {k.low:.2f}–{k.high:.2f}), {self.verdict}"

    def kappa_words(self) -> str:
        """ "κ = 0.72 (good)", or why there is no kappa."""
        if self.kappa.value is None:
            return self.verdict
        return f"κ = {self.figure()} ({self.verdict})"


@dataclass
class Observer:
    """An observer in scope with their completed pairs (oldest first) and why they are due."""

    user_id: int
    name: str
    pairs: list[PairResult] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def last(self) -> PairResult | None:
        return self.pairs[-1] if self.pairs else None

    @property
    def last_paired(self) -> date | None:
        return self.last.observed_on if self.last else None

    @property
    def due(self) -> bool:
        return bool(self.reasons)

    def reminder(self) -> str:
        """The reasons they are due, in one sentence each ("" when they are not)."""
        return " ".join(f"{reason}." for reason in self.reasons)

    def over_time(self) -> str:
        """Their A4 kappas oldest first, e.g. "0.45 → 0.63 → 0.71" ("—" for one not judged)."""
        return " → ".join(p.figure() for p in self.pairs)


@dataclass(frozen=True)
class Rules:
    """The organisation's calibration settings, as the reminders read them."""

    interval_months: int
    min_kappa: float

    def describe(self) -> str:
        """The thresholds and method in words, for under a table."""
        return (
            f"Agreement is Cohen's kappa weighted by the A4 scheme (κ), from each pair's matched "
            f"interactions, with a 95% interval (large-sample variance). κ of 0.8 or more is very "
            f"good, 0.6 to 0.8 good, 0.4 to 0.6 moderate, below 0.4 needs re-training; with fewer "
            f"than {calibration.TOO_FEW} matched interactions a pair is too few to judge. An "
            f"observer is due to pair again when never paired, when last paired "
            f"{plural(self.interval_months, 'month', 'months')} ago or more, or when their last "
            f"judged κ was below {self.min_kappa:.2f}."
        )


def rules_for(db: Session, organisation_id: int) -> Rules:
    saved = settings_for(db, organisation_id)
    return Rules(saved.calibration_interval_months, float(saved.calibration_min_kappa))


def months_between(earlier: date, later: date) -> int:
    """Whole calendar months from ``earlier`` to ``later`` (3 Jan → 2 Mar is 1, → 3 Mar is 2).

    A month is complete on the same day of a later month; when that month is too short for the
    day, on the first of the month after it: 31 Aug → 28 Feb is 5 months, → 1 Mar is 6. Both are
    local dates (the organisation's time zone), never UTC ones."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - (1 if later.day < earlier.day else 0)


def reasons_due(pairs: list[PairResult], rules: Rules, today: date) -> list[str]:
    """Why an observer with these pairs (oldest first) should pair again, in words: the last
    pair for when, the last judged pair (enough matched interactions) for how well."""
    if not pairs:
        return [NEVER_PAIRED]
    reasons = []
    months = months_between(pairs[-1].observed_on, today)
    if months >= rules.interval_months:
        reasons.append(
            f"Last paired {plural(months, 'month', 'months')} ago; pair every "
            f"{plural(rules.interval_months, 'month', 'months')}"
        )
    judged = [p for p in pairs if p.judged]
    last = judged[-1] if judged else None
    if last is not None and last.kappa.value < rules.min_kappa:
        figure = calibration.kappa_figure(last.kappa.value, (rules.min_kappa,))
        reasons.append(
            f"Last agreement κ = {figure} ({last.verdict}), below "
            f"{rules.min_kappa:.2f}: pair again after refresher training"
        )
    return reasons


def completed_pairs(
    db: Session,
    service_ids: Iterable[int],
    since: datetime | None = None,
    until: datetime | None = None,
    completed_by: datetime | None = None,
    observed_by: Iterable[int] | None = None,
) -> list[tuple]:
    """Completed pairs at the services, each as (pair, lead session's start, lead observer id,
    second observer id, service name), oldest first; when given, only those whose lead's session
    started in [since, until), whose result was written by ``completed_by`` and with one of
    ``observed_by`` among their observers."""
    lead, second = aliased(QuisSession), aliased(QuisSession)
    stmt = (
        sa.select(QuisPair, lead.started_at, lead.observer_id, second.observer_id, Service.name)
        .join(lead, sa.and_(lead.pair_id == QuisPair.id, lead.pair_role == "lead"))
        .join(second, sa.and_(second.pair_id == QuisPair.id, second.pair_role == "second"))
        .join(Service, Service.id == QuisPair.service_id)
        .where(QuisPair.service_id.in_(list(service_ids)), QuisPair.completed_at.is_not(None))
        .order_by(lead.started_at, QuisPair.id)
    )
    if since is not None:
        stmt = stmt.where(lead.started_at >= since)
    if until is not None:
        stmt = stmt.where(lead.started_at < until)
    if completed_by is not None:
        stmt = stmt.where(QuisPair.completed_at <= completed_by)
    if observed_by is not None:
        people = list(observed_by)
        stmt = stmt.where(sa.or_(lead.observer_id.in_(people), second.observer_id.in_(people)))
    return list(db.execute(stmt))


def pair_results(
    rows: Iterable[tuple], zone: tzinfo, bound: float | None = None
) -> list[PairResult]:
    """:func:`completed_pairs` rows as results seen from the lead (``other`` left empty), dated
    on the lead's local day; a row without a stored table (never written so) is skipped."""
    return [
        PairResult(
            pair.uuid,
            pair.service_id,
            service_name,
            started_at.astimezone(zone).date(),
            "lead",
            "",
            pair.matched or 0,
            pair.lead_only or 0,
            pair.second_only or 0,
            calibration.kappa(pair.confusion, calibration.A4),
            lead_id,
            second_id,
            bound,
        )
        for pair, started_at, lead_id, second_id, service_name in rows
        if pair.confusion is not None
    ]


def observer_ids(
    db: Session, service_ids: Iterable[int], now: datetime, user_ids: Iterable[int] | None = None
) -> set[int]:
    """Active users who submitted a QUIS session at the services in the year before ``now`` and
    still observe there (a manager or supervisor of the service, or an organisation admin);
    only ``user_ids`` when given."""
    ids = list(service_ids)
    member = sa.exists().where(
        Membership.user_id == User.id,
        Membership.service_id == QuisSession.service_id,
        Membership.role.in_(WORK),
    )
    stmt = (
        sa.select(QuisSession.observer_id)
        .join(User, User.id == QuisSession.observer_id)
        .where(
            QuisSession.service_id.in_(ids),
            QuisSession.status == "submitted",
            QuisSession.started_at >= now - timedelta(days=OBSERVED_WITHIN_DAYS),
            QuisSession.started_at < now,
            User.active.is_(True),
            sa.or_(member, User.is_org_admin.is_(True)),
        )
        .distinct()
    )
    if user_ids is not None:
        stmt = stmt.where(QuisSession.observer_id.in_(list(user_ids)))
    return set(db.scalars(stmt))


def observers(
    db: Session,
    organisation_id: int,
    service_ids: Iterable[int],
    now: datetime,
    user_ids: Iterable[int] | None = None,
) -> list[Observer]:
    """Every observer at the services (only ``user_ids`` when given) with their pairs there and
    their reminder as at ``now``, due first, then by name. Nothing after ``now`` is read: neither
    a pair completed after it nor a session started after it."""
    ids = list(service_ids)
    if not ids:
        return []
    zone = time_zone(db, organisation_id)
    today = now.astimezone(zone).date()
    rules = rules_for(db, organisation_id)
    wanted = observer_ids(db, ids, now, user_ids)
    if not wanted:
        return []
    rows = completed_pairs(
        db, ids, completed_by=now, observed_by=None if user_ids is None else wanted
    )
    results = pair_results(rows, zone, rules.min_kappa)
    names = dict(db.execute(sa.select(User.id, User.display_name).where(User.id.in_(wanted))).all())
    # Every observer in a pair is named beside the other, even one no longer observing here.
    others = {i for r in results for i in (r.lead_id, r.second_id)} - names.keys()
    if others:
        names |= dict(
            db.execute(sa.select(User.id, User.display_name).where(User.id.in_(others))).all()
        )
    found = {user_id: Observer(user_id, names[user_id]) for user_id in wanted}
    for result in results:
        for me, other, role in (
            (result.lead_id, result.second_id, "lead"),
            (result.second_id, result.lead_id, "second"),
        ):
            if me in found:
                found[me].pairs.append(
                    replace(result, role=role, other=names.get(other, "another observer"))
                )
    for observer in found.values():
        observer.reasons = reasons_due(observer.pairs, rules, today)
    return sorted(found.values(), key=lambda o: (not o.due, o.name.lower(), o.user_id))


def median_kappa(pairs: Iterable[PairResult]) -> float | None:
    """The median A4 kappa of the pairs judged (enough matched interactions), None without."""
    values = [p.kappa.value for p in pairs if p.judged]
    return statistics.median(values) if values else None
