"""Visit ratings counted per domain and missed items, for the dashboards

Revision ID: 0005_visit_report_rows
Revises: 0004_feedback_notifications
Create Date: 2026-11-27 14:42:18.089868
"""

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


def downgrade() -> None:
    with op.batch_alter_table("visit_missed_items", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_missed_items_service_planned")

    op.drop_table("visit_missed_items")
    with op.batch_alter_table("visit_domain_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_domain_scores_service_planned")

    op.drop_table("visit_domain_scores")
