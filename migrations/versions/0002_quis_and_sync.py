"""QUIS sessions, interactions, addenda and the sync quarantine

Revision ID: 0002_quis_and_sync
Revises: 0001_foundation
Create Date: 2026-11-27 11:52:33.058074
"""

import sqlalchemy as sa
from alembic import op

import careobs.db

revision = "0002_quis_and_sync"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "quarantined_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("received_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", careobs.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_quarantined_documents_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_quarantined_documents_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_quarantined_documents_service_id_services"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantined_documents")),
    )
    with op.batch_alter_table("quarantined_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quarantined_documents_document_id"), ["document_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_quarantined_documents_organisation_id"),
            ["organisation_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_quarantined_documents_service_id"), ["service_id"], unique=False
        )

    op.create_table(
        "quis_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("observer_id", sa.Integer(), nullable=False),
        sa.Column("context", sa.String(length=20), nullable=False),
        sa.Column("started_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", careobs.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("planned_minutes", sa.Integer(), nullable=False),
        sa.Column("frame_minutes", sa.Integer(), nullable=False),
        sa.Column("people", sa.JSON(), nullable=False),
        sa.Column("staff_on_duty", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("went_well", sa.Text(), nullable=False),
        sa.Column("to_develop", sa.Text(), nullable=False),
        sa.Column("privacy_flags", sa.JSON(), nullable=False),
        sa.Column("created_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", careobs.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("n_ps", sa.Integer(), nullable=False),
        sa.Column("n_pc", sa.Integer(), nullable=False),
        sa.Column("n_n", sa.Integer(), nullable=False),
        sa.Column("n_np", sa.Integer(), nullable=False),
        sa.Column("n_nr", sa.Integer(), nullable=False),
        sa.Column("people_count", sa.Integer(), nullable=False),
        sa.Column("people_with_negative", sa.Integer(), nullable=False),
        sa.Column("observed_minutes", sa.Float(), nullable=False),
        sa.Column("person_minutes", sa.Float(), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted')", name=op.f("ck_quis_sessions_status_allowed")
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_quis_sessions_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["observer_id"], ["users.id"], name=op.f("fk_quis_sessions_observer_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_quis_sessions_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_quis_sessions_service_id_services")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quis_sessions")),
        sa.UniqueConstraint("uuid", name=op.f("uq_quis_sessions_uuid")),
    )
    with op.batch_alter_table("quis_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quis_sessions_observer_id"), ["observer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_quis_sessions_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            "ix_quis_sessions_service_started", ["service_id", "started_at"], unique=False
        )

    op.create_table(
        "quis_addenda",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_quis_addenda_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["quis_sessions.id"],
            name=op.f("fk_quis_addenda_session_id_quis_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quis_addenda")),
    )
    with op.batch_alter_table("quis_addenda", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quis_addenda_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "quis_interactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("people", sa.JSON(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=2), nullable=False),
        sa.Column("initiated_by", sa.String(length=8), nullable=True),
        sa.Column("communication", sa.String(length=8), nullable=True),
        sa.Column("negative_reason", sa.String(length=40), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "category IN ('PS', 'PC', 'N', 'NP', 'NR')",
            name=op.f("ck_quis_interactions_category_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["quis_sessions.id"],
            name=op.f("fk_quis_interactions_session_id_quis_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_members.id"],
            name=op.f("fk_quis_interactions_staff_id_staff_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quis_interactions")),
        sa.UniqueConstraint(
            "session_id", "uuid", name=op.f("uq_quis_interactions_session_id_uuid")
        ),
    )
    with op.batch_alter_table("quis_interactions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quis_interactions_session_id"), ["session_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("quis_interactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quis_interactions_session_id"))

    op.drop_table("quis_interactions")
    with op.batch_alter_table("quis_addenda", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quis_addenda_session_id"))

    op.drop_table("quis_addenda")
    with op.batch_alter_table("quis_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_quis_sessions_service_started")
        batch_op.drop_index(batch_op.f("ix_quis_sessions_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_quis_sessions_observer_id"))

    op.drop_table("quis_sessions")
    with op.batch_alter_table("quarantined_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quarantined_documents_service_id"))
        batch_op.drop_index(batch_op.f("ix_quarantined_documents_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_quarantined_documents_document_id"))

    op.drop_table("quarantined_documents")
