"""Checklists, monitoring visits and organisation settings

Revision ID: 0003_visits
Revises: 0002_quis_and_sync
Create Date: 2026-11-27 12:20:41.221043
"""

import sqlalchemy as sa
from alembic import op

import careobs.db

revision = "0003_visits"
down_revision = "0002_quis_and_sync"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "checklists",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_checklists_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklists")),
        sa.UniqueConstraint(
            "organisation_id", "name", name=op.f("uq_checklists_organisation_id_name")
        ),
        sa.UniqueConstraint("uuid", name=op.f("uq_checklists_uuid")),
    )
    with op.batch_alter_table("checklists", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_checklists_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "organisation_settings",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("green_from", sa.Integer(), nullable=False),
        sa.Column("amber_from", sa.Integer(), nullable=False),
        sa.Column("lateness_tolerance_minutes", sa.Integer(), nullable=False),
        sa.Column("recheck_days_after_red", sa.Integer(), nullable=False),
        sa.Column("check_frequency_days", sa.Integer(), nullable=False),
        sa.Column("new_starter_days", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_organisation_settings_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_organisation_settings")),
    )
    op.create_table(
        "checklist_versions",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("checklist_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("published_at", careobs.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("retired_at", careobs.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["checklist_id"],
            ["checklists.id"],
            name=op.f("fk_checklist_versions_checklist_id_checklists"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_checklist_versions_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_checklist_versions_published_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_versions")),
        sa.UniqueConstraint(
            "checklist_id", "number", name=op.f("uq_checklist_versions_checklist_id_number")
        ),
        sa.UniqueConstraint("uuid", name=op.f("uq_checklist_versions_uuid")),
    )
    with op.batch_alter_table("checklist_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_checklist_versions_checklist_id"), ["checklist_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_checklist_versions_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "checklist_domains",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["checklist_versions.id"],
            name=op.f("fk_checklist_domains_version_id_checklist_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_domains")),
        sa.UniqueConstraint("uuid", name=op.f("uq_checklist_domains_uuid")),
    )
    with op.batch_alter_table("checklist_domains", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_checklist_domains_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "monitoring_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("person_code", sa.String(length=16), nullable=False),
        sa.Column("visit_type", sa.String(length=12), nullable=False),
        sa.Column("consent", sa.String(length=16), nullable=False),
        sa.Column("checklist_version_id", sa.Integer(), nullable=False),
        sa.Column("planned_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("planned_minutes", sa.Integer(), nullable=False),
        sa.Column("arrived_at", careobs.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("left_at", careobs.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("satisfaction", sa.Integer(), nullable=True),
        sa.Column("person_comment", sa.Text(), nullable=False),
        sa.Column("went_well", sa.Text(), nullable=False),
        sa.Column("to_develop", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("privacy_flags", sa.JSON(), nullable=False),
        sa.Column("created_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", careobs.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("band", sa.String(length=8), nullable=True),
        sa.Column("outcome", sa.String(length=60), nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("possible", sa.Integer(), nullable=False),
        sa.Column("n_met", sa.Integer(), nullable=False),
        sa.Column("n_partly", sa.Integer(), nullable=False),
        sa.Column("n_not_met", sa.Integer(), nullable=False),
        sa.Column("n_na", sa.Integer(), nullable=False),
        sa.Column("critical_failures", sa.Integer(), nullable=False),
        sa.Column("minutes_late", sa.Float(), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("shortfall_minutes", sa.Float(), nullable=True),
        sa.Column("next_check_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted')", name=op.f("ck_monitoring_visits_status_allowed")
        ),
        sa.CheckConstraint(
            "visit_type IN ('announced', 'unannounced', 'responsive')",
            name=op.f("ck_monitoring_visits_visit_type_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["checklist_version_id"],
            ["checklist_versions.id"],
            name=op.f("fk_monitoring_visits_checklist_version_id_checklist_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_monitoring_visits_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_monitoring_visits_service_id_services")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_members.id"],
            name=op.f("fk_monitoring_visits_staff_id_staff_members"),
        ),
        sa.ForeignKeyConstraint(
            ["supervisor_id"], ["users.id"], name=op.f("fk_monitoring_visits_supervisor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_visits")),
        sa.UniqueConstraint("uuid", name=op.f("uq_monitoring_visits_uuid")),
    )
    with op.batch_alter_table("monitoring_visits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_monitoring_visits_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            "ix_monitoring_visits_service_planned", ["service_id", "planned_at"], unique=False
        )
        batch_op.create_index(
            "ix_monitoring_visits_staff_planned", ["staff_id", "planned_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_monitoring_visits_supervisor_id"), ["supervisor_id"], unique=False
        )

    op.create_table(
        "checklist_items",
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("guidance", sa.Text(), nullable=False),
        sa.Column("critical", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["domain_id"],
            ["checklist_domains.id"],
            name=op.f("fk_checklist_items_domain_id_checklist_domains"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_items")),
        sa.UniqueConstraint("uuid", name=op.f("uq_checklist_items_uuid")),
    )
    with op.batch_alter_table("checklist_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_checklist_items_domain_id"), ["domain_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_checklist_items_key"), ["key"], unique=False)

    op.create_table(
        "visit_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_staff_id", sa.Integer(), nullable=True),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_staff_id"],
            ["staff_members.id"],
            name=op.f("fk_visit_actions_owner_staff_id_staff_members"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_user_id"], ["users.id"], name=op.f("fk_visit_actions_owner_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["monitoring_visits.id"],
            name=op.f("fk_visit_actions_visit_id_monitoring_visits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_actions")),
        sa.UniqueConstraint("visit_id", "uuid", name=op.f("uq_visit_actions_visit_id_uuid")),
    )
    with op.batch_alter_table("visit_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_actions_visit_id"), ["visit_id"], unique=False)

    op.create_table(
        "visit_addenda",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_visit_addenda_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["monitoring_visits.id"],
            name=op.f("fk_visit_addenda_visit_id_monitoring_visits"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_addenda")),
    )
    with op.batch_alter_table("visit_addenda", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_addenda_visit_id"), ["visit_id"], unique=False)

    op.create_table(
        "visit_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.String(length=8), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "rating IN ('met', 'partly', 'not_met', 'na')",
            name=op.f("ck_visit_answers_rating_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["checklist_items.id"],
            name=op.f("fk_visit_answers_item_id_checklist_items"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["monitoring_visits.id"],
            name=op.f("fk_visit_answers_visit_id_monitoring_visits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_answers")),
        sa.UniqueConstraint("visit_id", "item_id", name=op.f("uq_visit_answers_visit_id_item_id")),
    )
    with op.batch_alter_table("visit_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_answers_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_answers_visit_id"), ["visit_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("visit_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_answers_visit_id"))
        batch_op.drop_index(batch_op.f("ix_visit_answers_item_id"))

    op.drop_table("visit_answers")
    with op.batch_alter_table("visit_addenda", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_addenda_visit_id"))

    op.drop_table("visit_addenda")
    with op.batch_alter_table("visit_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_actions_visit_id"))

    op.drop_table("visit_actions")
    with op.batch_alter_table("checklist_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_items_key"))
        batch_op.drop_index(batch_op.f("ix_checklist_items_domain_id"))

    op.drop_table("checklist_items")
    with op.batch_alter_table("monitoring_visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitoring_visits_supervisor_id"))
        batch_op.drop_index("ix_monitoring_visits_staff_planned")
        batch_op.drop_index("ix_monitoring_visits_service_planned")
        batch_op.drop_index(batch_op.f("ix_monitoring_visits_organisation_id"))

    op.drop_table("monitoring_visits")
    with op.batch_alter_table("checklist_domains", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_domains_version_id"))

    op.drop_table("checklist_domains")
    with op.batch_alter_table("checklist_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_versions_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_checklist_versions_checklist_id"))

    op.drop_table("checklist_versions")
    op.drop_table("organisation_settings")
    with op.batch_alter_table("checklists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklists_organisation_id"))

    op.drop_table("checklists")
