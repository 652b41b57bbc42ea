"""The newest submitted audit of each subject, kept for the audits dashboard

Revision ID: 0021_audit_latest
Revises: 0020_conversations
Create Date: 2026-12-06 18:00:00

``audit_latest``: one row per (service, template, subject) that has a submitted audit, pointing
at its newest (started last; ties: the larger id) and copying its ``started_at``. ``subject_id``
is the person's, care worker's or area's id, 0 for the whole service. Filled here from the
submitted audits; from now on kept in the transaction that stores each submitted audit.

Downgrade drops the table (nothing else refers to it; the audits are untouched).
"""

import sqlalchemy as sa
from alembic import op

import careobs.db

revision = "0021_audit_latest"
down_revision = "0020_conversations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_latest",
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("checklist_id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=8), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("started_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"],
            ["audits.id"],
            name=op.f("fk_audit_latest_audit_id_audits"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["checklist_id"],
            ["checklists.id"],
            name=op.f("fk_audit_latest_checklist_id_checklists"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_audit_latest_service_id_services")
        ),
        sa.PrimaryKeyConstraint(
            "service_id", "checklist_id", "subject_type", "subject_id", name=op.f("pk_audit_latest")
        ),
    )
    op.execute(
        "INSERT INTO audit_latest "
        "(service_id, checklist_id, subject_type, subject_id, audit_id, started_at) "
        "SELECT service_id, checklist_id, subject_type, subject_id, id, started_at FROM ("
        "SELECT a.service_id, v.checklist_id, a.subject_type, "
        "coalesce(a.person_id, a.staff_id, a.area_id, 0) AS subject_id, a.id, a.started_at, "
        "row_number() OVER (PARTITION BY a.service_id, v.checklist_id, a.subject_type, "
        "coalesce(a.person_id, a.staff_id, a.area_id, 0) "
        "ORDER BY a.started_at DESC, a.id DESC) AS newest "
        "FROM audits a JOIN checklist_versions v ON v.id = a.checklist_version_id "
        "WHERE a.status = 'submitted') ranked WHERE newest = 1"
    )


def downgrade() -> None:
    op.drop_table("audit_latest")
