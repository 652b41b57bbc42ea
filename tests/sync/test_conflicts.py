"""A submitted document is immutable: a different copy of it is a ``conflict``, kept once.

The same conflicting copy (a higher revision with other content) is sent five times one after
another, and five times at once from five sessions: every answer is ``conflict``, the submitted
document stays as it was, and the quarantine holds exactly one row for that document and
content. A second, different conflicting copy is kept once more, beside the first.
"""

from __future__ import annotations

from collections import Counter

from tests.sync.census import canonical, quarantined
from tests.sync.devices import Send, assert_ok, at_once
from tests.sync.documents import quis_session, spot_check


def times_kept(engine, *copies: dict) -> list[int]:
    """How many quarantined rows hold each copy (all of one document), then how many rows of
    that document hold anything else, if any do."""
    rows = Counter(quarantined(engine, copies[0]["id"]))
    counts = [rows.pop((c["revision"], canonical(c["data"])), 0) for c in copies]
    return counts + ([rows.total()] if rows else [])


def test_the_same_conflicting_copy_sent_five_times(connect, place, census, census_engine):
    client = connect()
    submitted = quis_session(place, size=3, status="submitted")
    assert client.send([submitted]).statuses == ["created"]
    changed = quis_session(place, id=submitted["id"], revision=2, size=3, status="submitted")

    for _ in range(5):
        reply = client.send([changed])
        assert reply.status == 200, reply
        assert reply.statuses == ["conflict"], reply.results
    census()
    assert times_kept(census_engine, changed) == [1]

    other = quis_session(place, id=submitted["id"], revision=3, size=1, status="submitted")
    assert client.send([other]).statuses == ["conflict"]
    assert client.send([changed]).statuses == ["conflict"]
    census()
    assert times_kept(census_engine, changed, other) == [1, 1]
    assert client.send([submitted]).statuses == ["unchanged"]


def test_the_same_conflicting_copies_sent_five_times_at_once(connect, place, census, census_engine):
    clients = [connect() for _ in range(5)]
    session = quis_session(place, size=3, status="submitted")
    visit = spot_check(place, actions=1, status="submitted")
    assert clients[0].send([session, visit]).statuses == ["created", "created"]
    changed = [
        quis_session(place, id=session["id"], revision=2, size=30, status="submitted"),
        spot_check(place, id=visit["id"], revision=2, actions=2, status="submitted"),
    ]

    replies = at_once(*(Send(client, changed) for client in clients))

    assert_ok(*replies)
    assert [r.statuses for r in replies] == [["conflict", "conflict"]] * 5
    census()
    for copy in changed:
        assert times_kept(census_engine, copy) == [1], copy["kind"]
