"""Paired sessions sent at the same instant to a real threaded server (SQLite, or PostgreSQL when
CAREOBS_TEST_DATABASE_URL is set): two second observers claiming one pair keep exactly one, and
the lead's and the second's submissions arriving together write the pair's result exactly once,
from both sessions' interactions. To make the requests overlap every time, taking the pair's
lock waits a moment (the server runs in this process)."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import sqlalchemy as sa

from careobs.quis import pairs as quis_pairs
from careobs.quis import service as quis_service
from careobs.quis.models import QuisPair, QuisSession
from careobs.quis.pair_ids import pair_id_for
from tests.factories import DataBuilder
from tests.support.quis import interaction, quis_doc
from tests.support.race import threaded_app, together
from tests.support.web import PASSWORD
from tests.sync.devices import SyncClient


@pytest.fixture
def race(database_url, tmp_path, monkeypatch):
    """Acme, a second supervisor of the care home, and a threaded server; ``connect(user)``
    gives a client logged in as that user."""
    monkeypatch.setenv("CAREOBS_INSTANCE_PATH", str(tmp_path / "instance"))
    locked = quis_pairs.lock_for_writing

    def slowly(*args, **kwargs):
        locked(*args, **kwargs)
        time.sleep(0.1)

    monkeypatch.setattr(quis_pairs, "lock_for_writing", slowly)
    clients = []
    with threaded_app(database_url, tmp_path, "pair-race") as (app, db, port):
        builder = DataBuilder(app, db, PASSWORD)
        acme = builder.organisation()
        sam = builder.user(
            acme.org, "sam@acme.test", "Sam Second", roles={acme.care_home: "manager"}
        )
        db.commit()

        def connect(user) -> SyncClient:
            client = SyncClient(port, ledger=None)
            client.log_in(user.email)
            clients.append(client)
            return client

        try:
            yield acme, sam, db, connect
        finally:
            for client in clients:
                client.close()


def post(client: SyncClient, document: dict) -> dict:
    headers = {"Content-Type": "application/json", "X-CSRFToken": client.token}
    body = json.dumps({"documents": [document]}).encode()
    reply = client.request("POST", "/api/v1/sync", body, headers)
    assert reply.status == 200, reply.body[:300]
    return reply.results[0]


def all_at_once(*sends: tuple[SyncClient, dict]) -> list[dict]:
    return together(*(lambda c=client, d=document: post(c, d) for client, document in sends))


def paired(service, pair_id, role, **fields) -> dict:
    return quis_doc(service, pair={"id": str(pair_id), "role": role}, **fields)


@pytest.mark.parametrize("lead_first", [False, True], ids=["new pair", "known pair"])
def test_two_seconds_sent_at_once_keep_exactly_one(race, lead_first):
    acme, sam, db, connect = race
    pair_id = uuid.uuid4()
    if lead_first:  # the pair is on the server: only its lock keeps the two apart
        assert post(connect(acme.supervisor), paired(acme.care_home, pair_id, "lead"))[
            "status"
        ] == ("created")
    mine = paired(acme.care_home, pair_id, "second", interactions=[interaction("PS")])
    theirs = paired(acme.care_home, pair_id, "second", interactions=[interaction("NP")])

    results = all_at_once((connect(acme.manager), mine), (connect(sam), theirs))

    assert sorted(r["status"] for r in results) == ["created", "invalid"]
    refused = next(r for r in results if r["status"] == "invalid")
    assert refused["errors"] == {
        "pair.role": ["Another observer is already the second observer of this pair."]
    }
    db.expire_all()
    (pair,) = db.scalars(sa.select(QuisPair)).all()
    assert pair.uuid == pair_id
    kept = db.scalars(
        sa.select(QuisSession).where(
            QuisSession.pair_id == pair.id, QuisSession.pair_role == "second"
        )
    ).all()
    assert [str(s.uuid) for s in kept] == [r["id"] for r in results if r["status"] == "created"]


def test_lead_and_second_submitted_at_once_write_the_result_once(race, monkeypatch):
    acme, sam, db, connect = race
    written = []
    complete = quis_service.pairs.complete_if_ready

    def counting(session, pair):
        done = complete(session, pair)
        if done:
            written.append(pair.id)
        return done

    monkeypatch.setattr(quis_service.pairs, "complete_if_ready", counting)
    carla = acme.staff_members["Carla Carer"]
    for round_ in range(3):
        pair_id = uuid.uuid4()
        lead = paired(
            acme.care_home,
            pair_id,
            "lead",
            status="submitted",
            interactions=[
                interaction("PS", staff=carla, minute=1),
                interaction("N", minute=4),
                interaction("NR", people=("R02",), minute=8),
            ],
        )
        second = paired(
            acme.care_home,
            pair_id,
            "second",
            status="submitted",
            interactions=[
                interaction("PC", staff=carla, minute=1.1),
                interaction("N", minute=4.2),
                interaction("PS", people=("R01", "R02"), minute=20),
            ],
        )

        lead_device, second_device = connect(acme.supervisor), connect(sam)
        expected = ["created", "created"]
        if round_:  # both drafts are on the server first: the submissions are new revisions
            for device, document in ((lead_device, lead), (second_device, second)):
                draft = {**document, "data": {**document["data"], "status": "draft"}}
                assert post(device, draft)["status"] == "created"
                document["revision"] = 2
            expected = ["updated", "updated"]

        results = all_at_once((lead_device, lead), (second_device, second))

        assert [r["status"] for r in results] == expected
        db.expire_all()
        pair = db.scalar(sa.select(QuisPair).where(QuisPair.uuid == pair_id))
        assert written.count(pair.id) == 1, round_
        assert pair.completed_at is not None
        assert (pair.matched, pair.lead_only, pair.second_only) == (2, 1, 1)
        assert pair.confusion[0][1] == 1 and pair.confusion[2][2] == 1


def test_two_links_to_one_pair_at_once_keep_exactly_one(race, monkeypatch):
    """Mo and Sam each recorded the same lunch unpaired, and both link their session to Sue's
    pair at the same instant (Sam from two tabs): one link is made, the others are refused."""
    acme, sam, db, connect = race
    service_lock = quis_service.lock_for_writing

    def slowly(*args, **kwargs):
        service_lock(*args, **kwargs)
        time.sleep(0.1)

    monkeypatch.setattr(quis_service, "lock_for_writing", slowly)
    pair_id = uuid.uuid4()
    sue, mo, sam_tab, sam_other_tab = (
        connect(acme.supervisor),
        connect(acme.manager),
        connect(sam),
        connect(sam),
    )
    lead = paired(acme.care_home, pair_id, "lead", status="submitted")
    lead["data"]["interactions"] = [interaction("PS", minute=1)]
    assert post(sue, lead)["status"] == "created"
    mine = quis_doc(acme.care_home, status="submitted", interactions=[interaction("PS")])
    theirs = quis_doc(acme.care_home, status="submitted", interactions=[interaction("PC")])
    assert post(mo, mine)["status"] == "created"
    assert post(sam_tab, theirs)["status"] == "created"

    def link(client, document):
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": client.token,
        }
        path = f"/quis/pairs/link/{document['id']}"
        return client.request("POST", path, f"pair={pair_id}".encode(), headers)

    replies = together(
        lambda: link(mo, mine), lambda: link(sam_tab, theirs), lambda: link(sam_other_tab, theirs)
    )

    assert sorted(r.status for r in replies) == [302, 409, 409], [
        (r.status, r.body[:200]) for r in replies
    ]
    db.expire_all()
    pair = db.scalar(sa.select(QuisPair).where(QuisPair.uuid == pair_id))
    seconds = db.scalars(
        sa.select(QuisSession).where(
            QuisSession.pair_id == pair.id, QuisSession.pair_role == "second"
        )
    ).all()
    assert len(seconds) == 1
    assert pair.completed_at is not None and pair.matched == 1
    assert pair.confusion[0][0 if seconds[0].observer_id == acme.manager.id else 1] == 1


def test_a_pair_announced_three_times_at_once_is_made_once(race):
    """The lead's device retrying its announcement (and a second tab) at the same instant."""
    acme, _, db, connect = race
    code = "K7P2QD"
    body = json.dumps(
        {
            "id": str(pair_id_for(acme.care_home.uuid, code)),
            "service_id": str(acme.care_home.uuid),
            "area_id": None,
            "code": code,
        }
    ).encode()
    clients = [connect(acme.supervisor) for _ in range(3)]
    headers = {"Content-Type": "application/json"}

    def announce(client):
        return client.request(
            "POST", "/api/v1/quis/pairs", body, headers | {"X-CSRFToken": client.token}
        )

    replies = together(*(lambda c=client: announce(c) for client in clients))
    assert sorted(r.status for r in replies) == [200, 200, 201], [r.body for r in replies]
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(QuisPair)) == 1


def test_two_batches_naming_two_pairs_in_opposite_orders_neither_deadlocks(race, caplog):
    """Sue's batch leads pairs P then Q, Mo's seconds Q then P, at once. Each pair's lock waits a
    moment once taken, so taken in the documents' order the two would each hold one pair and
    wait for the other (PostgreSQL: a deadlock, the batch run again); the sync takes the
    batch's pair locks first, sorted, so the second batch simply waits for the first."""
    acme, _sam, db, connect = race
    first, second = uuid.uuid4(), uuid.uuid4()
    sue, mo = connect(acme.supervisor), connect(acme.manager)
    batches = [
        (sue, [paired(acme.care_home, first, "lead"), paired(acme.care_home, second, "lead")]),
        (mo, [paired(acme.care_home, second, "second"), paired(acme.care_home, first, "second")]),
    ]

    def run(client: SyncClient, documents: list):
        headers = {"Content-Type": "application/json", "X-CSRFToken": client.token}
        body = json.dumps({"documents": documents}).encode()
        return client.request("POST", "/api/v1/sync", body, headers)

    with caplog.at_level("WARNING", logger="careobs.sync.service"):
        replies = together(*(lambda b=batch: run(*b) for batch in batches))
    assert [r.status for r in replies] == [200, 200]
    assert [s["status"] for r in replies for s in r.results] == ["created"] * 4
    assert not [r for r in caplog.records if "tried again" in r.getMessage()]
    db.expire_all()
    roles = db.execute(
        sa.select(QuisPair.uuid, QuisSession.pair_role).join(
            QuisSession, QuisSession.pair_id == QuisPair.id
        )
    ).all()
    assert sorted((str(p), r) for p, r in roles) == sorted(
        (str(p), r) for p in (first, second) for r in ("lead", "second")
    )
