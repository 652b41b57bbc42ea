"""Indexes that hold what the QUIS and audits dashboards read of each session and audit

Revision ID: 0030_covering_indexes
Revises: 0029_dashboard_indexes
Create Date: 2026-12-07 16:30:00

- ``ix_quis_sessions_counted_started``: the QUIS dashboard's two grouped passes read the
  submitted, counted sessions of the period through ``(service_id, started_at)`` and then each
  session's row for its counts. This partial index holds only those sessions and, on
  PostgreSQL, carries every column the dashboard sums, so the passes read the index alone: on
  the large demo on PostgreSQL about 21 ms to 15 ms each.
- ``ix_audits_staff_started``: the audits dashboard and the due list read the period's staff
  audits (submitted, not co-audits) through ``(service_id, started_at)`` and then each audit's
  row. This partial index holds only those and, on PostgreSQL, what they read of each: on the
  large demo the five reads of a year of audits went from about 95 to 60 ms in all.

SQLite has no INCLUDE; there the indexes are the partial key alone. Built with a plain CREATE
INDEX (Alembic runs in a transaction): writes of sessions and audits wait while they are built,
a second or two on a large provider's database.
"""

import sqlalchemy as sa
from alembic import op

revision = "0030_covering_indexes"
down_revision = "0029_dashboard_indexes"
branch_labels = None
depends_on = None

# As in the models at this revision (careobs.quis.models, careobs.audits.models).
COUNTED = "status = 'submitted' AND (pair_role IS NULL OR pair_role = 'lead')"
QUIS_COLUMNS = [
    "context",
    "area_id",
    "n_ps",
    "n_pc",
    "n_n",
    "n_np",
    "n_nr",
    "people_count",
    "people_with_negative",
    "person_minutes",
    "observed_minutes",
]
STAFF_AUDITS = "status = 'submitted' AND co_audit_with IS NULL"
AUDIT_COLUMNS = [
    "id",
    "checklist_version_id",
    "subject_type",
    "person_id",
    "staff_id",
    "area_id",
    "score",
    "band",
]


def upgrade() -> None:
    op.create_index(
        "ix_quis_sessions_counted_started",
        "quis_sessions",
        ["service_id", "started_at"],
        unique=False,
        postgresql_include=QUIS_COLUMNS,
        postgresql_where=sa.text(COUNTED),
        sqlite_where=sa.text(COUNTED),
    )
    op.create_index(
        "ix_audits_staff_started",
        "audits",
        ["service_id", "started_at"],
        unique=False,
        postgresql_include=AUDIT_COLUMNS,
        postgresql_where=sa.text(STAFF_AUDITS),
        sqlite_where=sa.text(STAFF_AUDITS),
    )


def downgrade() -> None:
    op.drop_index("ix_audits_staff_started", table_name="audits")
    op.drop_index("ix_quis_sessions_counted_started", table_name="quis_sessions")
