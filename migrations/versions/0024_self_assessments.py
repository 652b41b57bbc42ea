"""Self-assessments and mock inspections against CQC's quality statements

Revision ID: 0024_self_assessments
Revises: 0023_quis_pairs
Create Date: 2026-12-07 04:40:00

New tables ``self_assessments`` (one per document of kind ``self_assessment``) and
``self_assessment_statements`` (a statement's score 1-4, rationale and evidence). ``actions``
gains ``self_assessment_statement_id`` (one live action per gap: a unique index of the actions
not cancelled) and the source
``self_assessment`` (the column widened from 8 to 16 characters to hold it).

Downgrade keeps the actions raised for gaps, as actions added by hand.
"""

import sqlalchemy as sa
from alembic import op

import careobs.db

revision = "0024_self_assessments"
down_revision = "0023_quis_pairs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "self_assessments",
        sa.Column("assessor_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("assessed_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("interview_notes", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("went_well", sa.Text(), nullable=False),
        sa.Column("to_develop", sa.Text(), nullable=False),
        sa.Column("privacy_flags", sa.JSON(), nullable=False),
        sa.Column("created_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", careobs.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted')", name=op.f("ck_self_assessments_status_allowed")
        ),
        sa.CheckConstraint(
            "type IN ('self_assessment', 'mock_inspection')",
            name=op.f("ck_self_assessments_type_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["assessor_id"], ["users.id"], name=op.f("fk_self_assessments_assessor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_self_assessments_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_self_assessments_service_id_services")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_assessments")),
        sa.UniqueConstraint("uuid", name=op.f("uq_self_assessments_uuid")),
    )
    with op.batch_alter_table("self_assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_self_assessments_assessor_id"), ["assessor_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_self_assessments_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            "ix_self_assessments_service_assessed", ["service_id", "assessed_at"], unique=False
        )

    op.create_table(
        "self_assessment_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("self_assessment_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=4), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "score IS NULL OR score BETWEEN 1 AND 4",
            name=op.f("ck_self_assessment_statements_score_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["self_assessment_id"],
            ["self_assessments.id"],
            name=op.f("fk_self_assessment_statements_self_assessment_id_self_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_assessment_statements")),
        sa.UniqueConstraint(
            "self_assessment_id",
            "code",
            name=op.f("uq_self_assessment_statements_self_assessment_id_code"),
        ),
    )
    with op.batch_alter_table("self_assessment_statements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_self_assessment_statements_self_assessment_id"),
            ["self_assessment_id"],
            unique=False,
        )

    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("self_assessment_statement_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_actions_self_assessment_statement_id"),
            ["self_assessment_statement_id"],
            unique=False,
        )
        # One live action per gap: a cancelled one stays linked, and another may be raised.
        batch_op.create_index(
            "uq_actions_live_gap",
            ["self_assessment_statement_id"],
            unique=True,
            sqlite_where=sa.text("status != 'cancelled'"),
            postgresql_where=sa.text("status != 'cancelled'"),
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_actions_self_assessment_statement_id_self_assessment_statements"),
            "self_assessment_statements",
            ["self_assessment_statement_id"],
            ["id"],
        )
        # "self_assessment" is longer than the 8 characters the column held.
        batch_op.alter_column(
            "source", existing_type=sa.String(8), type_=sa.String(16), existing_nullable=False
        )
        batch_op.drop_constraint(batch_op.f("ck_actions_source_allowed"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_actions_source_allowed"),
            "source IN ('manual', 'quis', 'visit', 'audit', 'voice', 'self_assessment')",
        )


def downgrade() -> None:
    op.execute("UPDATE actions SET source = 'manual' WHERE source = 'self_assessment'")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_actions_source_allowed"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_actions_source_allowed"),
            "source IN ('manual', 'quis', 'visit', 'audit', 'voice')",
        )
        batch_op.alter_column(
            "source", existing_type=sa.String(16), type_=sa.String(8), existing_nullable=False
        )
        batch_op.drop_constraint(
            batch_op.f("fk_actions_self_assessment_statement_id_self_assessment_statements"),
            type_="foreignkey",
        )
        batch_op.drop_index("uq_actions_live_gap")
        batch_op.drop_index(batch_op.f("ix_actions_self_assessment_statement_id"))
        batch_op.drop_column("self_assessment_statement_id")

    with op.batch_alter_table("self_assessment_statements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_self_assessment_statements_self_assessment_id"))

    op.drop_table("self_assessment_statements")
    with op.batch_alter_table("self_assessments", schema=None) as batch_op:
        batch_op.drop_index("ix_self_assessments_service_assessed")
        batch_op.drop_index(batch_op.f("ix_self_assessments_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_self_assessments_assessor_id"))

    op.drop_table("self_assessments")
