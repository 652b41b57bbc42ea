"""Co-audits on the audits dashboard: do the people who use the service (and quality checkers)
agree with our audits? Agreement per period, pooled over the co-audits compared, with a 95%
interval that allows for the items of one co-audit being alike; and co-audits per service.

Co-audits never count among the staff audits' figures (careobs.dashboards.audits leaves them
out); these tables are theirs. The pooled agreement is Σ agreeing items / Σ compared items over
the co-audits whose staff audit has arrived — a ratio over co-audits (the clusters), so its
interval is careobs.statistics.cluster_interval, as for QUIS shares pooled over sessions.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.coaudits.queries import CoAuditRow, co_audit_rows
from careobs.dashboards.filters import Scope
from careobs.dashboards.tables import Chart, Column, Table
from careobs.org.models import Service
from careobs.quis.scoring import percent
from careobs.statistics import ClusterSums, cluster_interval
from careobs.wording import plural

TITLE = "Co-audits: do people agree with our audits?"
HEADLINE_LABEL = "Co-audits"
RULE = (
    "An item agrees when the co-audit and the staff audit it is compared with gave the same "
    "answer; items either answered N/A or Not sure are not compared. Agreement = agreeing "
    "items ÷ compared items, over the co-audits whose staff audit has arrived."
)
INTERVAL_MEANS = (
    "The 95% range allows for the answers of one co-audit being alike (each co-audit is a "
    "cluster), so it is wider than a simple interval; with few co-audits it is wide."
)


def sums(rows: list[CoAuditRow]) -> ClusterSums:
    """The co-audits compared, as clusters of (agreeing, compared) items."""
    return ClusterSums.of((r.agreed, r.compared) for r in rows if r.was_compared)


def agreement_words(s: ClusterSums) -> str:
    """ "81.0% of 42 items compared (95% range 70.2%–88.6%), over 5 co-audits"."""
    if s.n == 0:
        return "No item compared"
    interval = cluster_interval(s)
    return (
        f"{percent(s.share)} of {plural(s.n, 'item', 'items')} compared (95% range "
        f"{percent(interval.low)}–{percent(interval.high)}), over "
        f"{plural(s.k, 'co-audit', 'co-audits')}"
    )


def tables(db: Session, scope: Scope) -> tuple[dict, list[Table]]:
    """The overall figures and the two co-audit tables of the audits dashboard."""
    rows = co_audit_rows(db, scope.service_ids, scope.start, scope.end, scope.template_id)
    spans = scope.periods()
    by_period: list[list[CoAuditRow]] = [[] for _ in spans]
    for row in rows:
        for index, span in enumerate(spans):
            if span.start <= row.started_at < span.end:
                by_period[index].append(row)
                break
    unit = scope.grouping.capitalize()
    trend_rows = []
    for span, in_period in zip(spans, by_period, strict=True):
        s = sums(in_period)
        interval = cluster_interval(s)
        compared = [r for r in in_period if r.was_compared]
        trend_rows.append(
            [
                span.label,
                len(compared),
                s.n,
                s.y,
                s.share,
                interval.low if interval else None,
                interval.high if interval else None,
                agreement_words(s) if compared else "no co-audit compared",
                sum(1 for r in in_period if r.nothing_to_compare),
            ]
        )
    total = sums(rows)
    compared_n = sum(1 for r in rows if r.was_compared)
    nothing_n = sum(1 for r in rows if r.nothing_to_compare)
    trend = Table(
        "coaudit_agreement",
        TITLE,
        [
            Column("period", unit),
            Column("co_audits", "Co-audits compared (n)", "int"),
            Column("items", "Items compared", "int"),
            Column("agreeing", "Items agreeing", "int"),
            Column("agreement", "Agreement", "pct"),
            Column("low", "95% range from", "pct"),
            Column("high", "95% range to", "pct"),
            Column("summary", "In words"),
            Column("nothing", "Staff audit arrived, no item to compare (n)", "int"),
        ],
        trend_rows,
        caption=(
            f"{RULE} {INTERVAL_MEANS} The rows add up to the {compared_n} co-audits compared "
            f"in the period and the {nothing_n} whose staff audit arrived with no item both "
            "answered; a co-audit whose staff audit has not arrived is counted below, "
            "not here."
        ),
        empty="No co-audits for these filters.",
        chart=Chart(
            "Agreement with our audits", "line", "period", ("agreement",), (("low", "high"),)
        ),
    )
    names = dict(
        db.execute(
            sa.select(Service.id, Service.name).where(Service.id.in_(scope.service_ids))
        ).all()
    )
    per_service: dict[int, list[CoAuditRow]] = defaultdict(list)
    for row in rows:
        per_service[row.service_id].append(row)
    service_rows = []
    for service_id, done in sorted(per_service.items(), key=lambda kv: names.get(kv[0], "")):
        s = sums(done)
        differences = sum(r.differences for r in done if r.was_compared)
        followed = sum(r.followed_up for r in done)
        service_rows.append(
            [
                names.get(service_id, ""),
                len(done),
                sum(1 for r in done if r.was_compared),
                s.share,
                differences,
                followed,
                sum(1 for r in done if r.nothing_to_compare),
            ]
        )
    by_service = Table(
        "coaudits_by_service",
        "Co-audits per service, and the differences followed up",
        [
            Column("service", "Service"),
            Column("done", "Co-audits done (n)", "int"),
            Column("compared", "Compared with a staff audit", "int"),
            Column("agreement", "Agreement", "pct"),
            Column("differences", "Differences", "int"),
            Column("followed_up", "Followed up with an action", "int"),
            Column("nothing", "Staff audit arrived, no item to compare", "int"),
        ],
        service_rows,
        caption=(
            "Co-audits done with people who use the service or by quality checkers, submitted in "
            "the period. A difference is a compared item on which the two audits disagree; "
            "followed up: one tap on the comparison raised an action for it."
        ),
        empty="No co-audits for these filters.",
    )
    overall = {
        "co_audits": len(rows),
        "compared": compared_n,
        "nothing_to_compare": nothing_n,
        "sums": total,
        "differences": sum(r.differences for r in rows if r.was_compared),
        "followed_up": sum(r.followed_up for r in rows),
    }
    return overall, [trend, by_service]


def headline(overall: dict) -> tuple[str, str]:
    """The dashboard's headline figure for co-audits."""
    if not overall["co_audits"]:
        return (HEADLINE_LABEL, "0")
    return (
        HEADLINE_LABEL,
        f"{overall['co_audits']} done; agreement {agreement_words(overall['sums'])}",
    )
