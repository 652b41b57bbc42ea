"""Improvement actions, their progress notes and targeted re-check bookings

Revision ID: 0006_actions
Revises: 0005_visit_report_rows
Create Date: 2026-11-27 15:28:25.378201
"""

import sqlalchemy as sa
from alembic import op

import careobs.db

revision = "0006_actions"
down_revision = "0005_visit_report_rows"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "actions",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("owner_staff_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("cqc_tags", sa.JSON(), nullable=False),
        sa.Column("measure", sa.JSON(), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("quis_session_id", sa.Integer(), nullable=True),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("visit_action_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", careobs.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "source IN ('manual', 'quis', 'visit')", name=op.f("ck_actions_source_allowed")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'in_progress', 'done', 'cancelled')",
            name=op.f("ck_actions_status_allowed"),
        ),
        sa.CheckConstraint(
            "owner_user_id IS NULL OR owner_staff_id IS NULL", name=op.f("ck_actions_one_owner")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_actions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_actions_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_staff_id"],
            ["staff_members.id"],
            name=op.f("fk_actions_owner_staff_id_staff_members"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_user_id"], ["users.id"], name=op.f("fk_actions_owner_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["quis_session_id"],
            ["quis_sessions.id"],
            name=op.f("fk_actions_quis_session_id_quis_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_actions_service_id_services")
        ),
        sa.ForeignKeyConstraint(
            ["visit_action_id"],
            ["visit_actions.id"],
            name=op.f("fk_actions_visit_action_id_visit_actions"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["monitoring_visits.id"],
            name=op.f("fk_actions_visit_id_monitoring_visits"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
        sa.UniqueConstraint("uuid", name=op.f("uq_actions_uuid")),
        sa.UniqueConstraint("visit_action_id", name=op.f("uq_actions_visit_action_id")),
    )
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_actions_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_actions_owner_staff_id"), ["owner_staff_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_actions_owner_user_id"), ["owner_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_actions_quis_session_id"), ["quis_session_id"], unique=False
        )
        batch_op.create_index(
            "ix_actions_service_status_due", ["service_id", "status", "due_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_actions_visit_id"), ["visit_id"], unique=False)

    op.create_table(
        "action_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("from_status", sa.String(length=12), nullable=True),
        sa.Column("to_status", sa.String(length=12), nullable=True),
        sa.Column("created_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_action_notes_action_id_actions")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_action_notes_author_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_notes")),
    )
    with op.batch_alter_table("action_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_notes_action_id"), ["action_id"], unique=False)

    op.create_table(
        "recheck_bookings",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("due_by", sa.Date(), nullable=False),
        sa.Column("focus_item_keys", sa.JSON(), nullable=False),
        sa.Column("booked_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("fulfilled_by_visit_id", sa.Integer(), nullable=True),
        sa.Column("fulfilled_at", careobs.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_recheck_bookings_action_id_actions")
        ),
        sa.ForeignKeyConstraint(
            ["booked_by_id"], ["users.id"], name=op.f("fk_recheck_bookings_booked_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["fulfilled_by_visit_id"],
            ["monitoring_visits.id"],
            name=op.f("fk_recheck_bookings_fulfilled_by_visit_id_monitoring_visits"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_recheck_bookings_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_members.id"],
            name=op.f("fk_recheck_bookings_staff_id_staff_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recheck_bookings")),
        sa.UniqueConstraint("uuid", name=op.f("uq_recheck_bookings_uuid")),
    )
    with op.batch_alter_table("recheck_bookings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recheck_bookings_action_id"), ["action_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recheck_bookings_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index("ix_recheck_bookings_staff_due", ["staff_id", "due_by"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("recheck_bookings", schema=None) as batch_op:
        batch_op.drop_index("ix_recheck_bookings_staff_due")
        batch_op.drop_index(batch_op.f("ix_recheck_bookings_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_recheck_bookings_action_id"))

    op.drop_table("recheck_bookings")
    with op.batch_alter_table("action_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_notes_action_id"))

    op.drop_table("action_notes")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actions_visit_id"))
        batch_op.drop_index("ix_actions_service_status_due")
        batch_op.drop_index(batch_op.f("ix_actions_quis_session_id"))
        batch_op.drop_index(batch_op.f("ix_actions_owner_user_id"))
        batch_op.drop_index(batch_op.f("ix_actions_owner_staff_id"))
        batch_op.drop_index(batch_op.f("ix_actions_organisation_id"))

    op.drop_table("actions")
