"""Login sessions: one per login on a device, ended by logging out

Revision ID: 0025_login_sessions
Revises: 0024_self_assessments
Create Date: 2026-12-07 09:00:00

New table ``login_sessions``. The session cookie now names one, and only an open one lets the
cookie in: a copy of the cookie that a request in flight at logout set again no longer logs the
user back in. Cookies issued before this revision name none, so everyone logs in once more.
"""

import sqlalchemy as sa
from alembic import op

import careobs.db

revision = "0025_login_sessions"
down_revision = "0024_self_assessments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("started_at", careobs.db.UTCDateTime(), nullable=False),
        sa.Column("ended_at", careobs.db.UTCDateTime(), nullable=True),
        sa.Column("ended_by", sa.String(length=16), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_login_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
    )
    op.create_index(op.f("ix_login_sessions_user_id"), "login_sessions", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_login_sessions_user_id"), table_name="login_sessions")
    op.drop_table("login_sessions")
