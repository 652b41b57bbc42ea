"""Visits that scored nothing have no next check; a worker's last red visit has its booking

Revision ID: 0013_unscored_and_red_backfill
Revises: 0012_band_exact_fraction
Create Date: 2026-12-06 08:30:00

- A submitted visit with every item N/A has no score: it checked nothing, so it no longer
  carries a next check date (it showed one 90 days out, and the export carried it).
- Revision 0011 books a re-check when a red visit is submitted. A worker whose latest scored
  visit was red before that (or was made red by 0012) had no booking, so the weekly reminder
  of booked re-checks and the re-checks export left them out. This revision books it as the
  red visit would have: due on its next check date, focused on its items Not met, booked by
  its supervisor, not yet fulfilled (it is the worker's latest scored visit). Earlier red
  visits were followed by a scored visit already, and need nothing.

Downgrade leaves both: the cleared dates were wrong, and 0011's downgrade removes bookings made
by red visits.
"""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import careobs.db

revision = "0013_unscored_and_red_backfill"
down_revision = "0012_band_exact_fraction"
branch_labels = None
depends_on = None

VISITS = sa.table(
    "monitoring_visits",
    sa.column("id"),
    sa.column("organisation_id"),
    sa.column("staff_id"),
    sa.column("supervisor_id"),
    sa.column("status"),
    sa.column("score"),
    sa.column("band"),
    sa.column("planned_at", careobs.db.UTCDateTime()),
    sa.column("next_check_on", sa.Date()),
)
BOOKINGS = sa.table(
    "recheck_bookings",
    sa.column("id"),
    sa.column("uuid", sa.Uuid()),
    sa.column("organisation_id"),
    sa.column("action_id"),
    sa.column("after_visit_id"),
    sa.column("staff_id"),
    sa.column("due_by", sa.Date()),
    sa.column("focus_item_keys", sa.JSON()),
    sa.column("booked_by_id"),
    sa.column("created_at", careobs.db.UTCDateTime()),
    sa.column("fulfilled_by_visit_id"),
    sa.column("fulfilled_at", careobs.db.UTCDateTime()),
)


def clear_unscored(connection: sa.Connection) -> int:
    """Take the next check date off every visit without a score; returns how many."""
    result = connection.execute(
        VISITS.update()
        .where(VISITS.c.score.is_(None), VISITS.c.next_check_on.is_not(None))
        .values(next_check_on=None)
    )
    return result.rowcount


def book_latest_red(connection: sa.Connection, now: datetime | None = None) -> int:
    """Book the re-check of each worker whose latest scored, submitted visit is red and has no
    booking yet; returns how many were booked."""
    now = now or datetime.now(UTC)
    scored = sa.and_(VISITS.c.status == "submitted", VISITS.c.score.is_not(None))
    later = VISITS.alias("later")
    latest = (
        sa.select(VISITS.c.id, VISITS.c.organisation_id, VISITS.c.staff_id)
        .add_columns(VISITS.c.supervisor_id, VISITS.c.next_check_on)
        .where(
            scored,
            VISITS.c.band == "red",
            ~sa.exists().where(
                later.c.staff_id == VISITS.c.staff_id,
                later.c.status == "submitted",
                later.c.score.is_not(None),
                sa.or_(
                    later.c.planned_at > VISITS.c.planned_at,
                    sa.and_(later.c.planned_at == VISITS.c.planned_at, later.c.id > VISITS.c.id),
                ),
            ),
            ~sa.exists().where(BOOKINGS.c.after_visit_id == VISITS.c.id),
        )
        .order_by(VISITS.c.id)
    )
    rows = []
    for visit in connection.execute(latest):
        focus = connection.execute(
            sa.text(
                "SELECT i.key FROM visit_answers a"
                " JOIN checklist_items i ON i.id = a.item_id"
                " JOIN checklist_domains d ON d.id = i.domain_id"
                " WHERE a.visit_id = :visit AND a.rating = 'not_met'"
                " ORDER BY d.position, i.position"
            ).columns(key=sa.Uuid()),
            {"visit": visit.id},
        ).scalars()
        rows.append(
            {
                "uuid": uuid.uuid4(),
                "organisation_id": visit.organisation_id,
                "action_id": None,
                "after_visit_id": visit.id,
                "staff_id": visit.staff_id,
                "due_by": visit.next_check_on,
                "focus_item_keys": [str(key) for key in focus],
                "booked_by_id": visit.supervisor_id,
                "created_at": now,
                "fulfilled_by_visit_id": None,
                "fulfilled_at": None,
            }
        )
    if rows:
        connection.execute(BOOKINGS.insert(), rows)
    return len(rows)


def upgrade() -> None:
    connection = op.get_bind()
    clear_unscored(connection)
    book_latest_red(connection)


def downgrade() -> None:
    pass
