"""Audit templates on the checklist engine, and audits

Revision ID: 0015_audits
Revises: 0014_one_addendum_table
Create Date: 2026-12-06 16:00:00

A checklist gains ``purpose`` ("visit" or "audit"; every existing checklist is a visit
checklist), a ``description``, and for audit templates a ``subject_type``, a
``frequency_days``, the CQC quality statements it evidences and its RAG bands (90 and 75 by
default, as visits). ``audits`` holds
completed audits with their answers and proposed actions; an improvement action may now come
from an audit (``source`` "audit", ``audit_action_id`` unique so it is raised once).

Downgrade removes the audits, the actions raised from them and the audit templates.
"""

import sqlalchemy as sa
from alembic import op

import careobs.db

revision = "0015_audits"
down_revision = "0014_one_addendum_table"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audits",
        sa.Column("auditor_id", sa.Integer(), nullable=False),
        sa.Column("checklist_version_id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=8), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("started_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", careobs.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("band", sa.String(length=8), nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("possible", sa.Integer(), nullable=False),
        sa.Column("critical_failures", sa.Integer(), nullable=False),
        sa.Column("critical_fail", sa.Boolean(), nullable=False),
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
        sa.Column("n_met", sa.Integer(), nullable=False),
        sa.Column("n_partly", sa.Integer(), nullable=False),
        sa.Column("n_not_met", sa.Integer(), nullable=False),
        sa.Column("n_na", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(subject_type = 'person' AND person_id IS NOT NULL AND staff_id IS NULL"
            " AND area_id IS NULL)"
            " OR (subject_type = 'staff' AND staff_id IS NOT NULL AND person_id IS NULL"
            " AND area_id IS NULL)"
            " OR (subject_type = 'area' AND area_id IS NOT NULL AND person_id IS NULL"
            " AND staff_id IS NULL)"
            " OR (subject_type = 'service' AND person_id IS NULL AND staff_id IS NULL"
            " AND area_id IS NULL)",
            name=op.f("ck_audits_one_subject"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted')", name=op.f("ck_audits_status_allowed")
        ),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name=op.f("fk_audits_area_id_areas")),
        sa.ForeignKeyConstraint(
            ["auditor_id"], ["users.id"], name=op.f("fk_audits_auditor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["checklist_version_id"],
            ["checklist_versions.id"],
            name=op.f("fk_audits_checklist_version_id_checklist_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_audits_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_audits_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_audits_service_id_services")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_members.id"], name=op.f("fk_audits_staff_id_staff_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audits")),
        sa.UniqueConstraint("uuid", name=op.f("uq_audits_uuid")),
    )
    with op.batch_alter_table("audits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audits_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audits_auditor_id"), ["auditor_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audits_checklist_version_id"), ["checklist_version_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audits_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audits_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            "ix_audits_service_started", ["service_id", "started_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audits_staff_id"), ["staff_id"], unique=False)

    op.create_table(
        "audit_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_staff_id", sa.Integer(), nullable=True),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["audit_id"],
            ["audits.id"],
            name=op.f("fk_audit_actions_audit_id_audits"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_staff_id"],
            ["staff_members.id"],
            name=op.f("fk_audit_actions_owner_staff_id_staff_members"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_user_id"], ["users.id"], name=op.f("fk_audit_actions_owner_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_actions")),
        sa.UniqueConstraint("audit_id", "uuid", name=op.f("uq_audit_actions_audit_id_uuid")),
    )
    with op.batch_alter_table("audit_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_actions_audit_id"), ["audit_id"], unique=False)

    op.create_table(
        "audit_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.String(length=8), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "rating IN ('met', 'partly', 'not_met', 'na')",
            name=op.f("ck_audit_answers_rating_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["audit_id"],
            ["audits.id"],
            name=op.f("fk_audit_answers_audit_id_audits"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["checklist_items.id"],
            name=op.f("fk_audit_answers_item_id_checklist_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_answers")),
        sa.UniqueConstraint("audit_id", "item_id", name=op.f("uq_audit_answers_audit_id_item_id")),
    )
    with op.batch_alter_table("audit_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_answers_audit_id"), ["audit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_answers_item_id"), ["item_id"], unique=False)

    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_actions_source_allowed"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_actions_source_allowed"),
            "source IN ('manual', 'quis', 'visit', 'audit')",
        )
        batch_op.add_column(sa.Column("audit_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("audit_action_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_actions_audit_id"), ["audit_id"], unique=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_actions_audit_action_id"), ["audit_action_id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_actions_audit_id_audits"), "audits", ["audit_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_actions_audit_action_id_audit_actions"),
            "audit_actions",
            ["audit_action_id"],
            ["id"],
        )

    with op.batch_alter_table("checklists", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("purpose", sa.String(length=8), server_default="visit", nullable=False)
        )
        batch_op.add_column(sa.Column("description", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("subject_type", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("frequency_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cqc_statements", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("green_from", sa.Integer(), server_default="90", nullable=False)
        )
        batch_op.add_column(
            sa.Column("amber_from", sa.Integer(), server_default="75", nullable=False)
        )
    op.execute("UPDATE checklists SET cqc_statements = '[]'")
    with op.batch_alter_table("checklists", schema=None) as batch_op:
        batch_op.alter_column("cqc_statements", existing_type=sa.JSON(), nullable=False)
        batch_op.create_check_constraint(
            batch_op.f("ck_checklists_purpose_allowed"), "purpose IN ('visit', 'audit')"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_checklists_subject_type_allowed"),
            "(purpose = 'visit' AND subject_type IS NULL) OR (purpose = 'audit' AND "
            "subject_type IN ('person', 'staff', 'area', 'service'))",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_checklists_bands_ordered"),
            "0 <= amber_from AND amber_from <= green_from AND green_from <= 100",
        )


def _delete_audit_templates() -> None:
    """Audit templates would otherwise come back as visit checklists."""
    op.execute(
        "DELETE FROM checklist_items WHERE domain_id IN (SELECT d.id FROM checklist_domains d"
        " JOIN checklist_versions v ON v.id = d.version_id"
        " JOIN checklists c ON c.id = v.checklist_id WHERE c.purpose = 'audit')"
    )
    op.execute(
        "DELETE FROM checklist_domains WHERE version_id IN (SELECT v.id FROM checklist_versions v"
        " JOIN checklists c ON c.id = v.checklist_id WHERE c.purpose = 'audit')"
    )
    op.execute(
        "DELETE FROM checklist_versions WHERE checklist_id IN"
        " (SELECT id FROM checklists WHERE purpose = 'audit')"
    )
    op.execute("DELETE FROM checklists WHERE purpose = 'audit'")


def downgrade() -> None:
    op.execute(
        "DELETE FROM action_notes WHERE action_id IN"
        " (SELECT id FROM actions WHERE source = 'audit')"
    )
    op.execute(
        "DELETE FROM recheck_bookings WHERE action_id IN"
        " (SELECT id FROM actions WHERE source = 'audit')"
    )
    op.execute("DELETE FROM actions WHERE source = 'audit'")
    op.execute("DELETE FROM audit_answers")
    op.execute("DELETE FROM audit_actions")
    op.execute("DELETE FROM audits")
    _delete_audit_templates()
    with op.batch_alter_table("checklists", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_checklists_bands_ordered"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_checklists_subject_type_allowed"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_checklists_purpose_allowed"), type_="check")
        batch_op.drop_column("amber_from")
        batch_op.drop_column("green_from")
        batch_op.drop_column("cqc_statements")
        batch_op.drop_column("frequency_days")
        batch_op.drop_column("subject_type")
        batch_op.drop_column("description")
        batch_op.drop_column("purpose")

    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_actions_audit_action_id_audit_actions"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_actions_audit_id_audits"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_actions_audit_action_id"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_actions_audit_id"))
        batch_op.drop_column("audit_action_id")
        batch_op.drop_column("audit_id")
        batch_op.drop_constraint(batch_op.f("ck_actions_source_allowed"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_actions_source_allowed"), "source IN ('manual', 'quis', 'visit')"
        )

    with op.batch_alter_table("audit_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_answers_item_id"))
        batch_op.drop_index(batch_op.f("ix_audit_answers_audit_id"))

    op.drop_table("audit_answers")
    with op.batch_alter_table("audit_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_actions_audit_id"))

    op.drop_table("audit_actions")
    with op.batch_alter_table("audits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audits_staff_id"))
        batch_op.drop_index("ix_audits_service_started")
        batch_op.drop_index(batch_op.f("ix_audits_person_id"))
        batch_op.drop_index(batch_op.f("ix_audits_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_audits_checklist_version_id"))
        batch_op.drop_index(batch_op.f("ix_audits_auditor_id"))
        batch_op.drop_index(batch_op.f("ix_audits_area_id"))

    op.drop_table("audits")
