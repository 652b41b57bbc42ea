"""The audit log is chained by hashes and guarded by the database itself

Revision ID: 0026_audit_chain
Revises: 0025_login_sessions
Create Date: 2026-12-08 09:00:00

- ``audit_events`` gains ``seq`` (its place in one chain, contiguous from 1), ``prev_hash`` and
  ``hash`` (hex SHA-256 of the event and the hash before it: careobs.audit.chain). The events
  already written are chained here in id order, in batches, so a log of millions of events is
  never held in memory; then the columns become NOT NULL and ``seq`` unique.
- New one-row table ``audit_chain_head``: the last link, which writers lock to chain their events.
- Triggers refuse UPDATE and DELETE of audit events (and TRUNCATE on PostgreSQL), from
  careobs.audit.guards, the same definition a ``create_all`` gets.

Downgrade removes the triggers, the head and the three columns.
"""

import sqlalchemy as sa
from alembic import op

import careobs.db
from careobs.audit import guards
from careobs.audit.chain import GENESIS, chain

revision = "0026_audit_chain"
down_revision = "0025_login_sessions"
branch_labels = None
depends_on = None

BATCH = 5000

EVENTS = sa.table(
    "audit_events",
    sa.column("id", sa.Integer()),
    sa.column("organisation_id", sa.Integer()),
    sa.column("actor_id", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("entity_type", sa.String()),
    sa.column("entity_id", sa.String()),
    sa.column("summary", sa.String()),
    sa.column("ip", sa.String()),
    sa.column("at", careobs.db.UTCDateTime()),
    sa.column("seq", sa.BigInteger()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)


# Events that, before this revision, copied free text into their summary: an addendum's reason,
# and why a draw was made again the same day (which may say why a worker is away). Once chained
# and guarded they could never be redacted, so they are reworded first, as events say it now.
ADDENDUM_ACTIONS = ("quis_addendum_added", "visit_addendum_added", "audit_addendum_added")
REPEAT_REASON = "; drawn again today because: "
REPEAT_NOW = "; drawn again today, for the reason given with the draw"


def without_free_text(row: dict) -> dict:
    """The event as careobs writes it since this revision: no free text in its summary."""
    if row["action"] in ADDENDUM_ACTIONS:
        return {**row, "summary": "addendum (its reason is kept with it)"}
    if row["action"] == "selection_drawn" and REPEAT_REASON in (row["summary"] or ""):
        return {**row, "summary": row["summary"].split(REPEAT_REASON)[0] + REPEAT_NOW}
    return row


def chain_existing(connection: sa.Connection) -> tuple[int, str]:
    """Chain the events already written, in id order (free text taken out of their summaries
    first: :func:`without_free_text`); returns the head (seq, hash)."""
    seq, last_hash, after_id = 0, GENESIS, 0
    columns = [c for c in EVENTS.c if c.name not in ("seq", "prev_hash", "hash")]
    while True:
        rows = [
            without_free_text(dict(row._mapping))
            for row in connection.execute(
                sa.select(*columns).where(EVENTS.c.id > after_id).order_by(EVENTS.c.id).limit(BATCH)
            )
        ]
        if not rows:
            return seq, last_hash
        last_hash = chain(rows, seq, last_hash)
        seq, after_id = rows[-1]["seq"], rows[-1]["id"]
        connection.execute(
            EVENTS.update()
            .where(EVENTS.c.id == sa.bindparam("event_id"))
            .values(
                summary=sa.bindparam("new_summary"),
                seq=sa.bindparam("new_seq"),
                prev_hash=sa.bindparam("new_prev_hash"),
                hash=sa.bindparam("new_hash"),
            ),
            [
                {
                    "event_id": r["id"],
                    "new_summary": r["summary"],
                    "new_seq": r["seq"],
                    "new_prev_hash": r["prev_hash"],
                    "new_hash": r["hash"],
                }
                for r in rows
            ],
        )


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    head = op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    connection = op.get_bind()
    seq, last_hash = chain_existing(connection)
    connection.execute(head.insert().values(id=1, seq=seq, hash=last_hash))
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_events_seq"), ["seq"])
    # Last: on SQLite the batch above rebuilt the table, and triggers go with the old one.
    guards.install(connection)


def downgrade() -> None:
    guards.remove(op.get_bind())
    op.drop_table("audit_chain_head")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_events_seq"), type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
