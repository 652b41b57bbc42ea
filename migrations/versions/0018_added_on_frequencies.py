"""The day subjects were added, and each audit schedule's frequency history

Revision ID: 0018_added_on_frequencies
Revises: 0017_audit_addenda
Create Date: 2026-12-06 17:00:00

``people``, ``areas`` and ``staff_members`` gain ``added_on`` (a date, nullable): the
organisation's day the record was added or made active again. Existing rows keep NULL, "there
from the start", so what is due about them does not change.

``audit_schedule_frequencies``: (schedule, from day, frequency), unique per schedule and day.
Each existing schedule gets one row, from its start at its current frequency, so its due dates
are the same as before.

``ix_audit_answers_not_met``: a partial index on the answers that are not Met, which are all the
audits dashboard's "most often failed items" reads.

Downgrade drops the index, the table and the three columns (the history of changes and the
days added are lost; every schedule keeps its current frequency).
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_added_on_frequencies"
down_revision = "0017_audit_addenda"
branch_labels = None
depends_on = None

SUBJECT_TABLES = ("people", "areas", "staff_members")


def upgrade() -> None:
    for table in SUBJECT_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("added_on", sa.Date(), nullable=True))
    op.create_table(
        "audit_schedule_frequencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("from_on", sa.Date(), nullable=False),
        sa.Column("frequency_days", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "frequency_days BETWEEN 1 AND 366",
            name=op.f("ck_audit_schedule_frequencies_frequency_range"),
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["audit_schedules.id"],
            name=op.f("fk_audit_schedule_frequencies_schedule_id_audit_schedules"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_schedule_frequencies")),
        sa.UniqueConstraint(
            "schedule_id",
            "from_on",
            name=op.f("uq_audit_schedule_frequencies_schedule_id_from_on"),
        ),
    )
    # The audits dashboard's most often failed items read only the answers that are not Met.
    op.create_index(
        "ix_audit_answers_not_met",
        "audit_answers",
        ["audit_id", "item_id", "rating"],
        unique=False,
        sqlite_where=sa.text("rating <> 'met'"),
        postgresql_where=sa.text("rating <> 'met'"),
    )
    op.execute(
        "INSERT INTO audit_schedule_frequencies (schedule_id, from_on, frequency_days) "
        "SELECT id, starts_on, frequency_days FROM audit_schedules"
    )


def downgrade() -> None:
    op.drop_index("ix_audit_answers_not_met", table_name="audit_answers")
    op.drop_table("audit_schedule_frequencies")
    for table in SUBJECT_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("added_on")
