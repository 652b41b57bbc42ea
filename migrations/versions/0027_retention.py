"""Retention periods: how many months an organisation keeps each type of record

Revision ID: 0027_retention
Revises: 0026_audit_chain
Create Date: 2026-12-07 10:00:00

New table ``retention_periods``: one row per organisation and record type an admin changed
(careobs.retention.periods names the types and their defaults). ``careobs purge`` removes what is
past its period; the sync refuses a late copy of such a record.
"""

import sqlalchemy as sa
from alembic import op

import careobs.db

revision = "0027_retention"
down_revision = "0026_audit_chain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retention_periods",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=24), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("updated_at", careobs.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "months BETWEEN 1 AND 300", name=op.f("ck_retention_periods_months_allowed")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_retention_periods_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint(
            "organisation_id", "record_type", name=op.f("pk_retention_periods")
        ),
    )


def downgrade() -> None:
    op.drop_table("retention_periods")
