"""The compliments and concerns log

Revision ID: 0019_compliments
Revises: 0018_added_on_frequencies
Create Date: 2026-12-06 17:40:00

``compliment_sections``: each organisation's sections of the service (care, food, ...), added
with the defaults the first time its log is used. ``compliments``: one compliment or concern
received by a service; ``compliment_staff``: the care workers a compliment names. ``feedback``
gains ``compliment_id`` (the compliment it was drafted from), unique with ``staff_id`` so a
compliment becomes each named worker's feedback once.

Downgrade deletes the feedback drafted from compliments (the older schema cannot say where it
came from; its audit events stay in the audit log, and a notification of it then leads to "not
found"), then drops the column and the new tables.
"""

import sqlalchemy as sa
from alembic import op

import careobs.db

revision = "0019_compliments"
down_revision = "0018_added_on_frequencies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "compliment_sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_compliment_sections_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliment_sections")),
        sa.UniqueConstraint(
            "organisation_id", "key", name=op.f("uq_compliment_sections_organisation_id_key")
        ),
    )
    op.create_table(
        "compliments",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("responded_at", careobs.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('compliment', 'concern')", name=op.f("ck_compliments_kind_allowed")
        ),
        sa.CheckConstraint(
            "source IN ('person', 'family', 'professional', 'anonymous')",
            name=op.f("ck_compliments_source_allowed"),
        ),
        sa.CheckConstraint(
            "person_id IS NULL OR source = 'person'",
            name=op.f("ck_compliments_person_only_if_person"),
        ),
        sa.CheckConstraint(
            "kind = 'concern' OR (response = '' AND action_id IS NULL)",
            name=op.f("ck_compliments_response_if_concern"),
        ),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_compliments_action_id_actions")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_compliments_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_compliments_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_compliments_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["compliment_sections.id"],
            name=op.f("fk_compliments_section_id_compliment_sections"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_compliments_service_id_services")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliments")),
        sa.UniqueConstraint("action_id", name=op.f("uq_compliments_action_id")),
        sa.UniqueConstraint("uuid", name=op.f("uq_compliments_uuid")),
    )
    with op.batch_alter_table("compliments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_compliments_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_compliments_recorded_by_id"), ["recorded_by_id"], unique=False
        )
        batch_op.create_index(
            "ix_compliments_service_received", ["service_id", "received_on"], unique=False
        )
    op.create_table(
        "compliment_staff",
        sa.Column("compliment_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["compliment_id"],
            ["compliments.id"],
            name=op.f("fk_compliment_staff_compliment_id_compliments"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_members.id"],
            name=op.f("fk_compliment_staff_staff_id_staff_members"),
        ),
        sa.PrimaryKeyConstraint("compliment_id", "staff_id", name=op.f("pk_compliment_staff")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column("compliment_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_feedback_compliment_id_staff_id"), ["compliment_id", "staff_id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_feedback_compliment_id_compliments"),
            "compliments",
            ["compliment_id"],
            ["id"],
        )


def downgrade() -> None:
    op.execute("DELETE FROM feedback WHERE compliment_id IS NOT NULL")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_feedback_compliment_id_compliments"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("uq_feedback_compliment_id_staff_id"), type_="unique")
        batch_op.drop_column("compliment_id")
    op.drop_table("compliment_staff")
    with op.batch_alter_table("compliments", schema=None) as batch_op:
        batch_op.drop_index("ix_compliments_service_received")
        batch_op.drop_index(batch_op.f("ix_compliments_recorded_by_id"))
        batch_op.drop_index(batch_op.f("ix_compliments_organisation_id"))
    op.drop_table("compliments")
    op.drop_table("compliment_sections")
