"""The demo organisation for tests that read it as data, built once per run and copied after.

``careobs.demo.load_demo`` takes seconds (a year of records); dozens of tests only read what it
makes. The first call in a run (per database and demo date) runs the real loader on the empty
tables and keeps every row it wrote; later calls write those rows straight back, so each test
still starts from the demo exactly as the loader makes it. Tests of the loader itself (that it
is idempotent, dated from today, isolated) call ``load_demo`` directly, never this.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.audit.models import AuditChainHead
from careobs.db import refresh_statistics
from careobs.demo import load_demo
from careobs.models import Base

_Rows = list[tuple[sa.Table, list[dict]]]
_KEPT: dict[tuple[str, date | None], tuple[_Rows, list]] = {}


def load_demo_once(db: Session, today: date | None = None) -> list:
    """``load_demo(db, today)`` on empty tables, committed; returns the loader's logins.

    Without ``today`` the demo is dated from the organisation's today, so the copy is kept per
    calendar date (a run crossing midnight loads it again).
    """
    from tests.clock import local_today

    engine = db.get_bind()
    key = (engine.url.render_as_string(hide_password=False), today or local_today())
    kept = _KEPT.get(key)
    if kept is None:
        logins = load_demo(db, today=today)
        db.commit()
        rows = [
            (table, [dict(row._mapping) for row in db.execute(sa.select(table))])
            for table in Base.metadata.sorted_tables
        ]
        _KEPT[key] = (rows, logins)
        refresh_statistics(db)
        return logins
    rows, logins = kept
    for table, table_rows in rows:
        if table is AuditChainHead.__table__:
            # The emptied database keeps the chain's one head row (at its start): moved on.
            db.execute(table.update().values(table_rows[0]))
        elif table_rows:
            db.execute(table.insert(), table_rows)
    if engine.dialect.name == "postgresql":
        _restart_sequences(db, rows)
    db.commit()
    refresh_statistics(db)
    return logins


def _restart_sequences(db: Session, rows: _Rows) -> None:
    """After rows went in with their ids, each table's id sequence goes on from the highest."""
    for table, table_rows in rows:
        column = table.c.get("id")
        if column is None or not table_rows or not column.autoincrement:
            continue
        highest = max(row["id"] for row in table_rows)
        db.execute(
            sa.text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :value)"),
            {"table": table.name, "value": highest},
        )
