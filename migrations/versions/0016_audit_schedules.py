"""Audit schedules and audit champions

Revision ID: 0016_audit_schedules
Revises: 0015_audits
Create Date: 2026-12-06 14:12:50

``audit_schedules``: which audit template runs how often in which service, from when (one row
per template and service; stopping sets ``stopped_at``). ``audit_champions``: a care worker
(a user) named to complete one template's audits in one service. Both are new tables, so
downgrade simply drops them (the schedules and assignments are lost; audits are kept).
"""

import sqlalchemy as sa
from alembic import op

import careobs.db

revision = "0016_audit_schedules"
down_revision = "0015_audits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_champions",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("checklist_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["checklist_id"],
            ["checklists.id"],
            name=op.f("fk_audit_champions_checklist_id_checklists"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_audit_champions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_audit_champions_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_audit_champions_service_id_services")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_audit_champions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_champions")),
        sa.UniqueConstraint(
            "service_id",
            "checklist_id",
            "user_id",
            name=op.f("uq_audit_champions_service_id_checklist_id_user_id"),
        ),
        sa.UniqueConstraint("uuid", name=op.f("uq_audit_champions_uuid")),
    )
    with op.batch_alter_table("audit_champions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_champions_checklist_id"), ["checklist_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_champions_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_champions_service_id"), ["service_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_champions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "audit_schedules",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("checklist_id", sa.Integer(), nullable=False),
        sa.Column("frequency_days", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("created_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("stopped_at", careobs.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "frequency_days BETWEEN 1 AND 366", name=op.f("ck_audit_schedules_frequency_range")
        ),
        sa.ForeignKeyConstraint(
            ["checklist_id"],
            ["checklists.id"],
            name=op.f("fk_audit_schedules_checklist_id_checklists"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_audit_schedules_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_audit_schedules_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_audit_schedules_service_id_services")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_schedules")),
        sa.UniqueConstraint(
            "service_id", "checklist_id", name=op.f("uq_audit_schedules_service_id_checklist_id")
        ),
        sa.UniqueConstraint("uuid", name=op.f("uq_audit_schedules_uuid")),
    )
    with op.batch_alter_table("audit_schedules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_schedules_checklist_id"), ["checklist_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_schedules_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_schedules_service_id"), ["service_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_schedules_service_id"))
        batch_op.drop_index(batch_op.f("ix_audit_schedules_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_audit_schedules_checklist_id"))

    op.drop_table("audit_schedules")
    with op.batch_alter_table("audit_champions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_champions_user_id"))
        batch_op.drop_index(batch_op.f("ix_audit_champions_service_id"))
        batch_op.drop_index(batch_op.f("ix_audit_champions_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_audit_champions_checklist_id"))

    op.drop_table("audit_champions")
