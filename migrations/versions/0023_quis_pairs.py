"""Paired QUIS observations

Revision ID: 0023_quis_pairs
Revises: 0022_co_audits_checkers
Create Date: 2026-12-06 23:57:00

New table ``quis_pairs``: two observers recording the same period, named by the pair id both
sessions' documents carry, with the calibration result once both are submitted.
``quis_sessions`` gains ``pair_id`` and ``pair_role`` (lead or second; one of each per pair).
``organisation_settings`` gains the matching tolerance (30 s), how often each observer should
be paired (6 months) and the kappa below which a pair asks for re-training (0.6).

Downgrade forgets the pairs: both sessions stay as ordinary sessions (the second observer's
then counts in the figures again).
"""

import sqlalchemy as sa
from alembic import op

import careobs.db

revision = "0023_quis_pairs"
down_revision = "0022_co_audits_checkers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quis_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=12), nullable=True),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", careobs.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("tolerance_seconds", sa.Integer(), nullable=True),
        sa.Column("matched", sa.Integer(), nullable=True),
        sa.Column("lead_only", sa.Integer(), nullable=True),
        sa.Column("second_only", sa.Integer(), nullable=True),
        sa.Column("confusion", sa.JSON(), nullable=True),
        sa.Column("kappa_a4", sa.Float(), nullable=True),
        sa.CheckConstraint(
            "matched >= 0 AND lead_only >= 0 AND second_only >= 0",
            name=op.f("ck_quis_pairs_counts"),
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_quis_pairs_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["users.id"], name=op.f("fk_quis_pairs_opened_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_quis_pairs_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_quis_pairs_service_id_services")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quis_pairs")),
        sa.UniqueConstraint("uuid", name=op.f("uq_quis_pairs_uuid")),
    )
    with op.batch_alter_table("quis_pairs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quis_pairs_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            "ix_quis_pairs_service_created", ["service_id", "created_at"], unique=False
        )

    with op.batch_alter_table("organisation_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pair_tolerance_seconds", sa.Integer(), server_default="30", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "calibration_interval_months", sa.Integer(), server_default="6", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("calibration_min_kappa", sa.Float(), server_default="0.6", nullable=False)
        )

    with op.batch_alter_table("quis_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pair_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("pair_role", sa.String(length=6), nullable=True))
        batch_op.create_index(batch_op.f("ix_quis_sessions_pair_id"), ["pair_id"], unique=False)
        batch_op.create_unique_constraint("uq_quis_sessions_pair_role", ["pair_id", "pair_role"])
        batch_op.create_foreign_key(
            batch_op.f("fk_quis_sessions_pair_id_quis_pairs"), "quis_pairs", ["pair_id"], ["id"]
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_quis_sessions_pair_role_allowed"), "pair_role IN ('lead', 'second')"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_quis_sessions_pair_whole"), "(pair_id IS NULL) = (pair_role IS NULL)"
        )


def downgrade() -> None:
    with op.batch_alter_table("quis_sessions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_quis_sessions_pair_whole"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_quis_sessions_pair_role_allowed"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_quis_sessions_pair_id_quis_pairs"), type_="foreignkey"
        )
        batch_op.drop_constraint("uq_quis_sessions_pair_role", type_="unique")
        batch_op.drop_index(batch_op.f("ix_quis_sessions_pair_id"))
        batch_op.drop_column("pair_role")
        batch_op.drop_column("pair_id")

    with op.batch_alter_table("organisation_settings", schema=None) as batch_op:
        batch_op.drop_column("calibration_min_kappa")
        batch_op.drop_column("calibration_interval_months")
        batch_op.drop_column("pair_tolerance_seconds")

    with op.batch_alter_table("quis_pairs", schema=None) as batch_op:
        batch_op.drop_index("ix_quis_pairs_service_created")
        batch_op.drop_index(batch_op.f("ix_quis_pairs_organisation_id"))

    op.drop_table("quis_pairs")
