"""Migration 0026 chains the events written before it, in id order, and guards the table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from careobs import migrate
from careobs.audit.integrity import verify
from tests.audit.tampering import head, stored_events

OLD_EVENTS = sa.table(
    "audit_events",
    *map(sa.column, ("organisation_id", "action", "entity_type", "entity_id", "summary", "ip")),
    sa.column("at", sa.DateTime(timezone=True)),
)


def test_upgrade_chains_the_events_already_written(data, db, engine):
    org_id = data.organisation().org.id
    written = len(stored_events(db))
    db.close()
    try:
        migrate.downgrade(engine, "0025_login_sessions")
        assert "audit_chain_head" not in sa.inspect(engine).get_table_names()
        start = datetime(2025, 3, 30, 0, 30, 0, 250, tzinfo=UTC)  # a clock change in the UK
        with engine.begin() as conn:
            conn.execute(
                OLD_EVENTS.insert(),
                [
                    {
                        "organisation_id": org_id if n % 3 else None,
                        "action": f"old_{n}",
                        "entity_type": None,
                        "entity_id": None,
                        "summary": "Zoë’s visit" if n % 2 else "",
                        "ip": "127.0.0.1" if n % 2 else None,
                        "at": start + timedelta(minutes=17 * n, microseconds=n),
                    }
                    for n in range(11)
                ],
            )
    finally:
        migrate.upgrade(engine)
    events = stored_events(db)
    assert [e["seq"] for e in events] == list(range(1, written + 12))
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)  # chained in id order
    assert [e["action"] for e in events[written:]] == [f"old_{n}" for n in range(11)]
    verdict = verify(engine)
    assert verdict.intact and verdict.events == written + 11
    assert head(db) == (written + 11, events[-1]["hash"])
    db.close()
    with pytest.raises(sa.exc.DBAPIError, match="DELETE refused"), engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM audit_events")


def test_upgrade_rewords_the_free_text_old_events_copied_before_chaining_them(data, db, engine):
    """Before 0026 an addendum's reason and a repeat draw's reason went into the summary; once
    chained and guarded they could never be redacted, so the upgrade rewords them first."""
    data.organisation()
    written = len(stored_events(db))
    db.close()
    old = [
        ("visit_addendum_added", "Rang her son on 07700 900123"),
        ("selection_drawn", "workers in Riverside: 2 drawn with seed 7"),
        (
            "selection_drawn",
            "workers in Riverside: 1 drawn with seed 9; drawn again today because: Hal is off sick",
        ),
        ("audit_addendum_added", "Wrong date"),
        ("feedback_released", "Sam Okafor"),
    ]
    try:
        migrate.downgrade(engine, "0025_login_sessions")
        with engine.begin() as conn:
            conn.execute(
                OLD_EVENTS.insert(),
                [
                    {
                        "organisation_id": None,
                        "action": action,
                        "entity_type": None,
                        "entity_id": None,
                        "summary": summary,
                        "ip": None,
                        "at": datetime(2026, 1, 5, 9, n, tzinfo=UTC),
                    }
                    for n, (action, summary) in enumerate(old)
                ],
            )
    finally:
        migrate.upgrade(engine)
    summaries = [e["summary"] for e in stored_events(db)[written:]]
    assert summaries == [
        "addendum (its reason is kept with it)",
        "workers in Riverside: 2 drawn with seed 7",
        "workers in Riverside: 1 drawn with seed 9; drawn again today, for the reason given with"
        " the draw",
        "addendum (its reason is kept with it)",
        "Sam Okafor",
    ]
    assert verify(engine).intact
