"""Addenda to submitted audits

Revision ID: 0017_audit_addenda
Revises: 0016_audit_schedules
Create Date: 2026-12-06 15:00:00

``record_addenda`` gains ``audit_id`` (a foreign key to ``audits``, indexed) and its
``one_record`` check admits the kind ``audit``: exactly one of the three keys set, the one its
``record_kind`` names. Existing QUIS and visit addenda are kept as they are (SQLite copies the
table with every row; PostgreSQL alters it in place).

Downgrade deletes the addenda to audits (the older schema has nowhere to keep them; their
``audit_addendum_added`` events stay in the audit log) and restores the two-kind check.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_audit_addenda"
down_revision = "0016_audit_schedules"
branch_labels = None
depends_on = None

TWO_KINDS = (
    "(record_kind = 'quis_session' AND quis_session_id IS NOT NULL AND visit_id IS NULL)"
    " OR (record_kind = 'monitoring_visit' AND visit_id IS NOT NULL"
    " AND quis_session_id IS NULL)"
)
# The same text as careobs.capture.addenda.ONE_RECORD at this revision (a migration never
# imports the model's current rule, which may change again).
THREE_KINDS = (
    "(record_kind = 'quis_session' AND quis_session_id IS NOT NULL AND visit_id IS NULL"
    " AND audit_id IS NULL)"
    " OR (record_kind = 'monitoring_visit' AND visit_id IS NOT NULL"
    " AND quis_session_id IS NULL AND audit_id IS NULL)"
    " OR (record_kind = 'audit' AND audit_id IS NOT NULL AND quis_session_id IS NULL"
    " AND visit_id IS NULL)"
)


def upgrade() -> None:
    with op.batch_alter_table("record_addenda", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audit_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_record_addenda_audit_id"), ["audit_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_record_addenda_audit_id_audits"), "audits", ["audit_id"], ["id"]
        )
        batch_op.drop_constraint(batch_op.f("ck_record_addenda_one_record"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_record_addenda_one_record"), THREE_KINDS)


def downgrade() -> None:
    op.execute("DELETE FROM record_addenda WHERE record_kind = 'audit'")
    with op.batch_alter_table("record_addenda", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_record_addenda_one_record"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_record_addenda_one_record"), TWO_KINDS)
        batch_op.drop_constraint(
            batch_op.f("fk_record_addenda_audit_id_audits"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_record_addenda_audit_id"))
        batch_op.drop_column("audit_id")
