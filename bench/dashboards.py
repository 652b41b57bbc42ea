"""Benchmark: the dashboard endpoints on the large demo against naive SQL over the raw rows.

Run from the repository root::

    .venv/bin/python bench/dashboards.py [--database-url URL] [--repeat 25]

The database must hold the large demo organisation ("Large Demo Provider", made by
``careobs demo --size large``); when it does not, it is migrated and generated first (a few
minutes). Default database: ``instance/bench-large.db``, kept for the next run.

For each scenario (an endpoint, its filters and who asks), the real app answers the JSON
endpoint through Flask's test client, logged in as that user: login, permission checks, filter
validation, queries and JSON included. In the same run, the naive SQL that answers the same
question straight from the raw rows (every QUIS interaction, every visit or audit answer joined
to its item, domain and visit or audit) is run through the same database driver. Both are
repeated ``--repeat`` times after two warm-up calls; the script prints the median and 95th
percentile of each and the speed-up (naive median / endpoint median).

Scenarios: the organisation admin over all 40 services (the large-data case the goals are
about: ~10,000 sessions and ~30,000 visits a year), and a manager of three services (a small
slice of the same data, where the naive SQL is itself only tens of milliseconds and a request's
fixed cost of ~5-10 ms, login and filter checks included, bounds the speed-up). The last line is
``slowest_p95_ms <ms> min_speedup <ratio>``: the slowest p95 over every scenario, and the
smallest speed-up over the all-services scenarios; the manager's speed-ups are printed above it
and summarised on the line before. The worker page lists one person's own visits (nothing to
aggregate): it is timed and counted in ``slowest_p95_ms`` but has no naive counterpart.

The compliments dashboard counts the compliments and concerns log (10,000 entries at scale 1,
over every service); its naive SQL counts the same three tables from the entries.

The audits dashboard also answers "scheduled audits done on time": the large demo schedules its
four audit templates in every service (160 schedules), walked over two years of audits by
careobs.audits.due. The naive SQL answers it with LAG over each subject's audit days and the
schedules' current frequencies (``naive_on_time`` says what that simplifies).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# careobs is imported inside the functions: the path above must be set first.

ADMIN = "admin@large.test"
MANAGER = "manager@large.test"


@dataclass
class Scenario:
    name: str
    who: str
    path: str
    naive: list[str]  # SQL statements run one after the other; None: nothing to compare


def timed(call: Callable[[], object], repeat: int) -> list[float]:
    for _ in range(2):
        call()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


# -- naive SQL -------------------------------------------------------------------------------
# Written the way one would without stored aggregates: group the raw interaction and answer
# rows. Months and weeks are taken in UTC (no time zone handling at all), which only makes the
# naive side cheaper.


def sql_functions(dialect: str) -> dict[str, str]:
    if dialect == "sqlite":
        return {
            "month": "strftime('%Y-%m', {0})",
            "week": "strftime('%Y-%W', {0})",
            "hour": "strftime('%H', {0})",
            "dow": "strftime('%w', {0})",
            "minutes_between": "(julianday({1}) - julianday({0})) * 1440",
            "people": "json_each(i.people) AS person",
            "person": "person.value",
            "true": "1",
            # Days as Julian day numbers (what SQLite's date functions take): d + n is n days on.
            "day": "julianday(date({0}))",
            "day_of": "julianday(date({0}))",
            "day_month": "strftime('%Y-%m', {0})",
            "day_week": "strftime('%Y-%W', {0})",
            "intervals": "CAST(({1} - {0} - 1) / {2} AS INTEGER)",  # floor((b - a - 1) / f)
            "greatest": "max",
        }
    return {
        "month": "to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM')",
        "week": "to_char({0} AT TIME ZONE 'UTC', 'IYYY-IW')",
        "hour": "extract(hour FROM {0} AT TIME ZONE 'UTC')",
        "dow": "extract(dow FROM {0} AT TIME ZONE 'UTC')",
        "minutes_between": "extract(epoch FROM ({1} - {0})) / 60",
        "people": "json_array_elements_text(i.people) AS person",
        "person": "person",
        "true": "true",
        "day": "({0} AT TIME ZONE 'UTC')::date",
        "day_of": "({0} AT TIME ZONE 'UTC')::date",
        "day_month": "to_char({0}, 'YYYY-MM')",
        "day_week": "to_char({0}, 'IYYY-IW')",
        "intervals": "(({1} - {0} - 1) / {2})",  # integer division of integers
        "greatest": "greatest",
    }


def naive_quis(f: dict, grouping: str) -> list[str]:
    period = f[grouping].format("s.started_at")
    base = (
        "FROM quis_interactions i JOIN quis_sessions s ON s.id = i.session_id "
        "WHERE s.status = 'submitted' AND s.service_id IN :services "
        "AND s.started_at >= :start AND s.started_at < :end"
    )
    return [
        f"SELECT {period} AS p, i.category, count(*) {base} GROUP BY {period}, i.category",
        f"SELECT s.context, i.category, count(*) {base} GROUP BY s.context, i.category",
        f"SELECT {f['hour'].format('s.started_at')} AS h, i.category, count(*) {base} "
        f"GROUP BY {f['hour'].format('s.started_at')}, i.category",
        # People with at least one negative interaction, per period.
        f"SELECT {period} AS p, count(DISTINCT s.id || '/' || {f['person']}) "
        f"FROM quis_interactions i CROSS JOIN {f['people']} "
        "JOIN quis_sessions s ON s.id = i.session_id "
        "WHERE s.status = 'submitted' AND s.service_id IN :services "
        "AND s.started_at >= :start AND s.started_at < :end AND i.category IN ('NP', 'NR') "
        f"GROUP BY {period}",
    ]


ANSWERS = (
    "FROM visit_answers a JOIN monitoring_visits v ON v.id = a.visit_id "
    "JOIN checklist_items ci ON ci.id = a.item_id "
)
VISITS_IN_SCOPE = (
    "v.status = 'submitted' AND v.service_id IN :services "
    "AND v.planned_at >= :start AND v.planned_at < :end"
)
# A visit's score and critical failures from its answers (design §2.2).
SCORED = (
    "SUM(CASE a.rating WHEN 'met' THEN 2 WHEN 'partly' THEN 1 ELSE 0 END) * 100.0 "
    "/ NULLIF(2 * SUM(CASE WHEN a.rating <> 'na' THEN 1 ELSE 0 END), 0) AS score, "
    "SUM(CASE WHEN ci.critical = {true} AND a.rating = 'not_met' THEN 1 ELSE 0 END) AS critical"
)


def naive_visits(f: dict, grouping: str) -> list[str]:
    period = f[grouping].format("v.planned_at")
    late = f["minutes_between"].format("v.planned_at", "v.arrived_at")
    scored = SCORED.format(true=f["true"])
    return [
        "SELECT p, count(*), avg(score), "
        "SUM(CASE WHEN critical = 0 AND score >= 90 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN critical = 0 AND score >= 75 AND score < 90 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN critical > 0 OR score < 75 THEN 1 ELSE 0 END) "
        f"FROM (SELECT v.id, {period} AS p, {scored} {ANSWERS} WHERE {VISITS_IN_SCOPE} "
        f"GROUP BY v.id, {period}) per_visit GROUP BY p",
        f"SELECT d.key, {period} AS p, SUM(CASE WHEN a.rating = 'met' THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN a.rating <> 'na' THEN 1 ELSE 0 END) {ANSWERS}"
        f"JOIN checklist_domains d ON d.id = ci.domain_id WHERE {VISITS_IN_SCOPE} "
        f"GROUP BY d.key, {period}",
        f"SELECT ci.key, count(*) AS missed {ANSWERS} WHERE {VISITS_IN_SCOPE} "
        "AND a.rating IN ('partly', 'not_met') GROUP BY ci.key ORDER BY missed DESC LIMIT 10",
        f"SELECT CASE WHEN v.arrived_at IS NULL THEN 'none' WHEN {late} <= 0 THEN 'on time' "
        f"WHEN {late} <= 10 THEN '10' WHEN {late} <= 20 THEN '20' WHEN {late} <= 30 THEN '30' "
        f"WHEN {late} <= 60 THEN '60' ELSE 'more' END AS band, count(*) "
        f"FROM monitoring_visits v WHERE {VISITS_IN_SCOPE} GROUP BY 1",
    ]


def naive_coverage(f: dict) -> list[str]:
    scored = SCORED.format(true=f["true"])
    in_services = "v.status = 'submitted' AND v.service_id IN :services"
    return [
        # Each worker's last visit and its result, worked out from the answers.
        "SELECT per_visit.staff_id, per_visit.planned_at, per_visit.score, per_visit.critical "
        f"FROM (SELECT v.id, v.staff_id, v.planned_at, {scored} {ANSWERS} WHERE {in_services} "
        "GROUP BY v.id, v.staff_id, v.planned_at) per_visit "
        "JOIN (SELECT staff_id, max(planned_at) AS last FROM monitoring_visits v "
        f"WHERE {in_services} GROUP BY staff_id) latest "
        "ON latest.staff_id = per_visit.staff_id AND latest.last = per_visit.planned_at",
        "SELECT v.staff_id, max(v.planned_at) FROM monitoring_visits v "
        f"WHERE {in_services} AND v.visit_type = 'unannounced' GROUP BY v.staff_id",
        f"SELECT v.visit_type, count(*) FROM monitoring_visits v WHERE {VISITS_IN_SCOPE} "
        "GROUP BY v.visit_type",
        f"SELECT {f['dow'].format('v.planned_at')}, {f['hour'].format('v.planned_at')}, "
        f"count(*) FROM monitoring_visits v WHERE {VISITS_IN_SCOPE} GROUP BY 1, 2",
    ]


AUDIT_ANSWERS = (
    "FROM audit_answers a JOIN audits au ON au.id = a.audit_id "
    "JOIN checklist_items ci ON ci.id = a.item_id "
    "JOIN checklist_versions cv ON cv.id = au.checklist_version_id "
    "JOIN checklists c ON c.id = cv.checklist_id "
)
AUDITS_IN_SCOPE = (
    "au.status = 'submitted' AND au.co_audit_with IS NULL AND au.service_id IN :services "
    "AND au.started_at >= :start AND au.started_at < :end"
)
# Each audit's score, critical failures and its template's bands, from its answers.
AUDIT_SCORED = (
    "SELECT au.id, au.started_at, au.service_id, cv.checklist_id, au.subject_type, "
    "au.person_id, au.staff_id, au.area_id, c.green_from, c.amber_from, "
    "SUM(CASE a.rating WHEN 'met' THEN 2 WHEN 'partly' THEN 1 ELSE 0 END) * 100.0 "
    "/ NULLIF(2 * SUM(CASE WHEN a.rating <> 'na' THEN 1 ELSE 0 END), 0) AS score, "
    "SUM(CASE WHEN ci.critical = {true} AND a.rating = 'not_met' THEN 1 ELSE 0 END) AS critical "
    f"{AUDIT_ANSWERS} WHERE {AUDITS_IN_SCOPE} "
    "GROUP BY au.id, au.started_at, au.service_id, cv.checklist_id, au.subject_type, "
    "au.person_id, au.staff_id, au.area_id, c.green_from, c.amber_from"
)
AUDIT_BANDS = (
    "SUM(CASE WHEN critical = 0 AND score >= green_from THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN critical = 0 AND score >= amber_from AND score < green_from THEN 1 ELSE 0 "
    "END), SUM(CASE WHEN critical > 0 OR score < amber_from THEN 1 ELSE 0 END)"
)


def naive_audits(f: dict, grouping: str) -> list[str]:
    scored = AUDIT_SCORED.format(true=f["true"])
    period = f[grouping].format("started_at")
    subject = "checklist_id, service_id, subject_type, person_id, staff_id, area_id"
    return [
        # Scores and bands per period, each audit scored from its answers.
        f"SELECT {period} AS p, count(*), avg(score), {AUDIT_BANDS} "
        f"FROM ({scored}) per_audit GROUP BY {period}",
        # Every subject's latest audit, its score worked out from the answers, and the split.
        f"SELECT checklist_id, service_id, {AUDIT_BANDS} FROM ("
        f"SELECT per_audit.*, row_number() OVER (PARTITION BY {subject} "
        "ORDER BY started_at DESC, id DESC) AS newest "
        f"FROM ({scored}) per_audit) ranked WHERE newest = 1 GROUP BY checklist_id, service_id",
        # The most often failed items, with how often each was rated.
        "SELECT ci.key, SUM(CASE WHEN a.rating <> 'na' THEN 1 ELSE 0 END) AS rated, "
        "SUM(CASE WHEN a.rating IN ('partly', 'not_met') THEN 1 ELSE 0 END) AS failed "
        f"{AUDIT_ANSWERS} WHERE {AUDITS_IN_SCOPE} GROUP BY ci.key ORDER BY failed DESC LIMIT 10",
        naive_on_time(f, grouping),
    ]


def naive_compliments(f: dict, grouping: str) -> list[str]:
    """The compliments dashboard's three tables, each counted from the entries themselves."""
    period = f[f"day_{grouping}"].format("received_on")
    base = (
        "FROM compliments WHERE service_id IN :services "
        "AND received_on >= :start AND received_on < :end"
    )
    counted = "count(*), SUM(CASE WHEN kind = 'concern' AND response <> '' THEN 1 ELSE 0 END)"
    return [
        f"SELECT section_id, kind, {counted} {base} GROUP BY section_id, kind",
        f"SELECT {period} AS p, kind, {counted} {base} GROUP BY {period}, kind",
        f"SELECT {period} AS p, section_id, kind, count(*) {base} "
        f"GROUP BY {period}, section_id, kind",
    ]


def naive_on_time(f: dict, grouping: str) -> str:
    """Scheduled audits done on time per template, service and period, as one would write it
    in SQL: each subject's audit days (UTC), LAG for the day before, the schedule's current
    frequency. The audit after day p was due on p + f, on time when done by then; each further
    interval that passed before it was done is one missed audit (floor((d - p - 1) / f) audits
    fell due in all), every one counted in the period of p + f. Simplified against the
    endpoint: the current frequency (no history), UTC days, no first due date (neither the
    schedule's start nor the day a subject was added), nothing for subjects never audited nor
    after a subject's last audit (the overdue ones are not counted), and no check that the
    subject is still active. The audits read start one longest frequency before the period
    (:since), as the endpoint's do."""
    day = f["day"].format("au.started_at")
    due = "prev + w.frequency_days"
    intervals = f["intervals"].format("prev", "d", "w.frequency_days")
    period = f[f"day_{grouping}"].format(f"({due})" if "julianday" not in day else due)
    return (
        "WITH days AS (SELECT DISTINCT au.service_id, cv.checklist_id, au.subject_type, "
        f"coalesce(au.person_id, au.staff_id, au.area_id, 0) AS subject, {day} AS d "
        "FROM audits au JOIN checklist_versions cv ON cv.id = au.checklist_version_id "
        "WHERE au.status = 'submitted' AND au.co_audit_with IS NULL "
        "AND au.service_id IN :services AND au.started_at >= :since AND au.started_at < :end), "
        "walked AS (SELECT days.service_id, days.checklist_id, s.frequency_days, d, "
        "LAG(d) OVER (PARTITION BY days.service_id, days.checklist_id, subject_type, subject "
        "ORDER BY d) AS prev FROM days JOIN audit_schedules s ON s.service_id = days.service_id "
        "AND s.checklist_id = days.checklist_id AND s.stopped_at IS NULL) "
        f"SELECT w.checklist_id, w.service_id, {period} AS p, "
        f"SUM({f['greatest']}({intervals}, 1)) AS fell_due, "
        f"SUM(CASE WHEN d <= {due} THEN 1 ELSE 0 END) AS on_time "
        "FROM walked w WHERE prev IS NOT NULL "
        f"AND {due} >= {f['day_of'].format(':start')} AND {due} < {f['day_of'].format(':end')} "
        "GROUP BY w.checklist_id, w.service_id, p"
    )


# -- the run ---------------------------------------------------------------------------------

# Growth goal: 10 times the rows may cost at most this much more time (issue 20).
GROWTH_GOAL = 2.0


def scaled_url(url: str, scale: int) -> str:
    """The database of the large demo at ``scale``: the given one at 1; beside it otherwise (a
    SQLite file "<name>-x10.db", a PostgreSQL database "<name>_x10", made when missing)."""
    if scale == 1:
        return url
    given = sa.make_url(url)
    if given.get_backend_name() == "sqlite":
        path = Path(given.database)
        return str(given.set(database=str(path.with_name(f"{path.stem}-x{scale}{path.suffix}"))))
    own = given.set(database=f"{given.database}_x{scale}")
    engine = sa.create_engine(given, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": own.database},
            )
            if not exists:
                connection.execute(sa.text(f'CREATE DATABASE "{own.database}"'))
    finally:
        engine.dispose()
    return own.render_as_string(hide_password=False)


def ensure_large_demo(app, scale: int) -> None:
    """Generate the large demo at ``scale`` (1: the default ~1,000,000 interactions; 10: ten
    times the sessions, visits and audits in the same 40 services and two years) unless the
    database holds it; refuse a database holding another scale."""
    from careobs.db import get_engine, get_session, refresh_statistics
    from careobs.demo_large import LargeDemoExists, Scale, generate
    from careobs.migrate import upgrade

    wanted = Scale().times(scale)
    with app.app_context():
        upgrade(get_engine())
        db = get_session()
        try:
            started = time.perf_counter()
            print(f"Generating the large demo at scale {scale} (minutes)...", flush=True)
            generate(db, wanted, echo=lambda line: print("  " + line, flush=True))
            # As `careobs demo --size large` does: without fresh statistics PostgreSQL plans
            # the naive SQL over the new rows badly (16 s instead of 1.2 s for the visits),
            # and until the tables are vacuumed an index-only scan still reads the table.
            refresh_statistics(db, vacuum=True)
            print(f"Generated in {time.perf_counter() - started:.0f} s", flush=True)
        except LargeDemoExists:
            pass
        sessions = db.scalar(sa.text("SELECT count(*) FROM quis_sessions"))
        if not 0.9 * wanted.sessions <= sessions <= 1.1 * wanted.sessions + 100:
            raise SystemExit(
                f"{get_engine().url!r} holds {sessions:,} QUIS sessions, not the "
                f"{wanted.sessions:,} of scale {scale}: give it a database of its own"
            )


def services_of(app, email: str, kind: str) -> list[int]:
    from careobs.accounts.models import User
    from careobs.db import get_session
    from careobs.org.models import Service
    from careobs.permissions import MANAGE, services_select

    with app.app_context():
        db = get_session()
        user = db.scalar(sa.select(User).where(User.email == email))
        return list(db.scalars(services_select(user, MANAGE).where(Service.kind == kind)).all())


@dataclass
class Result:
    endpoint: list[float]
    naive: list[float] | None

    @property
    def speedup(self) -> float | None:
        if not self.naive:
            return None
        return statistics.median(self.naive) / statistics.median(self.endpoint)


def run(url: str, scale: int, repeat: int, only: str) -> dict[str, tuple[Scenario, Result]]:
    """Every scenario on one database at one scale, printed as a table as it goes."""
    from careobs import create_app
    from careobs.db import get_session

    app = create_app({"DATABASE_URL": url, "WTF_CSRF_ENABLED": False})
    ensure_large_demo(app, scale)
    from careobs.demo import DEMO_PASSWORD
    from careobs.org import settings as org_settings

    with app.app_context():
        db = get_session()
        engine = db.get_bind()
        f = sql_functions(engine.dialect.name)
        org_id = db.scalar(
            sa.text("SELECT id FROM organisations WHERE name = 'Large Demo Provider'")
        )
        zone = org_settings.time_zone(db, org_id)
        longest = (
            db.scalar(sa.text("SELECT max(frequency_days) FROM audit_schedule_frequencies")) or 0
        )
        today = date.today()
        worker = db.scalar(
            sa.text(
                "SELECT s.uuid FROM staff_members s JOIN monitoring_visits v ON v.staff_id = s.id "
                "WHERE s.organisation_id = :org GROUP BY s.uuid ORDER BY count(*) DESC LIMIT 1"
            ),
            {"org": org_id},
        )
    year_ago = (today.replace(day=1) - timedelta(days=335)).replace(day=1)
    scope_dates = {"start": year_ago, "end": today + timedelta(days=1)}

    def ids(email: str, kind: str) -> list[int]:
        return [s.id for s in services_of(app, email, kind)]

    scenarios: list[tuple[Scenario, dict]] = []
    for who, label in ((ADMIN, "all services"), (MANAGER, "one manager's services")):
        homes, branches = ids(who, "care_home"), ids(who, "homecare")
        for grouping in ("month", "week"):
            query = urlencode({"grouping": grouping})
            scenarios.append(
                (
                    Scenario(
                        f"quis, {label}, 12 months by {grouping}",
                        who,
                        f"/api/v1/dashboards/quis?{query}",
                        naive_quis(f, grouping),
                    ),
                    {"services": homes, **scope_dates},
                )
            )
            scenarios.append(
                (
                    Scenario(
                        f"visits, {label}, 12 months by {grouping}",
                        who,
                        f"/api/v1/dashboards/visits?{query}",
                        naive_visits(f, grouping),
                    ),
                    {"services": branches, **scope_dates},
                )
            )
        # Audits and compliments are recorded in care homes and homecare alike.
        every = homes + branches
        for name, naive in (("audits", naive_audits), ("compliments", naive_compliments)):
            for grouping in ("month", "week"):
                query = urlencode({"grouping": grouping})
                scenarios.append(
                    (
                        Scenario(
                            f"{name}, {label}, 12 months by {grouping}",
                            who,
                            f"/api/v1/dashboards/{name}?{query}",
                            naive(f, grouping),
                        ),
                        {"services": every, **scope_dates},
                    )
                )
        scenarios.append(
            (
                Scenario(
                    f"coverage, {label}",
                    who,
                    "/api/v1/dashboards/coverage",
                    naive_coverage(f),
                ),
                {"services": branches, **scope_dates},
            )
        )
    scenarios.append(
        (
            Scenario(
                "worker page (one person)",
                ADMIN,
                f"/api/v1/dashboards/workers/{uuid.UUID(str(worker))}",
                [],
            ),
            {},
        )
    )

    scenarios = [(s, p) for s, p in scenarios if only in s.name]
    clients = {}
    for who in (ADMIN, MANAGER):
        client = app.test_client()
        response = client.post("/login", data={"email": who, "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"login as {who} failed"
        clients[who] = client

    print()
    print(
        f"Database: {engine.dialect.name}, scale {scale}; repeats: {repeat} (after 2 warm-up calls)"
    )
    print(f"Organisation time zone: {zone.key}; today: {today}")
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            cost = connection.scalar(sa.text("SHOW random_page_cost"))
        print(f"random_page_cost: {cost} (README: 1.1 on SSD or when the database fits in memory)")
    counts = {}
    with engine.connect() as connection:
        for table in (
            "quis_sessions",
            "quis_interactions",
            "monitoring_visits",
            "visit_answers",
            "audits",
            "audit_answers",
            "audit_schedules",
        ):
            counts[table] = connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
    print("Rows: " + ", ".join(f"{table} {n:,}" for table, n in counts.items()))
    print()
    header = f"{'scenario':50} {'endpoint med/p95 ms':>20} {'naive med/p95 ms':>18} {'speed-up':>9}"
    print(header)
    print("-" * len(header))

    results = {}
    for scenario, params in scenarios:
        client = clients[scenario.who]

        def call_endpoint(client=client, path=scenario.path):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        endpoint = timed(call_endpoint, repeat)
        naive = None
        if scenario.naive:
            statements = [
                sa.text(sql).bindparams(sa.bindparam("services", expanding=True))
                for sql in scenario.naive
            ]
            bound = {
                "services": params["services"],
                "start": bound_instant(params["start"], zone, engine.dialect.name),
                "end": bound_instant(params["end"], zone, engine.dialect.name),
                "since": bound_instant(
                    params["start"] - timedelta(days=longest), zone, engine.dialect.name
                ),
            }
            runs = [
                (statement, {k: v for k, v in bound.items() if f":{k}" in sql})
                for statement, sql in zip(statements, scenario.naive, strict=True)
            ]

            def call_naive(runs=runs):
                with engine.connect() as connection:
                    for statement, values in runs:
                        connection.execute(statement, values).all()

            naive = timed(call_naive, max(5, repeat // 5))
        result = Result(endpoint, naive)
        results[scenario.name] = (scenario, result)
        naive_text = "—" if naive is None else f"{statistics.median(naive):.0f} / {p95(naive):.0f}"
        ratio_text = "n/a" if result.speedup is None else f"{result.speedup:.1f}x"
        print(
            f"{scenario.name:50} "
            f"{statistics.median(endpoint):>9.0f} / {p95(endpoint):<8.0f} "
            f"{naive_text:>18} {ratio_text:>9}",
            flush=True,
        )
    with app.app_context():
        get_session().get_bind().dispose()
    return results


def summary(results: dict[str, tuple[Scenario, Result]]) -> tuple[float, float]:
    """(slowest p95, smallest all-services speed-up), the manager's figures printed too."""
    slowest = max((p95(r.endpoint) for _, r in results.values()), default=0.0)
    admin = [r.speedup for s, r in results.values() if s.who == ADMIN and r.speedup]
    manager = [r.speedup for s, r in results.values() if s.who == MANAGER and r.speedup]
    manager_p95 = max(
        (p95(r.endpoint) for s, r in results.values() if s.who == MANAGER), default=0.0
    )
    print()
    print(
        f"one manager's services: slowest p95 {manager_p95:.0f} ms, min_speedup "
        f"{min(manager, default=0):.1f} (small data: the request's fixed cost dominates)"
    )
    print(f"slowest_p95_ms {slowest:.0f} min_speedup {min(admin, default=0):.1f}")
    return slowest, min(admin, default=0.0)


def growth(first: dict, last: dict, scale: int) -> None:
    """Each endpoint's p95 at scale 1 and at ``scale``, and how many times it grew."""
    print()
    print(f"Growth from scale 1 to scale {scale} (goal: under {GROWTH_GOAL:.0f}x)")
    header = f"{'scenario':50} {'p95 ms x1':>10} {f'p95 ms x{scale}':>11} {'grew':>7}"
    print(header)
    print("-" * len(header))
    worst = 0.0
    for name, (_, small) in first.items():
        if name not in last:
            continue
        big = last[name][1]
        grew = p95(big.endpoint) / p95(small.endpoint)
        worst = max(worst, grew)
        mark = "" if grew < GROWTH_GOAL else " *"
        print(
            f"{name:50} {p95(small.endpoint):>10.0f} {p95(big.endpoint):>11.0f} {grew:>6.1f}x{mark}"
        )
    print(f"max_growth {worst:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url",
        action="append",
        help="a database to run on (repeat the option for several, e.g. SQLite and "
        f"PostgreSQL in one run); default sqlite:///{ROOT / 'instance' / 'bench-large.db'}",
    )
    parser.add_argument(
        "--scale",
        default="1",
        help="comma-separated multiples of the large demo's ~1,000,000 interactions, e.g. 1,10 "
        "(each scale has its own database beside the one given: <name>-x10.db, <name>_x10)",
    )
    parser.add_argument("--repeat", type=int, default=25)
    parser.add_argument(
        "--only", default="", help="run only the scenarios whose name contains this, e.g. audits"
    )
    args = parser.parse_args()
    urls = args.database_url or [f"sqlite:///{ROOT / 'instance' / 'bench-large.db'}"]
    scales = sorted({int(s) for s in args.scale.split(",")})
    for url in urls:
        by_scale = {}
        for scale in scales:
            by_scale[scale] = run(scaled_url(url, scale), scale, args.repeat, args.only)
            summary(by_scale[scale])
        if len(scales) > 1:
            growth(by_scale[scales[0]], by_scale[scales[-1]], scales[-1] // scales[0])


def bound_instant(day: date, zone, dialect: str):
    """Local midnight as the raw driver wants it: SQLite stores UTC text, PostgreSQL timestamptz."""
    from careobs.periods import local_midnight

    instant = local_midnight(day, zone)
    return f"{instant:%Y-%m-%d %H:%M:%S.%f}" if dialect == "sqlite" else instant


if __name__ == "__main__":
    main()
