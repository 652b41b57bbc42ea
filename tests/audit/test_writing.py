"""Both write paths chain their events at insert, in one chain, and a rolled-back savepoint or
transaction takes the chain's head back with its events."""

from __future__ import annotations

import pytest

from careobs.audit.chain import GENESIS, event_hash
from careobs.audit.service import events_deferred, record
from tests.audit.tampering import head, stored_events


def assert_chain_intact(db) -> list[dict]:
    """Every event's hash recomputed from the row as read back matches; seq runs 1..N without
    a gap; each links to the one before; the head names the last. Returns the events."""
    events = stored_events(db)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    previous = GENESIS
    for event in events:
        assert event["prev_hash"] == previous, event
        assert event_hash(event) == event["hash"], event
        previous = event["hash"]
    assert head(db) == (len(events), previous)
    return events


def test_building_an_organisation_leaves_an_intact_chain(data, db):
    data.organisation()
    assert len(assert_chain_intact(db)) > 5


def test_orm_and_deferred_events_form_one_chain_in_the_order_written(app, data, db):
    org = data.organisation()
    start = head(db)[0]
    with app.app_context():
        record(db, "first", organisation_id=org.org.id, actor=org.admin, summary="Café ✓")
        record(db, "second", organisation_id=org.org.id, entity=org.care_home)
        db.commit()
        with events_deferred(db):
            for n in range(3):
                record(db, "deferred", organisation_id=org.org.id, summary=f"batch {n}")
            record(db, "deferred", organisation_id=None, summary="no organisation")
        db.commit()
        record(db, "third", organisation_id=org.org.id, actor=org.manager)
        db.commit()
    events = assert_chain_intact(db)[start:]
    assert [e["action"] for e in events] == ["first", "second", *["deferred"] * 4, "third"]
    assert events[0]["summary"] == "Café ✓" and events[0]["actor_id"] == org.admin.id
    assert events[1]["entity_type"] == "Service"


def test_one_flush_of_several_events_chains_them_in_the_order_added(app, data, db):
    org = data.organisation()
    with app.app_context():
        for n in range(5):
            record(db, f"step_{n}", organisation_id=org.org.id)
        db.commit()
    assert [e["action"] for e in assert_chain_intact(db)[-5:]] == [f"step_{n}" for n in range(5)]


def test_a_rolled_back_savepoint_takes_the_head_back(app, data, db):
    org = data.organisation()
    before = head(db)
    with app.app_context():
        savepoint = db.begin_nested()
        record(db, "undone", organisation_id=org.org.id)
        db.flush()
        assert head(db)[0] == before[0] + 1  # moved inside the savepoint …
        savepoint.rollback()
        assert head(db) == before  # … and back with it
        record(db, "kept", organisation_id=org.org.id)
        db.commit()
    events = assert_chain_intact(db)
    assert events[-1]["action"] == "kept" and events[-1]["seq"] == before[0] + 1
    assert "undone" not in {e["action"] for e in events}


def test_a_failed_document_inside_a_deferred_batch_drops_its_events(app, data, db):
    """The sync's careful mode: a document under its own savepoint fails; its events go, the
    others are chained together at the batch's end."""
    org = data.organisation()
    before = head(db)[0]
    with app.app_context():
        with events_deferred(db):
            record(db, "document_1", organisation_id=org.org.id)
            savepoint = db.begin_nested()
            with pytest.raises(ValueError), events_deferred(db):
                record(db, "document_2", organisation_id=org.org.id)
                raise ValueError("refused")
            savepoint.rollback()
            record(db, "document_3", organisation_id=org.org.id)
        db.commit()
    events = assert_chain_intact(db)
    assert [e["action"] for e in events[before:]] == ["document_1", "document_3"]


def test_a_rolled_back_transaction_leaves_no_gap(app, data, db):
    org = data.organisation()
    before = head(db)
    with app.app_context():
        record(db, "rolled_back", organisation_id=org.org.id)
        with events_deferred(db):
            record(db, "rolled_back_too", organisation_id=org.org.id)
        db.flush()
        db.rollback()
        assert head(db) == before
        record(db, "after", organisation_id=org.org.id)
        db.commit()
    assert assert_chain_intact(db)[-1]["seq"] == before[0] + 1


def test_the_time_hashed_is_the_time_stored(app, data, db):
    """What a hash covers must survive the column's round trip (UTCDateTime: naive text on
    SQLite, timestamptz on PostgreSQL) to the microsecond."""
    org = data.organisation()
    with app.app_context():
        event = record(db, "timed", organisation_id=org.org.id)
        hashed_at = event.at
        db.commit()
    stored = stored_events(db)[-1]
    assert stored["at"] == hashed_at and stored["at"].microsecond == hashed_at.microsecond
    assert event_hash(stored) == stored["hash"]
