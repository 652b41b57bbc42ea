"""People's voice: conversations with the people a draw picked

Revision ID: 0020_conversations
Revises: 0019_compliments
Create Date: 2026-12-06 17:52:05

``conversations``: one per draw of people and person drawn (asked, declined or not available),
a captured document like an audit; ``conversation_answers``: the answer to each "I" statement
by its versioned key; ``conversation_actions``: follow-ups, each naming the action it became
(``action_id``, unique). ``actions.source`` gains ``voice``.

Downgrade deletes the actions raised from conversations (with their notes and re-check
bookings; their audit events stay in the audit log), then drops the new tables.
"""

import sqlalchemy as sa
from alembic import op

import careobs.db

revision = "0020_conversations"
down_revision = "0019_compliments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("interviewer_id", sa.Integer(), nullable=False),
        sa.Column("draw_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("started_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", careobs.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("comments", sa.Text(), nullable=False),
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
            "outcome IN ('asked', 'declined', 'not_available')",
            name=op.f("ck_conversations_outcome_allowed"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted')", name=op.f("ck_conversations_status_allowed")
        ),
        sa.ForeignKeyConstraint(
            ["draw_id"],
            ["selection_draws.id"],
            name=op.f("fk_conversations_draw_id_selection_draws"),
        ),
        sa.ForeignKeyConstraint(
            ["interviewer_id"], ["users.id"], name=op.f("fk_conversations_interviewer_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_conversations_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_conversations_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_conversations_service_id_services")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
        sa.UniqueConstraint(
            "draw_id", "person_id", name=op.f("uq_conversations_draw_id_person_id")
        ),
        sa.UniqueConstraint("uuid", name=op.f("uq_conversations_uuid")),
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversations_draw_id"), ["draw_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_conversations_interviewer_id"), ["interviewer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_conversations_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_conversations_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            "ix_conversations_service_started", ["service_id", "started_at"], unique=False
        )

    op.create_table(
        "conversation_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=32), nullable=False),
        sa.Column("answer", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "answer IN ('strongly_agree', 'agree', 'neither', 'disagree',"
            " 'strongly_disagree', 'prefer_not_to_say')",
            name=op.f("ck_conversation_answers_answer_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_answers_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_answers")),
        sa.UniqueConstraint(
            "conversation_id",
            "question",
            name=op.f("uq_conversation_answers_conversation_id_question"),
        ),
    )
    with op.batch_alter_table("conversation_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conversation_answers_conversation_id"), ["conversation_id"], unique=False
        )

    op.create_table(
        "conversation_actions",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_staff_id", sa.Integer(), nullable=True),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_conversation_actions_action_id_actions")
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_actions_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_staff_id"],
            ["staff_members.id"],
            name=op.f("fk_conversation_actions_owner_staff_id_staff_members"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_user_id"],
            ["users.id"],
            name=op.f("fk_conversation_actions_owner_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_actions")),
        sa.UniqueConstraint("action_id", name=op.f("uq_conversation_actions_action_id")),
        sa.UniqueConstraint(
            "conversation_id", "uuid", name=op.f("uq_conversation_actions_conversation_id_uuid")
        ),
    )
    with op.batch_alter_table("conversation_actions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conversation_actions_conversation_id"), ["conversation_id"], unique=False
        )

    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_actions_source_allowed"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_actions_source_allowed"),
            "source IN ('manual', 'quis', 'visit', 'audit', 'voice')",
        )


def downgrade() -> None:
    op.execute(
        "DELETE FROM action_notes WHERE action_id IN"
        " (SELECT id FROM actions WHERE source = 'voice')"
    )
    op.execute(
        "DELETE FROM recheck_bookings WHERE action_id IN"
        " (SELECT id FROM actions WHERE source = 'voice')"
    )
    op.execute("UPDATE conversation_actions SET action_id = NULL")
    op.execute("DELETE FROM actions WHERE source = 'voice'")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_actions_source_allowed"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_actions_source_allowed"),
            "source IN ('manual', 'quis', 'visit', 'audit')",
        )
    with op.batch_alter_table("conversation_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_actions_conversation_id"))

    op.drop_table("conversation_actions")
    with op.batch_alter_table("conversation_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_answers_conversation_id"))

    op.drop_table("conversation_answers")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_conversations_service_started")
        batch_op.drop_index(batch_op.f("ix_conversations_person_id"))
        batch_op.drop_index(batch_op.f("ix_conversations_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_conversations_interviewer_id"))
        batch_op.drop_index(batch_op.f("ix_conversations_draw_id"))

    op.drop_table("conversations")
