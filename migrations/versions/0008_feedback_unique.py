"""One feedback per monitoring visit, and per member of staff and QUIS session

Revision ID: 0008_feedback_unique
Revises: 0007_selection
Create Date: 2026-11-27 17:51:13.929855
"""

from alembic import op

revision = "0008_feedback_unique"
down_revision = "0007_selection"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_feedback_quis_session_id_staff_id"), ["quis_session_id", "staff_id"]
        )
        batch_op.create_unique_constraint(batch_op.f("uq_feedback_visit_id"), ["visit_id"])


def downgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_feedback_visit_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("uq_feedback_quis_session_id_staff_id"), type_="unique")
