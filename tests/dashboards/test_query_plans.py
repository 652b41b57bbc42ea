"""Every dashboard query reads the per-record tables through an index its conditions narrow,
or not at all (issue 20), so a later change cannot silently fall back to reading every QUIS
session, visit, audit or answer of every organisation.

A small large demo (six services, two years) is generated once for the module. Each
dashboard's JSON endpoint is called through the test client (the organisation's admin over
every service and a manager of half of them; month and week grouping), and so are the QUIS page (its
calibration section is not in the JSON) and a care worker's page. Every SELECT a request runs
is captured and explained by the database (:mod:`tests.support.query_plans`): on PostgreSQL
with sequential scans and hash and merge joins discouraged, so that on these small tables a
whole read remains only where no index can serve the conditions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import pytest
import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.demo import DEMO_PASSWORD
from careobs.demo_large import Scale, generate
from careobs.org.models import StaffMember
from careobs.quis.models import QuisSession
from tests.support.calibration import complete, make_pair, table_for
from tests.support.database import empty_all_tables
from tests.support.query_plans import (
    Statement,
    TableRead,
    captured_selects,
    table_reads,
    vacuum,
    whole_reads,
)
from tests.support.web import Auth, make_test_app

# Six services over two years: four care homes and two homecare branches, of which the manager
# has two homes and a branch. PostgreSQL orders a join by the tables' sizes, so the sessions
# must outnumber the calibration pairs (_pair_some_sessions) as they do in use: with 300
# sessions it found walking every lead session cheaper than finding each pair's two (700 were
# enough). The same holds for audits: with the 45 that 120 visits bring, walking the whole
# (checklist version) index cost within a few units of the intended partial index, and on a CI
# machine PostgreSQL chose it; with 1,500 the intended read costs a quarter as much (a third less
# even before a VACUUM marks the pages all visible). The dashboards read no interactions: a few
# per session keep the generation cheap.
SCALE = Scale(
    services=6, staff=60, sessions=1500, visits=120, interactions_per_session=5, audits=1500
)
TODAY = date(2026, 3, 31)
DATES = "date_from=2025-04-01&date_to=2026-03-31"
ADMIN, MANAGER, STAFF = "admin@large.test", "manager@large.test", "staff@large.test"

# The tables that grow with every record kept: never to be read whole by a dashboard.
PER_RECORD = {
    "quis_sessions",
    "quis_interactions",
    "monitoring_visits",
    "visit_answers",
    "audits",
    "audit_answers",
    # Stored summaries: a row per visit and domain, per item a visit missed, and per service,
    # domain and week or month. (Not audit_latest, a row per subject and template: in this
    # database of one organisation the admin's scope is every row of it, which PostgreSQL
    # rightly reads whole.)
    "visit_domain_scores",
    "visit_missed_items",
    "visit_domain_periods",
}
# The raw rows behind the stored aggregates, which the QUIS and visits dashboards never read.
RAW_ROWS = {"quis_interactions", "visit_answers"}


@dataclass(frozen=True)
class Call:
    """One request: ``dashboard`` names its expectations in INTENDED; in ``path``, "{worker}"
    stands for the id of the care worker linked to the staff login."""

    dashboard: str
    who: str
    path: str

    @property
    def id(self) -> str:
        grouping = "week" if "grouping=week" in self.path else "month"
        return f"{self.dashboard}-{grouping}-{self.who.split('@')[0]}"


DASHBOARDS = ("quis", "visits", "coverage", "audits", "compliments")
CALLS = [
    *(
        Call(name, who, f"/api/v1/dashboards/{name}?grouping={grouping}&{DATES}")
        for who in (ADMIN, MANAGER)
        for name in DASHBOARDS
        for grouping in ("month", "week")
    ),
    *(Call("quis page", who, f"/dashboards/quis?{DATES}") for who in (ADMIN, MANAGER)),
    *(Call("worker", who, "/api/v1/dashboards/workers/{worker}") for who in (ADMIN, STAFF)),
]

# For each dashboard, the per-record tables it reads and the indexes it reads them through
# (named as PostgreSQL names them; SQLite's own names for keys are translated). A table not
# listed is one the dashboard must not read at all.
INTENDED: dict[str, dict[str, set[str]]] = {
    # The counted sessions by their partial index, which carries what is summed (PostgreSQL).
    "quis": {
        "quis_sessions": {"ix_quis_sessions_service_started", "ix_quis_sessions_counted_started"}
    },
    # The calibration section finds each pair's sessions by the pair's unique (pair, role).
    "quis page": {
        "quis_sessions": {
            "ix_quis_sessions_service_started",
            "ix_quis_sessions_counted_started",
            "uq_quis_sessions_pair_role",
        }
    },
    "visits": {
        "monitoring_visits": {"ix_monitoring_visits_service_planned"},
        "visit_domain_scores": {"ix_visit_domain_scores_service_planned"},
        "visit_missed_items": {"ix_visit_missed_items_service_planned"},
        "visit_domain_periods": {"uq_visit_domain_periods_key"},
    },
    # Each worker's latest scored visits by the partial (staff, planned time) index of scored
    # visits, the latest one's row by its key; the spread of visits by (service, time).
    "coverage": {
        "monitoring_visits": {
            "ix_monitoring_visits_service_planned",
            "ix_monitoring_visits_staff_scored",
            "pk_monitoring_visits",
        }
    },
    # The period's staff audits by their partial index (which carries what is read of them,
    # on PostgreSQL), the newest audits by key (from audit_latest), the period's co-audits by
    # their partial index and their staff audits by their id; the failed items read only the
    # answers that are not Met.
    "audits": {
        "audits": {
            "ix_audits_service_started",
            "ix_audits_staff_started",
            "ix_audits_co_audits_started",
            "pk_audits",
            "uq_audits_uuid",
        },
        "audit_answers": {"ix_audit_answers_not_met"},
    },
    "compliments": {},
    "worker": {
        "monitoring_visits": {
            "ix_monitoring_visits_staff_planned",
            "ix_monitoring_visits_staff_scored",
            "pk_monitoring_visits",
        }
    },
}


@dataclass(repr=False)
class Planned:
    """A request's statements, each with how the database reads its tables."""

    call: Call
    path: str
    plans: list[tuple[Statement, list[TableRead]]]

    def reads(self, tables: set[str]) -> list[tuple[Statement, TableRead]]:
        return [(s, read) for s, reads in self.plans for read in reads if read.table in tables]

    def __repr__(self) -> str:  # pytest shows the fixture's value when a test fails
        return f"<{len(self.plans)} statements of {self.path}>"


def _app(database_url: str):
    """An app on the test database as tests/conftest.py's ``app`` makes it (module-scoped
    here, so the demo is generated once for every request below)."""
    return make_test_app(database_url)


def _pair_some_sessions(db) -> None:
    """Calibration pairs, which the large demo does not make: the first two sessions of each
    care home paired, with a result, for the QUIS page's calibration section to find."""
    sessions = db.scalars(sa.select(QuisSession).order_by(QuisSession.service_id, QuisSession.id))
    by_service: dict[int, list[QuisSession]] = {}
    for session in sessions:
        by_service.setdefault(session.service_id, []).append(session)
    for index, found in enumerate(by_service.values()):
        pair = make_pair(db, found[0], found[1], code=f"PAIR{index}")
        complete(db, pair, table_for(agree=8, disagree=2))


@pytest.fixture(scope="module")
def demo_app(database_url, tmp_path_factory):
    """The app, with the small large demo generated in its database (emptied afterwards)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CAREOBS_INSTANCE_PATH", str(tmp_path_factory.mktemp("instance")))
        app = _app(database_url)
        engine = app.extensions["careobs.engine"]
        try:
            vacuum(engine)
            with app.app_context():
                db = app.extensions["careobs.sessionmaker"]()
                generate(db, SCALE, today=TODAY)
                _pair_some_sessions(db)
                db.close()
            vacuum(engine, analyze=True)
            yield app
        finally:
            empty_all_tables(engine)
            engine.dispose()


@pytest.fixture(scope="module")
def planned(demo_app) -> dict[str, Planned]:
    """Every call in CALLS made once, its statements captured and explained."""
    engine = demo_app.extensions["careobs.engine"]
    with engine.connect() as conn:
        worker = conn.scalar(
            sa.select(StaffMember.uuid)
            .join(User, User.id == StaffMember.user_id)
            .where(User.email == STAFF)
        )
    clients = {}
    for who in {call.who for call in CALLS}:
        clients[who] = demo_app.test_client()
        Auth(clients[who]).login(who, DEMO_PASSWORD)
    result = {}
    for call in CALLS:
        path = call.path.replace("{worker}", str(worker))
        with captured_selects(engine) as statements:
            response = clients[call.who].get(path)
        assert response.status_code == 200, f"{path} as {call.who}: {response.status_code}"
        with engine.connect() as conn:
            plans = [(statement, table_reads(conn, statement)) for statement in statements]
        result[call.id] = Planned(call, path, plans)
    return result


def _where(found: Planned, statement: Statement, read: TableRead) -> str:
    return (
        f"{found.path} as {found.call.who} reads {read.table}"
        f"\n  statement: {statement.short()}\n  plan node: {read.node}"
    )


def whole_read_problems(found: Planned) -> list[str]:
    """Each read of a per-record table that takes every row, with where it happens."""
    return [
        _where(found, statement, read)
        for statement, reads in found.plans
        for read in whole_reads(reads, PER_RECORD)
    ]


def unintended_index_problems(found: Planned) -> list[str]:
    """Each read of a per-record table through another index than INTENDED names, or of a
    table the dashboard is not meant to read."""
    intended = INTENDED[found.call.dashboard]
    problems = []
    for statement, read in found.reads(PER_RECORD):
        if read.index in intended.get(read.table, set()):
            continue
        if read.table in intended:
            wanted = " or ".join(sorted(intended[read.table]))
            why = f"through {read.index or 'no index'}, not {wanted}"
        else:
            why = f"which the {found.call.dashboard} dashboard is not meant to read at all"
        problems.append(f"{_where(found, statement, read)}\n  {why}")
    return problems


@pytest.mark.parametrize("call", CALLS, ids=lambda call: call.id)
def test_no_dashboard_reads_a_per_record_table_whole(planned, call):
    found = planned[call.id]
    assert found.plans, f"{found.path} ran no query: the capture is broken"
    problems = whole_read_problems(found)
    assert not problems, "read whole, with no index narrowing it:\n" + "\n".join(problems)


@pytest.mark.parametrize("call", CALLS, ids=lambda call: call.id)
def test_each_per_record_table_is_read_through_its_intended_index(planned, call):
    problems = unintended_index_problems(planned[call.id])
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "call", [c for c in CALLS if c.dashboard in ("quis", "quis page", "visits")], ids=lambda c: c.id
)
def test_quis_and_visits_dashboards_never_read_the_raw_rows(planned, call):
    found = planned[call.id]
    problems = [_where(found, statement, read) for statement, read in found.reads(RAW_ROWS)]
    assert not problems, "the stored aggregates answer these:\n" + "\n".join(problems)


@contextmanager
def _without_indexes(engine: sa.Engine, *names: str) -> Iterator[sa.Connection]:
    """A connection in a transaction that dropped the indexes ``names``; rolled back after, so
    the indexes are back for everyone else."""
    if engine.dialect.name == "sqlite":
        # A new connection: SQLite would answer an EXPLAIN it has already prepared on a
        # pooled one from the plan it made then, without noticing the dropped index.
        engine.dispose()
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN")  # pysqlite would otherwise commit the DROP at once
        else:
            conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
        try:
            for name in names:
                conn.exec_driver_sql(f"DROP INDEX {name}")
            yield conn
        finally:
            conn.rollback()


def test_the_checks_fail_when_the_intended_index_is_gone(demo_app, planned):
    """Without the (service, start time) indexes, the QUIS dashboard's queries read every
    session, and both checks say so, naming the request, the table and the plan node."""
    engine = demo_app.extensions["careobs.engine"]
    found = planned["quis-month-manager"]
    gone = ("ix_quis_sessions_service_started", "ix_quis_sessions_counted_started")
    with _without_indexes(engine, *gone) as conn:
        replanned = Planned(
            found.call, found.path, [(s, table_reads(conn, s)) for s, _ in found.plans]
        )
    whole = whole_read_problems(replanned)
    unintended = unintended_index_problems(replanned)
    assert whole and unintended
    assert found.path in whole[0] and "reads quis_sessions" in whole[0]
    assert "plan node: " in whole[0] and "quis_sessions" in whole[0].split("plan node: ")[1]
    assert (
        "not ix_quis_sessions_counted_started or ix_quis_sessions_service_started" in unintended[0]
    )
    with engine.connect() as conn:  # the indexes are back
        indexes = {index["name"] for index in sa.inspect(conn).get_indexes("quis_sessions")}
    assert set(gone) <= indexes
