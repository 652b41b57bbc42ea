"""Co-audits with people supported and quality checkers

Revision ID: 0022_co_audits_checkers
Revises: 0021_audit_latest
Create Date: 2026-12-06 20:02:08

``audits`` gains what makes one a co-audit (``co_audit_with``: person or quality_checker, the
person's id, ``compare_with``: the staff audit's document id), ``easy_read`` and
``consent_given``; a check keeps the three co-audit fields whole. ``checklist_items`` gains
``easy_read_text``. ``memberships.role`` may be ``quality_checker``. New tables:
``checker_assignments`` (a co-audit or a conversation a manager gives a quality checker) and
``co_audit_follow_ups`` (a difference followed up: the action it became, once per item).

Downgrade deletes the co-audits (their answers and proposed actions; actions raised from them
lose the link but stay), the quality checkers' memberships and the new tables.
"""

import sqlalchemy as sa
from alembic import op

import careobs.db

revision = "0022_co_audits_checkers"
down_revision = "0021_audit_latest"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checker_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=True),
        sa.Column("draw_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 'co_audit' AND audit_id IS NOT NULL AND draw_id IS NULL"
            " AND person_id IS NULL)"
            " OR (kind = 'conversation' AND audit_id IS NULL AND draw_id IS NOT NULL"
            " AND person_id IS NOT NULL)",
            name=op.f("ck_checker_assignments_one_task"),
        ),
        sa.CheckConstraint(
            "kind IN ('co_audit', 'conversation')", name=op.f("ck_checker_assignments_kind_allowed")
        ),
        sa.ForeignKeyConstraint(
            ["audit_id"],
            ["audits.id"],
            name=op.f("fk_checker_assignments_audit_id_audits"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_checker_assignments_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["draw_id"],
            ["selection_draws.id"],
            name=op.f("fk_checker_assignments_draw_id_selection_draws"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_checker_assignments_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_checker_assignments_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_checker_assignments_service_id_services")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_checker_assignments_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checker_assignments")),
        sa.UniqueConstraint(
            "audit_id", "user_id", name=op.f("uq_checker_assignments_audit_id_user_id")
        ),
        sa.UniqueConstraint(
            "draw_id", "person_id", name=op.f("uq_checker_assignments_draw_id_person_id")
        ),
    )
    with op.batch_alter_table("checker_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_checker_assignments_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_checker_assignments_service_id"), ["service_id"], unique=False
        )
        batch_op.create_index(
            "ix_checker_assignments_user_service", ["user_id", "service_id"], unique=False
        )

    op.create_table(
        "co_audit_follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.Uuid(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_co_audit_follow_ups_action_id_actions")
        ),
        sa.ForeignKeyConstraint(
            ["audit_id"],
            ["audits.id"],
            name=op.f("fk_co_audit_follow_ups_audit_id_audits"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_co_audit_follow_ups_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_co_audit_follow_ups")),
        sa.UniqueConstraint("action_id", name=op.f("uq_co_audit_follow_ups_action_id")),
        sa.UniqueConstraint(
            "audit_id", "item_key", name=op.f("uq_co_audit_follow_ups_audit_id_item_key")
        ),
    )
    with op.batch_alter_table("audits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("co_audit_with", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("co_audit_person_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("compare_with", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("easy_read", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("consent_given", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_index(batch_op.f("ix_audits_compare_with"), ["compare_with"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_audits_co_audit_person_id_people"),
            "people",
            ["co_audit_person_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_audits_co_audit_whole"),
            "(co_audit_with IS NULL AND compare_with IS NULL AND co_audit_person_id IS NULL)"
            " OR (co_audit_with = 'quality_checker' AND compare_with IS NOT NULL"
            " AND co_audit_person_id IS NULL)"
            " OR (co_audit_with = 'person' AND compare_with IS NOT NULL"
            " AND co_audit_person_id IS NOT NULL)",
        )

    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_memberships_role_allowed"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_memberships_role_allowed"),
            "role IN ('manager', 'supervisor', 'staff', 'quality_checker')",
        )

    with op.batch_alter_table("checklist_items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("easy_read_text", sa.String(length=300), server_default="", nullable=False)
        )


def downgrade() -> None:
    op.execute(
        "DELETE FROM co_audit_follow_ups WHERE audit_id IN "
        "(SELECT id FROM audits WHERE co_audit_with IS NOT NULL)"
    )
    op.execute(
        "UPDATE actions SET audit_id = NULL, audit_action_id = NULL WHERE audit_id IN "
        "(SELECT id FROM audits WHERE co_audit_with IS NOT NULL)"
    )
    op.execute(
        "DELETE FROM checker_assignments WHERE audit_id IN "
        "(SELECT id FROM audits WHERE co_audit_with IS NOT NULL)"
    )
    op.execute(
        "DELETE FROM record_addenda WHERE audit_id IN "
        "(SELECT id FROM audits WHERE co_audit_with IS NOT NULL)"
    )
    op.execute(
        "DELETE FROM audit_actions WHERE audit_id IN "
        "(SELECT id FROM audits WHERE co_audit_with IS NOT NULL)"
    )
    op.execute(
        "DELETE FROM audit_answers WHERE audit_id IN "
        "(SELECT id FROM audits WHERE co_audit_with IS NOT NULL)"
    )
    op.execute(
        "DELETE FROM audit_latest WHERE audit_id IN "
        "(SELECT id FROM audits WHERE co_audit_with IS NOT NULL)"
    )
    op.execute("DELETE FROM audits WHERE co_audit_with IS NOT NULL")
    op.execute("DELETE FROM memberships WHERE role = 'quality_checker'")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_memberships_role_allowed"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_memberships_role_allowed"), "role IN ('manager', 'supervisor', 'staff')"
        )
    with op.batch_alter_table("checklist_items", schema=None) as batch_op:
        batch_op.drop_column("easy_read_text")

    with op.batch_alter_table("audits", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_audits_co_audit_whole"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_audits_co_audit_person_id_people"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_audits_compare_with"))
        batch_op.drop_column("consent_given")
        batch_op.drop_column("easy_read")
        batch_op.drop_column("compare_with")
        batch_op.drop_column("co_audit_person_id")
        batch_op.drop_column("co_audit_with")

    op.drop_table("co_audit_follow_ups")
    with op.batch_alter_table("checker_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_checker_assignments_user_service")
        batch_op.drop_index(batch_op.f("ix_checker_assignments_service_id"))
        batch_op.drop_index(batch_op.f("ix_checker_assignments_organisation_id"))

    op.drop_table("checker_assignments")
