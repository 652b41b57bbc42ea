"""Indexes for two dashboard lookups: each worker's latest check, and the co-audits of a period

Revision ID: 0029_dashboard_indexes
Revises: 0028_purge_indexes
Create Date: 2026-12-07 13:00:00

- ``ix_monitoring_visits_staff_scored``: coverage looks up each active care worker's latest
  scored visit and latest scored unannounced visit (two correlated LIMIT 1 subqueries per
  worker). Through ``(staff_id, planned_at)`` each step read the visit's row to check its
  status, score and type. This partial index holds only the scored submitted visits and, on
  PostgreSQL, carries ``id`` and ``visit_type``, so both lookups are answered from the index. On
  the large demo on PostgreSQL (860 workers, 60,000 visits) the query went from about 44 ms to
  about 20 ms.
- ``ix_audits_co_audits_started``: the audits dashboard lists the period's co-audits through
  ``(service_id, started_at)``, reading every staff audit of the period to find the few
  co-audits among them (12 ms for a year of the large demo's 24,000 audits, with no co-audit at
  all). This partial index holds the co-audits only: 0.1 ms.

Built with a plain CREATE INDEX (Alembic runs in a transaction): writes of visits and audits wait
while they are built, a second or two on a large provider's database.
"""

import sqlalchemy as sa
from alembic import op

revision = "0029_dashboard_indexes"
down_revision = "0028_purge_indexes"
branch_labels = None
depends_on = None

SCORED = sa.text("status = 'submitted' AND score IS NOT NULL")
CO_AUDITS = sa.text("co_audit_with IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_monitoring_visits_staff_scored",
        "monitoring_visits",
        ["staff_id", "planned_at"],
        unique=False,
        postgresql_include=["id", "visit_type"],
        postgresql_where=SCORED,
        sqlite_where=SCORED,
    )
    op.create_index(
        "ix_audits_co_audits_started",
        "audits",
        ["service_id", "started_at"],
        unique=False,
        postgresql_where=CO_AUDITS,
        sqlite_where=CO_AUDITS,
    )


def downgrade() -> None:
    op.drop_index("ix_audits_co_audits_started", table_name="audits")
    op.drop_index("ix_monitoring_visits_staff_scored", table_name="monitoring_visits")
