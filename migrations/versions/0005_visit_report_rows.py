"""Visit ratings counted per domain (per visit and per period) and missed items, for dashboards

Revision ID: 0005_visit_report_rows
Revises: 0004_feedback_notifications
Create Date: 2026-11-27 14:42:18.089868
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

import careobs.db

revision = "0005_visit_report_rows"
down_revision = "0004_feedback_notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "visit_domain_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("domain_key", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("planned_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("visit_type", sa.String(length=12), nullable=False),
        sa.Column("n_met", sa.Integer(), nullable=False),
        sa.Column("n_partly", sa.Integer(), nullable=False),
        sa.Column("n_not_met", sa.Integer(), nullable=False),
        sa.Column("n_na", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_visit_domain_scores_service_id_services")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["monitoring_visits.id"],
            name=op.f("fk_visit_domain_scores_visit_id_monitoring_visits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_domain_scores")),
        sa.UniqueConstraint(
            "visit_id", "domain_key", name=op.f("uq_visit_domain_scores_visit_id_domain_key")
        ),
    )
    with op.batch_alter_table("visit_domain_scores", schema=None) as batch_op:
        batch_op.create_index(
            "ix_visit_domain_scores_service_planned", ["service_id", "planned_at"], unique=False
        )

    op.create_table(
        "visit_missed_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("planned_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("visit_type", sa.String(length=12), nullable=False),
        sa.Column("rating", sa.String(length=8), nullable=False),
        sa.CheckConstraint(
            "rating IN ('partly', 'not_met')", name=op.f("ck_visit_missed_items_rating_allowed")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_visit_missed_items_service_id_services")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["monitoring_visits.id"],
            name=op.f("fk_visit_missed_items_visit_id_monitoring_visits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_missed_items")),
        sa.UniqueConstraint(
            "visit_id", "item_key", name=op.f("uq_visit_missed_items_visit_id_item_key")
        ),
    )
    with op.batch_alter_table("visit_missed_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_visit_missed_items_service_planned", ["service_id", "planned_at"], unique=False
        )

    # Fill both from the submitted visits already stored.
    op.execute(
        """
        INSERT INTO visit_domain_scores (visit_id, domain_key, service_id, planned_at, visit_type,
                                         n_met, n_partly, n_not_met, n_na)
        SELECT a.visit_id, d.key, v.service_id, v.planned_at, v.visit_type,
               SUM(CASE WHEN a.rating = 'met' THEN 1 ELSE 0 END),
               SUM(CASE WHEN a.rating = 'partly' THEN 1 ELSE 0 END),
               SUM(CASE WHEN a.rating = 'not_met' THEN 1 ELSE 0 END),
               SUM(CASE WHEN a.rating = 'na' THEN 1 ELSE 0 END)
        FROM visit_answers a
        JOIN monitoring_visits v ON v.id = a.visit_id
        JOIN checklist_items i ON i.id = a.item_id
        JOIN checklist_domains d ON d.id = i.domain_id
        WHERE v.status = 'submitted'
        GROUP BY a.visit_id, d.key, v.service_id, v.planned_at, v.visit_type
        """
    )
    op.execute(
        """
        INSERT INTO visit_missed_items
            (visit_id, item_key, service_id, planned_at, visit_type, rating)
        SELECT a.visit_id, i.key, v.service_id, v.planned_at, v.visit_type, a.rating
        FROM visit_answers a
        JOIN monitoring_visits v ON v.id = a.visit_id
        JOIN checklist_items i ON i.id = a.item_id
        WHERE v.status = 'submitted' AND a.rating IN ('partly', 'not_met')
        """
    )

    op.create_table(
        "visit_domain_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("grain", sa.String(length=5), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("visit_type", sa.String(length=12), nullable=False),
        sa.Column("domain_key", sa.Uuid(), nullable=False),
        sa.Column("n_met", sa.Integer(), nullable=False),
        sa.Column("n_partly", sa.Integer(), nullable=False),
        sa.Column("n_not_met", sa.Integer(), nullable=False),
        sa.Column("n_na", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "grain IN ('week', 'month')", name=op.f("ck_visit_domain_periods_grain_allowed")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_visit_domain_periods_service_id_services"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_domain_periods")),
        sa.UniqueConstraint(
            "service_id",
            "grain",
            "period_start",
            "visit_type",
            "domain_key",
            name="uq_visit_domain_periods_key",
        ),
    )
    _fill_domain_periods()


def _fill_domain_periods() -> None:
    """Sum the per-visit rows per local week and month, in each organisation's time zone."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT s.service_id, s.planned_at, s.visit_type, s.domain_key, s.n_met, s.n_partly,"
            " s.n_not_met, s.n_na, o.timezone FROM visit_domain_scores s"
            " JOIN services v ON v.id = s.service_id"
            " JOIN organisations o ON o.id = v.organisation_id"
        ).columns(planned_at=careobs.db.UTCDateTime(), domain_key=sa.Uuid())
    )
    sums: dict = {}
    for row in rows:
        day = row.planned_at.astimezone(ZoneInfo(row.timezone)).date()
        starts = {"week": day - timedelta(days=day.weekday()), "month": day.replace(day=1)}
        for grain, start in starts.items():
            key = (row.service_id, grain, start, row.visit_type, row.domain_key)
            total = sums.setdefault(key, [0, 0, 0, 0])
            for index, count in enumerate(row[4:8]):
                total[index] += count
    table = sa.table(
        "visit_domain_periods",
        *(sa.column(name) for name in ("service_id", "grain", "visit_type", "n_met")),
        *(sa.column(name) for name in ("n_partly", "n_not_met", "n_na")),
        sa.column("period_start", sa.Date()),
        sa.column("domain_key", sa.Uuid()),
    )
    names = ("service_id", "grain", "period_start", "visit_type", "domain_key")
    counts = ("n_met", "n_partly", "n_not_met", "n_na")
    values = [
        dict(zip(names, key, strict=True)) | dict(zip(counts, total, strict=True))
        for key, total in sums.items()
    ]
    if values:
        op.bulk_insert(table, values)


def downgrade() -> None:
    op.drop_table("visit_domain_periods")
    with op.batch_alter_table("visit_missed_items", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_missed_items_service_planned")

    op.drop_table("visit_missed_items")
    with op.batch_alter_table("visit_domain_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_domain_scores_service_planned")

    op.drop_table("visit_domain_scores")
