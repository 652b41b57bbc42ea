"""Re-band submitted visits that the rounded score put in the wrong band

Revision ID: 0012_band_exact_fraction
Revises: 0011_recheck_after_red
Create Date: 2026-12-06 14:00:00

Bands used to be taken from the score rounded to one decimal, so 1799 of 2000 points (89.95%)
became 90.0 and green. They now come from points / possible exactly (careobs.spotchecks.
scoring.band_for). This revision corrects the visits already stored, from their stored points
and possible and their organisation's settings:

- only submitted visits with a score and no critical failure (those stay red);
- only where the stored band is the one the old rule gives with the current settings and the
  exact fraction gives another, so it was the rounding that decided it. A visit whose band
  matches neither was banded under settings since changed, and is left as it was;
- the outcome wording follows the band, and a visit that becomes red is due its re-check the
  settings' re-check days after the visit, as one scored red today would be;
- each correction is written to the audit log.

Downgrade leaves the corrected bands: the old ones were wrong.
"""

from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

import careobs.db

revision = "0012_band_exact_fraction"
down_revision = "0011_recheck_after_red"
branch_labels = None
depends_on = None

# As careobs.org.settings.DEFAULTS and careobs.spotchecks.scoring were at this revision
# (frozen here, so later changes there cannot change what this revision did).
DEFAULTS = {"green_from": 90, "amber_from": 75, "recheck_days_after_red": 28}
WORDING = {
    "green": "Competent",
    "amber": "Competent — development agreed",
    "red": "Not yet competent — re-check required",
}


def _rounded_band(points: int, possible: int, green_from: int, amber_from: int) -> str:
    """The band the old rule gave: from the score rounded half up to one decimal."""
    score = (Decimal(points * 100) / Decimal(possible)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return "green" if score >= green_from else "amber" if score >= amber_from else "red"


def _exact_band(points: int, possible: int, green_from: int, amber_from: int) -> str:
    """The band from the exact fraction, in whole numbers."""
    if points * 100 >= green_from * possible:
        return "green"
    return "amber" if points * 100 >= amber_from * possible else "red"


def _percent(points: int, possible: int) -> str:
    """The exact score, cut (never rounded) to at most four decimals: 89.95%, 89.995%."""
    exact = (Decimal(points * 100) / Decimal(possible)).quantize(Decimal("0.0001"), ROUND_DOWN)
    return f"{format(exact.normalize(), 'f')}%"


def reband(connection: sa.Connection, now: datetime | None = None) -> int:
    """Correct the stored visits as the module docstring says; return how many changed."""
    now = now or datetime.now(UTC)
    settings = {}
    for row in connection.execute(
        sa.text(
            "SELECT o.id, o.timezone, s.green_from, s.amber_from, s.recheck_days_after_red"
            " FROM organisations o"
            " LEFT JOIN organisation_settings s ON s.organisation_id = o.id"
        )
    ):
        settings[row.id] = {
            "zone": ZoneInfo(row.timezone),
            "green_from": DEFAULTS["green_from"] if row.green_from is None else row.green_from,
            "amber_from": DEFAULTS["amber_from"] if row.amber_from is None else row.amber_from,
            "recheck_days_after_red": (
                DEFAULTS["recheck_days_after_red"]
                if row.recheck_days_after_red is None
                else row.recheck_days_after_red
            ),
        }
    visits = connection.execute(
        sa.text(
            "SELECT id, uuid, organisation_id, points, possible, band, planned_at, arrived_at"
            " FROM monitoring_visits"
            " WHERE status = 'submitted' AND possible > 0 AND critical_failures = 0"
            " AND band IS NOT NULL ORDER BY id"
        ).columns(
            uuid=sa.Uuid(),
            planned_at=careobs.db.UTCDateTime(),
            arrived_at=careobs.db.UTCDateTime(),
        )
    ).all()
    changes, events = [], []
    for visit in visits:
        rules = settings[visit.organisation_id]
        edges = (rules["green_from"], rules["amber_from"])
        old = _rounded_band(visit.points, visit.possible, *edges)
        new = _exact_band(visit.points, visit.possible, *edges)
        if visit.band != old or new == old:
            continue
        change = {"id": visit.id, "band": new, "outcome": WORDING[new]}
        if new == "red":
            day = (visit.arrived_at or visit.planned_at).astimezone(rules["zone"]).date()
            change["next_check_on"] = day + timedelta(days=rules["recheck_days_after_red"])
        changes.append(change)
        edge = rules["green_from"] if old == "green" else rules["amber_from"]
        events.append(
            {
                "organisation_id": visit.organisation_id,
                "actor_id": None,
                "action": "visit_rebanded",
                "entity_type": "MonitoringVisit",
                "entity_id": str(visit.uuid),
                "summary": (
                    f"Band corrected from {old} to {new}: {visit.points} of {visit.possible} "
                    f"points is {_percent(visit.points, visit.possible)}, below {old} at "
                    f"{edge}% (it was banded on the score rounded to one decimal)."
                ),
                "ip": None,
                "at": now,
            }
        )
    table = sa.table(
        "monitoring_visits",
        sa.column("id"),
        sa.column("band"),
        sa.column("outcome"),
        sa.column("next_check_on", sa.Date()),
    )
    for change in changes:
        values = {name: value for name, value in change.items() if name != "id"}
        connection.execute(table.update().where(table.c.id == change["id"]).values(**values))
    if events:
        audit = sa.table(
            "audit_events",
            *(sa.column(name) for name in ("organisation_id", "actor_id", "action", "entity_type")),
            *(sa.column(name) for name in ("entity_id", "summary", "ip")),
            sa.column("at", careobs.db.UTCDateTime()),
        )
        connection.execute(audit.insert(), events)
    return len(changes)


def upgrade() -> None:
    reband(op.get_bind())


def downgrade() -> None:
    pass
