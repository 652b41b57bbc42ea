"""A red visit books its own re-check

Revision ID: 0011_recheck_after_red
Revises: 0010_draw_sequence
Create Date: 2026-12-06 13:00:00

A re-check booking was always made from an improvement action. A red visit now books one too:
``after_visit_id`` names the red visit (unique, so a visit sent twice books once), and
``action_id`` may be empty. A check keeps exactly one of the two set.

Red visits stored before this revision have no booking; coverage and the daily reminders still
show them as due a re-check after red, from the visit's band and next check date.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_recheck_after_red"
down_revision = "0010_draw_sequence"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recheck_bookings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("after_visit_id", sa.Integer(), nullable=True))
        batch_op.alter_column("action_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_recheck_bookings_after_visit_id_monitoring_visits"),
            "monitoring_visits",
            ["after_visit_id"],
            ["id"],
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_recheck_bookings_after_visit_id"), ["after_visit_id"]
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_recheck_bookings_one_reason"),
            "(action_id IS NULL) <> (after_visit_id IS NULL)",
        )


def downgrade() -> None:
    op.execute("DELETE FROM recheck_bookings WHERE action_id IS NULL")
    with op.batch_alter_table("recheck_bookings", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_recheck_bookings_one_reason"), type_="check")
        batch_op.drop_constraint(batch_op.f("uq_recheck_bookings_after_visit_id"), type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_recheck_bookings_after_visit_id_monitoring_visits"),
            type_="foreignkey",
        )
        batch_op.alter_column("action_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("after_visit_id")
