"""The same new documents arriving in several requests at once: each is stored exactly once.

Two sessions of one user send [P, Q] and [Q, P] at the same instant (on PostgreSQL each request
then holds a row the other wants next); two sessions send the same batch at once; ten requests
carry the same batch at once (a device retrying in a storm). Every request is answered 200, each
document is ``created`` exactly once and ``unchanged`` everywhere else, and the census finds one
whole copy of each.
"""

from __future__ import annotations

from collections import Counter

from tests.sync.devices import Send, assert_ok, at_once
from tests.sync.documents import quis_session, spot_check


def statuses_by_document(replies, documents) -> dict[str, Counter]:
    """For each document, how often each status was answered across the replies."""
    seen: dict[str, Counter] = {d["id"]: Counter() for d in documents}
    for reply in replies:
        for result in reply.results:
            seen[result["id"]][result["status"]] += 1
    return seen


def test_opposite_order_batches_from_two_sessions(connect, place, census):
    a, b = connect(), connect()
    for _ in range(4):
        p, q = quis_session(place, size=500), quis_session(place, size=500)
        visit = spot_check(place, actions=2)
        replies = at_once(Send(a, [p, q, visit]), Send(b, [visit, q, p]))
        assert_ok(*replies)
        census()
        seen = statuses_by_document(replies, [p, q, visit])
        assert all(c == Counter(created=1, unchanged=1) for c in seen.values()), seen


def test_the_same_batch_from_two_sessions_at_once(connect, place, census):
    a, b = connect(), connect()
    for _ in range(3):
        batch = [quis_session(place, size=300), quis_session(place, size=300), spot_check(place)]
        replies = at_once(Send(a, batch), Send(b, batch))
        assert_ok(*replies)
        census()
        seen = statuses_by_document(replies, batch)
        assert all(c == Counter(created=1, unchanged=1) for c in seen.values()), seen


def test_a_resend_storm_of_one_batch(connect, place, census):
    clients = [connect() for _ in range(10)]
    batch = [
        quis_session(place, size=300),
        quis_session(place, size=300, status="submitted"),
        spot_check(place, actions=1, status="submitted"),
    ]
    replies = at_once(*(Send(client, batch) for client in clients))
    assert_ok(*replies)
    census()
    seen = statuses_by_document(replies, batch)
    assert all(c == Counter(created=1, unchanged=9) for c in seen.values()), seen
