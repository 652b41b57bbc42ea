"""``careobs audit verify`` finds an edited, removed or added event, and says the log is intact
otherwise. To tamper, each test acts as an attacker with rights on the database
(tests/audit/tampering.py: on PostgreSQL ``session_replication_role = replica`` in its own
connection, on SQLite the guarding triggers dropped for that connection's change)."""

from __future__ import annotations

import json

import sqlalchemy as sa

from careobs.audit.chain import GENESIS, event_hash
from careobs.audit.integrity import verify
from careobs.cli import main
from tests.audit.tampering import as_attacker, head, stored_events


def run_verify(runner, *args):
    return runner.invoke(args=["audit", "verify", *args])


def test_an_untouched_log_is_intact(runner, data, db):
    data.organisation()
    events = stored_events(db)
    result = run_verify(runner)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        f"Audit log intact: {len(events)} events, last hash {events[-1]['hash']}"
    )


def test_an_empty_log_is_intact_at_the_genesis(runner):
    result = run_verify(runner)
    assert result.exit_code == 0
    assert result.output.strip() == f"Audit log intact: 0 events, last hash {GENESIS}"


def test_the_check_reads_in_batches_across_their_edges(data, db, engine):
    data.organisation()
    count = len(stored_events(db))
    db.close()
    for batch in (1, 2, 3, count - 1, count, count + 1):
        verdict = verify(engine, batch=batch)
        assert verdict.intact and verdict.events == count, batch


def test_an_edited_event_is_named(runner, data, db, engine):
    data.organisation()
    target = stored_events(db)[3]
    db.close()
    with as_attacker(engine) as conn:
        conn.execute(sa.text("UPDATE audit_events SET summary = 'nothing to see' WHERE seq = 4"))
    result = run_verify(runner)
    assert result.exit_code == 1
    when = target["at"].isoformat(timespec="microseconds")
    assert result.output.strip() == (
        f"Audit log BROKEN: event 4 (id {target['id']}, {when}): its contents were changed "
        "(its hash does not match them)"
    )


def test_an_edited_event_with_a_recomputed_hash_breaks_the_next_link(runner, data, db, engine):
    data.organisation()
    forged = {**stored_events(db)[1], "actor_id": None}
    db.close()
    with as_attacker(engine) as conn:
        conn.execute(
            sa.text("UPDATE audit_events SET actor_id = NULL, hash = :hash WHERE seq = 2"),
            {"hash": event_hash(forged)},
        )
    result = run_verify(runner)
    assert result.exit_code == 1
    assert "event 3 (id " in result.output
    assert "the event before it was changed or replaced" in result.output


def test_a_deleted_event_in_the_middle_is_named(runner, data, db, engine):
    data.organisation()
    db.close()
    with as_attacker(engine) as conn:
        conn.execute(sa.text("DELETE FROM audit_events WHERE seq = 3"))
    result = run_verify(runner)
    assert result.exit_code == 1
    assert "event 4 (id " in result.output
    assert "the events before it are missing (3 to 3)" in result.output


def test_a_deleted_first_event_is_named(runner, data, db, engine):
    data.organisation()
    db.close()
    with as_attacker(engine) as conn:
        conn.execute(sa.text("DELETE FROM audit_events WHERE seq = 1"))
    result = run_verify(runner)
    assert result.exit_code == 1
    assert "event 2 (id " in result.output and "the chain starts at 1, not 2" in result.output


def test_a_deleted_tail_shows_against_the_head(runner, data, db, engine):
    data.organisation()
    last = head(db)[0]
    db.close()
    with as_attacker(engine) as conn:
        conn.execute(sa.text("DELETE FROM audit_events WHERE seq > :n"), {"n": last - 2})
    result = run_verify(runner)
    assert result.exit_code == 1
    assert result.output.strip().startswith("Audit log BROKEN: the last 2 events are missing")


def test_an_event_slipped_in_after_the_head_is_named(runner, data, db, engine):
    data.organisation()
    last = stored_events(db)[-1]
    db.close()
    slipped = {
        **{k: v for k, v in last.items() if k != "id"},
        "seq": last["seq"] + 1,
        "prev_hash": last["hash"],
        "summary": "forged",
    }
    slipped["hash"] = event_hash(slipped)
    with engine.begin() as conn:  # inserting needs no rights beyond writing
        conn.execute(sa.table("audit_events", *map(sa.column, slipped)).insert(), slipped)
    result = run_verify(runner)
    assert result.exit_code == 1
    assert f"events after {last['seq']} were not written by careobs" in result.output


def test_a_changed_head_is_named(runner, data, db, engine):
    data.organisation()
    db.close()
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_chain_head SET hash = :h"), {"h": "f" * 64})
    result = run_verify(runner)
    assert result.exit_code == 1 and "the chain's head does not match event" in result.output


def test_json_output(runner, data, db, engine):
    data.organisation()
    events = stored_events(db)
    db.close()
    intact = json.loads(run_verify(runner, "--json").output)
    assert intact == {
        "intact": True,
        "events": len(events),
        "last_hash": events[-1]["hash"],
        "broken": None,
    }
    with as_attacker(engine) as conn:
        conn.execute(sa.text("UPDATE audit_events SET ip = '10.0.0.1' WHERE seq = 2"))
    result = run_verify(runner, "--json")
    assert result.exit_code == 1
    broken = json.loads(result.output)
    assert broken["intact"] is False and broken["events"] == 1
    assert broken["broken"]["seq"] == 2 and broken["broken"]["event_id"] == events[1]["id"]
    assert broken["broken"]["message"].startswith("event 2 (id ")


def test_help_mentions_verify(runner):
    assert "careobs audit verify --json" in runner.invoke(args=["audit", "--help"]).output
    assert "careobs audit verify" in runner.invoke(main, ["--help"]).output
