"""``careobs demo --size large``: a provider big enough to exercise the dashboards and benchmarks.

"Large Demo Provider" has 40 services, 1,500 staff, about 20,000 QUIS sessions (a million
interactions), 60,000 monitoring visits, 24,000 audits and 10,000 compliments and concerns over
the two years ending today, generated from a fixed seed with Core executemany in chunks. Every
raw row (interaction, answer) exists and the stored aggregates are computed from them with the
scoring modules, exactly as a sync would.
It lives beside the small demo; when it already exists nothing is changed (audit events cannot
be deleted, so it is never regenerated in place).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.audit.models import AuditEvent
from careobs.audit.service import record
from careobs.demo_large import answers, audits, compliments, organisation, quis, visits
from careobs.demo_large.organisation import LOGINS
from careobs.demo_large.patterns import Window
from careobs.org.models import Organisation

LARGE_ORG = "Large Demo Provider"
GENERATED = "large_demo_generated"
__all__ = ["GENERATED", "LARGE_ORG", "LOGINS", "LargeDemoExists", "Scale", "generate"]


@dataclass(frozen=True)
class Scale:
    """How much to generate; tests use a small one."""

    services: int = 40
    staff: int = 1500
    sessions: int = 20_000
    visits: int = 60_000
    interactions_per_session: int = 50
    days: int = 730
    audits: int | None = None  # None: two for every five visits
    compliments: int | None = None  # None: one for every two QUIS sessions

    def times(self, factor: int) -> Scale:
        """``factor`` times the sessions, visits, audits and compliments in the same services,
        staff and days: the rows stored grow, the services, subjects and periods a dashboard
        shows do not (the benchmark's ``--scale``)."""
        return replace(
            self,
            sessions=self.sessions * factor,
            visits=self.visits * factor,
            audits=self.audit_total * factor,
            compliments=self.compliment_total * factor,
        )

    @property
    def audit_total(self) -> int:
        return self.visits * 2 // 5 if self.audits is None else self.audits

    @property
    def compliment_total(self) -> int:
        return self.sessions // 2 if self.compliments is None else self.compliments


class LargeDemoExists(Exception):
    """The large demo organisation is already in this database (``complete`` says whether an
    earlier run finished)."""

    def __init__(self, complete: bool):
        self.complete = complete
        if complete:
            message = f"{LARGE_ORG} already exists; nothing was changed."
        else:
            message = (
                f"{LARGE_ORG} exists but an earlier run did not finish; "
                "start again from an empty database."
            )
        super().__init__(message)


@dataclass
class Generated:
    """What was written, for the command's report."""

    logins: list[tuple[str, str]]
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _existing(db: Session) -> None:
    org_id = db.scalar(sa.select(Organisation.id).where(Organisation.name == LARGE_ORG))
    if org_id is None:
        return
    done = db.scalar(
        sa.select(AuditEvent.id).where(
            AuditEvent.organisation_id == org_id, AuditEvent.action == GENERATED
        )
    )
    raise LargeDemoExists(complete=done is not None)


def generate(
    db: Session,
    scale: Scale = Scale(),
    today: date | None = None,
    seed: int = 2026,
    echo: Callable[[str], None] = lambda _line: None,
) -> Generated:
    """Generate the large demo organisation, committing as it goes.

    Raises :class:`LargeDemoExists` when it is already there. Needs an app context (the logins
    are made through the accounts service).
    """
    _existing(db)
    clock = time.perf_counter()
    window = Window(today or date.today(), scale.days)
    rng = random.Random(seed)
    provider = organisation.build(db, LARGE_ORG, rng, window, scale.services, scale.staff)
    org = provider.organisation
    admin = provider.logins["admin@large.test"]
    checklist_versions = answers.versions(
        db, org.id, admin, window.first_day, window.day(window.days // 2)
    )
    db.commit()
    staff = sum(len(unit.staff) for unit in provider.homes + provider.branches)
    people = sum(len(unit.people) for unit in provider.homes + provider.branches)
    areas = sum(len(unit.areas) for unit in provider.homes)
    echo(
        f"services: {len(provider.homes) + len(provider.branches)} ({len(provider.homes)} care "
        f"homes with {areas} areas, {len(provider.branches)} homecare branches), "
        f"{people:,} people supported"
    )
    echo(f"staff: {staff:,} ({time.perf_counter() - clock:.1f} s)")
    sessions, interactions = quis.generate(
        db,
        rng,
        org.id,
        provider.homes,
        window,
        scale.sessions,
        scale.interactions_per_session,
        echo,
    )
    echo(
        f"QUIS sessions: {sessions:,}, interactions: {interactions:,} "
        f"({time.perf_counter() - clock:.1f} s)"
    )
    n_visits, n_answers = visits.generate(
        db,
        rng,
        org.id,
        provider.branches,
        checklist_versions,
        window,
        scale.visits,
        provider.login_worker_id,
        echo,
    )
    echo(f"visits: {n_visits:,}, answers: {n_answers:,} ({time.perf_counter() - clock:.1f} s)")
    n_audits, n_audit_answers = audits.generate(
        db,
        rng,
        org.id,
        provider.homes + provider.branches,
        admin,
        window,
        scale.audit_total,
        echo,
    )
    echo(
        f"audits: {n_audits:,}, audit answers: {n_audit_answers:,} "
        f"({time.perf_counter() - clock:.1f} s)"
    )
    n_compliments = compliments.generate(
        db,
        rng,
        org.id,
        provider.homes + provider.branches,
        admin.id,
        window,
        scale.compliment_total,
        echo,
    )
    counts = {
        "services": len(provider.homes) + len(provider.branches),
        "staff": staff,
        "sessions": sessions,
        "interactions": interactions,
        "visits": n_visits,
        "answers": n_answers,
        "audits": n_audits,
        "audit answers": n_audit_answers,
        "compliments and concerns": n_compliments,
    }
    record(
        db,
        GENERATED,
        organisation_id=org.id,
        actor=None,
        entity=org,
        summary=", ".join(f"{n:,} {what}" for what, n in counts.items()) + f" (seed {seed})",
    )
    db.commit()
    return Generated(
        logins=[(email, role) for email, _name, role in LOGINS],
        counts=counts,
        seconds=time.perf_counter() - clock,
    )
