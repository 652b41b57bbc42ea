"""Migration 0010 numbers the draws already made: each service's draws of a kind 1, 2, 3… by
when they were made, so the next draw follows the last one; a second draw on the same local
day is marked as a repeat made before reasons were asked."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from careobs import migrate
from careobs.db import make_engine
from careobs.selection.models import SelectionDraw

BEFORE = "0009_quarantine_content"
HOURS = {6: 22, 7: 23}  # UTC hours of draws 6 and 7; the others are made at 09:30 UTC
OLD_REPEAT = "No reason recorded: drawn before careobs asked why"


def test_existing_draws_are_numbered_in_the_order_they_were_made(org, homecare_manager, db):
    made = [  # (service, kind, day made); rows are added in this order, not the days' order
        (org.homecare, "workers", 3),
        (org.homecare, "workers", 1),
        (org.homecare, "people", 2),
        (org.care_home, "people", 5),
        (org.homecare, "workers", 2),
        (org.care_home, "people", 4),
        (org.homecare, "workers", 3),  # 22:30 UTC: 23:30 on day 3 in London, a second draw
        (org.care_home, "people", 5),  # 23:30 UTC on day 5: day 6 in London (summer time)
    ]
    for number, (svc, kind, day) in enumerate(made):
        db.add(
            SelectionDraw(
                organisation_id=org.org.id,
                service_id=svc.id,
                kind=kind,
                sequence=100 + number,  # dropped by the downgrade
                seed=f"typed-{number}",
                inputs={"k": 1, "candidates": [], "previous_pick": []},
                result=[],
                requested_by_id=homecare_manager.id,
                created_at=datetime(2026, 7, day, HOURS.get(number, 9), 30, tzinfo=UTC),
            )
        )
    db.commit()
    db.close()
    engine = make_engine(str(db.get_bind().url.render_as_string(hide_password=False)))
    try:
        migrate.downgrade(engine, BEFORE)
        assert "sequence" not in {
            c["name"] for c in sa.inspect(engine).get_columns("selection_draws")
        }
        migrate.upgrade(engine)
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    SelectionDraw.seed, SelectionDraw.sequence, SelectionDraw.repeat_reason
                ).order_by(SelectionDraw.id)
            ).all()
    finally:
        migrate.upgrade(engine)
        engine.dispose()

    assert [tuple(r) for r in rows] == [
        ("typed-0", 3, None),  # homecare workers: days 1, 2, 3, 3 again
        ("typed-1", 1, None),
        ("typed-2", 1, None),  # homecare people
        ("typed-3", 2, None),  # care home people: days 4, 5, 6 (London)
        ("typed-4", 2, None),
        ("typed-5", 1, None),
        ("typed-6", 4, OLD_REPEAT),  # the day's second draw: a repeat, though nobody said why
        ("typed-7", 3, None),
    ]
