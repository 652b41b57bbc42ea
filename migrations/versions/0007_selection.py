"""Seeded random draws of whom to check next, and the draw weights in the settings

Revision ID: 0007_selection
Revises: 0006_actions
Create Date: 2026-11-27 15:49:25.726417
"""

import sqlalchemy as sa
from alembic import op

import careobs.db

revision = "0007_selection"
down_revision = "0006_actions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "selection_draws",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('workers', 'people')", name=op.f("ck_selection_draws_kind_allowed")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_selection_draws_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_selection_draws_requested_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_selection_draws_service_id_services")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selection_draws")),
        sa.UniqueConstraint("uuid", name=op.f("uq_selection_draws_uuid")),
    )
    with op.batch_alter_table("selection_draws", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_selection_draws_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            "ix_selection_draws_service_kind_created",
            ["service_id", "kind", "created_at"],
            unique=False,
        )

    with op.batch_alter_table("organisation_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("weight_base", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.add_column(
            sa.Column("weight_overdue", sa.Integer(), server_default="4", nullable=False)
        )
        batch_op.add_column(
            sa.Column("weight_new_starter", sa.Integer(), server_default="3", nullable=False)
        )
        batch_op.add_column(
            sa.Column("weight_red", sa.Integer(), server_default="3", nullable=False)
        )
        batch_op.add_column(
            sa.Column("weight_open_actions", sa.Integer(), server_default="2", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("organisation_settings", schema=None) as batch_op:
        batch_op.drop_column("weight_open_actions")
        batch_op.drop_column("weight_red")
        batch_op.drop_column("weight_new_starter")
        batch_op.drop_column("weight_overdue")
        batch_op.drop_column("weight_base")

    with op.batch_alter_table("selection_draws", schema=None) as batch_op:
        batch_op.drop_index("ix_selection_draws_service_kind_created")
        batch_op.drop_index(batch_op.f("ix_selection_draws_organisation_id"))

    op.drop_table("selection_draws")
