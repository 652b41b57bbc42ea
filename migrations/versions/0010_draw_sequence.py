"""Every draw has its place in its service's line of draws, and a repeat draw its reason

Revision ID: 0010_draw_sequence
Revises: 0009_quarantine_content
Create Date: 2026-12-06 12:00:00

``sequence`` numbers each service's draws of a kind 1, 2, 3… in the order they were made, and a
unique constraint on (service, kind, sequence) stops two draws made at the same instant from
both following the same previous draw. Existing draws are numbered by when they were made (then
by id). ``repeat_reason`` holds why a service was drawn for again on the same day (on the
organisation's clock); an existing draw that was such a repeat gets OLD_REPEAT, since nobody was
asked why then.
"""

from datetime import UTC
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0010_draw_sequence"
down_revision = "0009_quarantine_content"
branch_labels = None
depends_on = None

OLD_REPEAT = "No reason recorded: drawn before careobs asked why"

draws = sa.table(
    "selection_draws",
    sa.column("id", sa.Integer),
    sa.column("organisation_id", sa.Integer),
    sa.column("service_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("sequence", sa.Integer),
    sa.column("repeat_reason", sa.String),
)
organisations = sa.table(
    "organisations", sa.column("id", sa.Integer), sa.column("timezone", sa.String)
)


def upgrade() -> None:
    with op.batch_alter_table("selection_draws", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sequence", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("repeat_reason", sa.String(length=500), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            draws.c.id,
            draws.c.service_id,
            draws.c.kind,
            draws.c.created_at,
            organisations.c.timezone,
        )
        .join(organisations, organisations.c.id == draws.c.organisation_id)
        .order_by(draws.c.service_id, draws.c.kind, draws.c.created_at, draws.c.id)
    ).all()
    line: dict[tuple[int, str], tuple[int, object]] = {}  # each line's last number and day
    for draw_id, service_id, kind, created_at, zone in rows:
        made = created_at if created_at.tzinfo else created_at.replace(tzinfo=UTC)
        day = made.astimezone(ZoneInfo(zone or "Europe/London")).date()
        number, last_day = line.get((service_id, kind), (0, None))
        line[(service_id, kind)] = (number + 1, day)
        connection.execute(
            sa.update(draws)
            .where(draws.c.id == draw_id)
            .values(sequence=number + 1, repeat_reason=OLD_REPEAT if day == last_day else None)
        )
    with op.batch_alter_table("selection_draws", schema=None) as batch_op:
        batch_op.alter_column("sequence", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_selection_draws_service_id_kind_sequence"),
            ["service_id", "kind", "sequence"],
        )


def downgrade() -> None:
    with op.batch_alter_table("selection_draws", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_selection_draws_service_id_kind_sequence"), type_="unique"
        )
        batch_op.drop_column("repeat_reason")
        batch_op.drop_column("sequence")
