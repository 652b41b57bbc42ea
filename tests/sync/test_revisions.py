"""Two revisions of one document racing on two connections: the highest acknowledged one wins.

X is stored at revision 1. Request A sends revision 2, a draft that takes the server a while
(3,000 interactions, or queued behind large unchanged documents); request B sends revision 3,
submitted and small, a little before or after. Whatever the order, B is ``updated``, A is
``updated`` or ``stale``, and the database holds revision 3 whole: its row, its children, its
counts. Resending revision 3 afterwards is ``unchanged``, and revision 2 is ``stale``.

The window that matters is while the server works on A: after it has read what it holds for X
and before it writes X. How long that is depends on the machine and the database, so each round
gives A or B a head start that is a fraction of how long A's batch takes on its own here.
"""

from __future__ import annotations

import time

from tests.sync.devices import Send, assert_ok, at_once
from tests.sync.documents import quis_session, spot_check

# Per round: (delay of A, delay of B), as fractions of the time A's batch takes on its own.
A_FIRST = [(0.0, 0.15), (0.0, 0.4)]
B_FIRST = [(0.1, 0.0)]
TOGETHER = [(0.0, 0.0)]


def timed(client, documents) -> float:
    """How long the server takes to answer this batch on its own (it must answer 200)."""
    started = time.perf_counter()
    reply = client.send(documents)
    assert reply.status == 200, reply
    return time.perf_counter() - started


def race(a, b, a_documents, b_document, delays, ledger, census) -> dict[str, str]:
    """Send A's batch and B's revision at once; check what is stored, the statuses, and that
    resending the winner is ``unchanged`` and A's revision ``stale``. Returns the statuses of
    A's documents by id."""
    document_id = b_document["id"]
    reply_a, reply_b = at_once(
        Send(a, a_documents, delay=delays[0]), Send(b, [b_document], delay=delays[1])
    )
    assert_ok(reply_a, reply_b)
    census(only=[document_id])
    assert reply_b.statuses == ["updated"], reply_b.results
    statuses_a = dict(zip((d["id"] for d in a_documents), reply_a.statuses, strict=True))
    assert statuses_a[document_id] in ("updated", "stale"), reply_a.results
    highest = ledger.highest(document_id)
    assert highest["revision"] == 3
    assert b.send([highest]).statuses == ["unchanged"]
    lower = next(d for d in a_documents if d["id"] == document_id)
    assert a.send([lower]).statuses == ["stale"], "revision 2 again, after revision 3"
    census(only=[document_id])
    return statuses_a


def test_a_large_draft_racing_a_small_submission_of_one_session(connect, place, census, ledger):
    a, b = connect(), connect()
    took = timed(a, [quis_session(place, size=3000)])
    for fractions in [*A_FIRST, *B_FIRST, *TOGETHER]:
        first = quis_session(place, revision=1, size=3)
        assert a.send([first]).statuses == ["created"]
        large = quis_session(place, id=first["id"], revision=2, size=3000)
        small = quis_session(place, id=first["id"], revision=3, size=3, status="submitted")
        race(a, b, [large], small, [f * took for f in fractions], ledger, census)
    census()


def test_a_draft_behind_large_unchanged_documents(connect, place, census, ledger):
    a, b = connect(), connect()
    ahead = [quis_session(place, size=1500) for _ in range(3)]
    assert a.send(ahead).statuses == ["created"] * 3
    took = timed(a, ahead)
    for fractions in A_FIRST:
        first = quis_session(place, revision=1, size=3)
        assert a.send([first]).statuses == ["created"]
        draft = quis_session(place, id=first["id"], revision=2, size=40)
        small = quis_session(place, id=first["id"], revision=3, size=3, status="submitted")
        delays = [f * took for f in fractions]
        statuses = race(a, b, [*ahead, draft], small, delays, ledger, census)
        assert [statuses[d["id"]] for d in ahead] == ["unchanged"] * 3
    census()


def test_a_visit_draft_behind_a_large_session_racing_its_submission(connect, place, census, ledger):
    a, b = connect(), connect()
    ahead = quis_session(place, size=3000)
    assert a.send([ahead]).statuses == ["created"]
    took = timed(a, [ahead])
    for fractions in [*A_FIRST, *B_FIRST]:
        first = spot_check(place, revision=1, answered=5, actions=1)
        assert a.send([first]).statuses == ["created"]
        draft = spot_check(place, id=first["id"], revision=2, answered=20, actions=3)
        submitted = spot_check(place, id=first["id"], revision=3, actions=2, status="submitted")
        delays = [f * took for f in fractions]
        statuses = race(a, b, [ahead, draft], submitted, delays, ledger, census)
        assert statuses[ahead["id"]] == "unchanged"
    census()
