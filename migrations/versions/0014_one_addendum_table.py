"""One table of addenda for every kind of record

Revision ID: 0014_one_addendum_table
Revises: 0013_unscored_and_red_backfill
Create Date: 2026-12-06 15:00:00

``quis_addenda`` and ``visit_addenda`` become ``record_addenda`` (careobs.capture.addenda):
``record_kind`` says which kind of record, and a foreign key per kind (exactly one set, checked)
says which record. ``organisation_id`` is the record's organisation.

Every row is copied with its author, reason, text and time. QUIS addenda keep their ids; visit
addenda are numbered after the last QUIS one, in their own order, since both tables counted from
1. Nothing refers to an addendum's id (the export and the audit log name the record), and each
kind's addenda keep their order. Downgrade copies the rows back, each keeping its id here.
"""

import sqlalchemy as sa
from alembic import op

import careobs.db

revision = "0014_one_addendum_table"
down_revision = "0013_unscored_and_red_backfill"
branch_labels = None
depends_on = None


def _restart_ids(*tables: str) -> None:
    """After rows were written with their ids, PostgreSQL's counters continue from the largest."""
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite takes the largest id + 1 by itself
    for table in tables:
        ids = sa.table(table, sa.column("id"))
        next_id = sa.select(sa.func.coalesce(sa.func.max(ids.c.id), 0) + 1).scalar_subquery()
        sequence = sa.func.pg_get_serial_sequence(table, "id")
        op.execute(sa.select(sa.func.setval(sequence, next_id, False)))


def _old_table(name: str, link: str, parent: str) -> None:
    """One kind's addenda table as revisions 0002 and 0003 made it."""
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(link, sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f(f"fk_{name}_author_id_users")
        ),
        sa.ForeignKeyConstraint([link], [f"{parent}.id"], name=op.f(f"fk_{name}_{link}_{parent}")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{name}_{link}"), [link], unique=False)


def upgrade() -> None:
    op.create_table(
        "record_addenda",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("record_kind", sa.String(length=20), nullable=False),
        sa.Column("quis_session_id", sa.Integer(), nullable=True),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", careobs.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(record_kind = 'quis_session' AND quis_session_id IS NOT NULL AND visit_id IS NULL)"
            " OR (record_kind = 'monitoring_visit' AND visit_id IS NOT NULL"
            " AND quis_session_id IS NULL)",
            name=op.f("ck_record_addenda_one_record"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_record_addenda_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_record_addenda_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["quis_session_id"],
            ["quis_sessions.id"],
            name=op.f("fk_record_addenda_quis_session_id_quis_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["monitoring_visits.id"],
            name=op.f("fk_record_addenda_visit_id_monitoring_visits"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_addenda")),
    )
    with op.batch_alter_table("record_addenda", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_record_addenda_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_record_addenda_quis_session_id"), ["quis_session_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_record_addenda_visit_id"), ["visit_id"], unique=False)

    op.execute(
        "INSERT INTO record_addenda"
        " (id, organisation_id, record_kind, quis_session_id, visit_id,"
        " author_id, reason, text, created_at)"
        " SELECT a.id, s.organisation_id, 'quis_session', a.session_id, NULL,"
        " a.author_id, a.reason, a.text, a.created_at"
        " FROM quis_addenda a JOIN quis_sessions s ON s.id = a.session_id"
    )
    op.execute(
        "INSERT INTO record_addenda"
        " (id, organisation_id, record_kind, quis_session_id, visit_id,"
        " author_id, reason, text, created_at)"
        " SELECT a.id + (SELECT COALESCE(MAX(id), 0) FROM quis_addenda), v.organisation_id,"
        " 'monitoring_visit', NULL, a.visit_id, a.author_id, a.reason, a.text, a.created_at"
        " FROM visit_addenda a JOIN monitoring_visits v ON v.id = a.visit_id"
    )
    _restart_ids("record_addenda")

    with op.batch_alter_table("visit_addenda", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_addenda_visit_id"))
    op.drop_table("visit_addenda")
    with op.batch_alter_table("quis_addenda", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quis_addenda_session_id"))
    op.drop_table("quis_addenda")


def downgrade() -> None:
    _old_table("quis_addenda", "session_id", "quis_sessions")
    _old_table("visit_addenda", "visit_id", "monitoring_visits")
    op.execute(
        "INSERT INTO quis_addenda (id, session_id, author_id, reason, text, created_at)"
        " SELECT id, quis_session_id, author_id, reason, text, created_at FROM record_addenda"
        " WHERE record_kind = 'quis_session'"
    )
    op.execute(
        "INSERT INTO visit_addenda (id, visit_id, author_id, reason, text, created_at)"
        " SELECT id, visit_id, author_id, reason, text, created_at FROM record_addenda"
        " WHERE record_kind = 'monitoring_visit'"
    )
    _restart_ids("quis_addenda", "visit_addenda")

    with op.batch_alter_table("record_addenda", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_addenda_visit_id"))
        batch_op.drop_index(batch_op.f("ix_record_addenda_quis_session_id"))
        batch_op.drop_index(batch_op.f("ix_record_addenda_organisation_id"))
    op.drop_table("record_addenda")
