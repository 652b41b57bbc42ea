"""Feedback, notifications and Web Push subscriptions and queue

Revision ID: 0004_feedback_notifications
Revises: 0003_visits
Create Date: 2026-11-27 12:38:56.342594
"""

import sqlalchemy as sa
from alembic import op

import careobs.db

revision = "0004_feedback_notifications"
down_revision = "0003_visits"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "notifications",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("body", sa.String(length=300), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=True),
        sa.Column("created_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", careobs.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_notifications_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint(
            "user_id", "dedupe_key", name=op.f("uq_notifications_user_id_dedupe_key")
        ),
        sa.UniqueConstraint("uuid", name=op.f("uq_notifications_uuid")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notifications_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index("ix_notifications_user_read", ["user_id", "read_at"], unique=False)

    op.create_table(
        "push_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("endpoint", sa.Text(), nullable=False),
        sa.Column("p256dh", sa.String(length=200), nullable=False),
        sa.Column("auth", sa.String(length=100), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
        sa.Column("created_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_success_at", careobs.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("failure_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_push_subscriptions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_subscriptions")),
        sa.UniqueConstraint("endpoint", name=op.f("uq_push_subscriptions_endpoint")),
    )
    with op.batch_alter_table("push_subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_push_subscriptions_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "push_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", careobs.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_push_messages_notification_id_notifications"),
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["push_subscriptions.id"],
            name=op.f("fk_push_messages_subscription_id_push_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_messages")),
    )
    with op.batch_alter_table("push_messages", schema=None) as batch_op:
        batch_op.create_index("ix_push_messages_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_push_messages_subscription_id"), ["subscription_id"], unique=False
        )

    op.create_table(
        "feedback",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("quis_session_id", sa.Integer(), nullable=True),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("went_well", sa.Text(), nullable=False),
        sa.Column("to_develop", sa.Text(), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("released_at", careobs.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("read_at", careobs.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", careobs.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("replied_at", careobs.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'released')", name=op.f("ck_feedback_status_allowed")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_feedback_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_feedback_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["quis_session_id"],
            ["quis_sessions.id"],
            name=op.f("fk_feedback_quis_session_id_quis_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_feedback_service_id_services")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_members.id"], name=op.f("fk_feedback_staff_id_staff_members")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["monitoring_visits.id"],
            name=op.f("fk_feedback_visit_id_monitoring_visits"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint("uuid", name=op.f("uq_feedback_uuid")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_author_id"), ["author_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_feedback_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_feedback_service_id"), ["service_id"], unique=False)
        batch_op.create_index(
            "ix_feedback_staff_released", ["staff_id", "released_at"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_staff_released")
        batch_op.drop_index(batch_op.f("ix_feedback_service_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_author_id"))

    op.drop_table("feedback")
    with op.batch_alter_table("push_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_push_messages_subscription_id"))
        batch_op.drop_index("ix_push_messages_due")

    op.drop_table("push_messages")
    with op.batch_alter_table("push_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_push_subscriptions_user_id"))

    op.drop_table("push_subscriptions")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_read")
        batch_op.drop_index(batch_op.f("ix_notifications_organisation_id"))

    op.drop_table("notifications")
