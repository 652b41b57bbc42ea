"""Per-period sums of the visits' per-domain counts, for the dashboards' domain × period grid.

A year of visits across every service is hundreds of thousands of per-domain rows; summed per
service, local week or month, visit type and domain it is a few thousand. Each submitted visit
adds its counts (:func:`add`); :func:`rebuild` recomputes an organisation's sums from the
per-visit rows (after a bulk load, or if the organisation's time zone ever changes).
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from careobs.org.models import Service
from careobs.periods import bucket_index, period_boundaries, period_start, periods
from careobs.visits.models import VisitDomainPeriod, VisitDomainScore

GRAINS = ("week", "month")
COUNTS = ("n_met", "n_partly", "n_not_met", "n_na")
KEY = ("service_id", "grain", "period_start", "visit_type", "domain_key")


def add(db: Session, zone: ZoneInfo, domain_rows: list[dict]) -> None:
    """Add one submitted visit's per-domain rows (as written to VisitDomainScore) to the sums."""
    rows = []
    for row in domain_rows:
        day = row["planned_at"].astimezone(zone).date()
        for grain in GRAINS:
            rows.append(
                {
                    "service_id": row["service_id"],
                    "grain": grain,
                    "period_start": period_start(day, grain),
                    "visit_type": row["visit_type"],
                    "domain_key": row["domain_key"],
                    **{name: row[name] for name in COUNTS},
                }
            )
    if rows:
        db.connection().execute(_upsert(db), rows)


def _upsert(db: Session):
    """INSERT … ON CONFLICT DO UPDATE adding the counts (same syntax on both databases)."""
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    table = VisitDomainPeriod.__table__
    stmt = dialect.insert(table)
    return stmt.on_conflict_do_update(
        index_elements=list(KEY),
        set_={name: table.c[name] + stmt.excluded[name] for name in COUNTS},
    )


def rebuild(db: Session, organisation_id: int, zone: ZoneInfo) -> int:
    """Recompute the organisation's sums from the per-visit rows; returns rows written."""
    services = sa.select(Service.id).where(Service.organisation_id == organisation_id)
    db.execute(sa.delete(VisitDomainPeriod).where(VisitDomainPeriod.service_id.in_(services)))
    low, high = db.execute(
        sa.select(
            sa.func.min(VisitDomainScore.planned_at), sa.func.max(VisitDomainScore.planned_at)
        ).where(VisitDomainScore.service_id.in_(services))
    ).one()
    if low is None:
        return 0
    written = 0
    first, last = _local_day(low, zone), _local_day(high, zone)
    for grain in GRAINS:
        spans = periods(first, last, grain, zone)
        bucket = bucket_index(VisitDomainScore.planned_at, period_boundaries(spans)).label("bucket")
        grouped = db.execute(
            sa.select(
                VisitDomainScore.service_id,
                bucket,
                VisitDomainScore.visit_type,
                VisitDomainScore.domain_key,
                *(sa.func.sum(VisitDomainScore.__table__.c[name]).label(name) for name in COUNTS),
            )
            .where(VisitDomainScore.service_id.in_(services))
            .group_by(
                VisitDomainScore.service_id,
                bucket,
                VisitDomainScore.visit_type,
                VisitDomainScore.domain_key,
            )
        ).all()
        rows = [
            {
                "service_id": row.service_id,
                "grain": grain,
                "period_start": period_start(spans[row.bucket].first, grain),
                "visit_type": row.visit_type,
                "domain_key": row.domain_key,
                **{name: int(getattr(row, name)) for name in COUNTS},
            }
            for row in grouped
        ]
        if rows:
            db.connection().execute(VisitDomainPeriod.__table__.insert(), rows)
        written += len(rows)
    return written


def _local_day(instant, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()
