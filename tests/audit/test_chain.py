"""The hash chain's rules (careobs/audit/chain.py), against values worked out by hand."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest

from careobs.audit.chain import GENESIS, ChainCheck, canonical, canonical_time, chain, event_hash

AT = datetime(2026, 1, 5, 8, 0, 0, 123, tzinfo=UTC)
KNOWN = {
    "seq": 1,
    "organisation_id": 7,
    "actor_id": 3,
    "action": "feedback_released",
    "entity_type": "Feedback",
    "entity_id": "4f1c",
    "summary": "Café — lunch",
    "ip": None,
    "at": AT,
    "prev_hash": GENESIS,
    "id": 99,  # not hashed: the database assigns it after the hash
}
# Written out by hand: sorted keys, no spaces, non-ASCII escaped, the time in UTC with
# microseconds; its SHA-256 from `printf '%s' '<that>' | sha256sum`.
KNOWN_CANONICAL = (
    '{"action":"feedback_released","actor_id":3,"at":"2026-01-05T08:00:00.000123+00:00",'
    '"entity_id":"4f1c","entity_type":"Feedback","ip":null,"organisation_id":7,'
    '"prev_hash":"' + "0" * 64 + '","seq":1,"summary":"Caf\\u00e9 \\u2014 lunch"}'
)
KNOWN_HASH = "51c7933ac0f3654e580f7cbc4b97631c434a13230f9ead03bb932467c2535433"


def test_a_known_event_has_the_hand_computed_canonical_form_and_hash():
    assert canonical(KNOWN) == KNOWN_CANONICAL.encode("ascii")
    assert hashlib.sha256(KNOWN_CANONICAL.encode()).hexdigest() == KNOWN_HASH
    assert event_hash(KNOWN) == KNOWN_HASH


@pytest.mark.parametrize(
    "field, value",
    [
        ("seq", 2),
        ("organisation_id", 8),
        ("actor_id", None),
        ("action", "feedback_released "),
        ("entity_type", "Visit"),
        ("entity_id", "4f1d"),
        ("summary", "Cafe — lunch"),
        ("ip", "127.0.0.1"),
        ("at", AT + timedelta(microseconds=1)),
        ("prev_hash", "1" + "0" * 63),
    ],
)
def test_every_hashed_field_changes_the_hash(field, value):
    assert event_hash({**KNOWN, field: value}) != KNOWN_HASH


def test_the_id_is_not_hashed():
    assert event_hash({**KNOWN, "id": 1}) == KNOWN_HASH


def test_one_instant_is_one_text_whatever_its_zone():
    bst = timezone(timedelta(hours=1))
    assert canonical_time(AT.astimezone(bst)) == "2026-01-05T08:00:00.000123+00:00"
    assert canonical_time(datetime(2026, 6, 1, tzinfo=UTC)) == "2026-06-01T00:00:00.000000+00:00"
    with pytest.raises(ValueError):
        canonical_time(datetime(2026, 1, 5, 8, 0))


def events(n: int) -> list[dict]:
    """``n`` chained events from the genesis."""
    made = [{**KNOWN, "summary": f"event {i}", "id": 10 + i} for i in range(1, n + 1)]
    chain(made, 0, GENESIS)
    return made


def check(feed: list[dict], head_seq: int, head_hash: str):
    checking = ChainCheck()
    for event in feed:
        if checking.feed(event):
            break
    return checking, checking.finish(head_seq, head_hash)


def test_chain_links_each_event_to_the_one_before():
    made = events(3)
    assert [e["seq"] for e in made] == [1, 2, 3]
    assert made[0]["prev_hash"] == GENESIS
    assert made[1]["prev_hash"] == made[0]["hash"] and made[2]["prev_hash"] == made[1]["hash"]
    checking, broken = check(made, 3, made[-1]["hash"])
    assert broken is None and checking.count == 3


def test_a_chain_continues_from_a_head():
    first, more = events(2), [{**KNOWN, "summary": "later"}]
    last = chain(more, 2, first[-1]["hash"])
    assert more[0]["seq"] == 3 and more[0]["prev_hash"] == first[-1]["hash"]
    assert last == more[0]["hash"]


def test_an_empty_chain_is_intact_at_the_genesis():
    assert check([], 0, GENESIS)[1] is None


def test_a_changed_event_is_named():
    made = events(4)
    made[2]["summary"] = "rewritten"
    _, broken = check(made, 4, made[-1]["hash"])
    assert (broken.seq, broken.event_id) == (3, 13)
    assert "its contents were changed" in broken.describe()
    assert broken.describe().startswith("event 3 (id 13, 2026-01-05T08:00:00.000123+00:00)")


def test_a_changed_event_whose_hash_was_recomputed_breaks_the_next_link():
    made = events(4)
    made[1]["summary"] = "rewritten"
    made[1]["hash"] = event_hash(made[1])
    _, broken = check(made, 4, made[-1]["hash"])
    assert broken.seq == 3 and "the event before it was changed or replaced" in broken.problem


def test_missing_events_in_the_middle_and_at_the_start_are_named():
    made = events(6)
    _, broken = check(made[:2] + made[4:], 6, made[-1]["hash"])
    assert broken.seq == 5 and "the events before it are missing (3 to 4)" in broken.problem
    _, broken = check(made[1:], 6, made[-1]["hash"])
    assert broken.seq == 2 and "the chain starts at 1, not 2" in broken.problem


def test_a_missing_tail_shows_against_the_head():
    made = events(5)
    _, broken = check(made[:3], 5, made[-1]["hash"])
    assert broken.seq is None
    assert broken.describe().startswith("the last 2 events are missing")
    _, broken = check(made[:4], 5, made[-1]["hash"])
    assert broken.describe().startswith("the last 1 event is missing")


def test_events_after_the_head_and_a_wrong_head_are_named():
    made = events(3)
    _, broken = check(made, 2, made[1]["hash"])
    assert "events after 2 were not written by careobs" in broken.problem
    _, broken = check(made, 3, "f" * 64)
    assert broken.problem == "the chain's head does not match event 3"


def test_the_first_break_is_kept():
    made = events(5)
    made[1]["summary"] = "first"
    made[3]["summary"] = "second"
    checking, broken = check(made, 5, made[-1]["hash"])
    assert broken.seq == 2 and checking.count == 1
    assert checking.feed(made[3]) is broken
