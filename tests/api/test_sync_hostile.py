"""POST /api/v1/sync with input no honest device sends: each such document is answered
``invalid`` with a field path, nothing of it is written, and the good documents around it in the
same batch are stored (the sync core's one-transaction-per-document contract)."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError

from careobs.audit.models import AuditEvent
from careobs.db import utcnow
from careobs.quis import service as quis_service
from careobs.quis.models import QuisInteraction, QuisSession
from careobs.sync import payload
from careobs.sync.models import QuarantinedDocument
from tests.support.database import count
from tests.support.quis import interaction, quis_doc
from tests.support.sync import SYNC_URL, iso, revise


def post_raw(client, body: str):
    """Send a body exactly as written (for JSON that Python's json module cannot produce)."""
    return client.post(SYNC_URL, data=body.encode(), content_type="application/json")


def stored_ids(db) -> set[str]:
    db.expire_all()
    return {str(u) for u in db.scalars(sa.select(QuisSession.uuid))}


def results_of(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["results"]


POISON_FIELDS = {
    "a NUL character": ({"notes": "a\u0000b"}, "notes"),
    "a NUL character in a field name": ({"odd\u0000key": 1}, "data"),
    "a NUL character deep in an interaction": (
        {"interactions": [interaction("PS", note="x\u0000")]},
        "interactions[0].note",
    ),
    "an infinite number": ({"staff_on_duty": float("inf")}, "staff_on_duty"),
    "a session in 2200": ({"started_at": "2200-01-01T10:00:00+00:00"}, "started_at"),
    "the calendar's last hour": ({"started_at": "9999-12-31T23:00:00+00:00"}, "started_at"),
    "the calendar's end west of UTC": ({"ended_at": "9999-12-31T23:59:59-14:00"}, "ended_at"),
    "the calendar's first day": ({"started_at": "0001-01-01T00:00:00+00:00"}, "started_at"),
    "before the calendar in UTC": ({"started_at": "0001-01-01T00:30:00+01:00"}, "started_at"),
    "the year 1999": ({"started_at": "1999-12-31T23:59:59+00:00"}, "started_at"),
    "an interaction at the calendar's end": (
        {"interactions": [interaction("PS", at="9999-12-31T23:59:59-14:00")]},
        "interactions[0].at",
    ),
    "an interaction two days ahead": (
        {"interactions": [interaction("PS", at=iso(utcnow() + timedelta(days=2)))]},
        "interactions[0].at",
    ),
    "nesting 20 levels deep": ({"notes": json.loads("[" * 20 + "]" * 20)}, "notes"),
}


@pytest.mark.parametrize("case", POISON_FIELDS, ids=list(POISON_FIELDS))
def test_a_poison_document_is_invalid_and_the_good_ones_around_it_are_stored(
    case, sync, auth, db, org
):
    fields, path = POISON_FIELDS[case]
    before, after = quis_doc(org.care_home), quis_doc(org.care_home)
    poison = quis_doc(org.care_home, **fields)
    auth.login(org.supervisor)

    results = sync(before, poison, after)

    assert [r["status"] for r in results] == ["created", "invalid", "created"]
    assert results[1]["id"] == poison["id"]
    assert path in results[1]["errors"], results[1]["errors"]
    assert stored_ids(db) == {before["id"], after["id"]}


def test_a_lone_surrogate_is_invalid_and_its_neighbours_are_stored(client, auth, db, org):
    good = quis_doc(org.care_home)
    poison = quis_doc(org.care_home, notes="SURROGATE")
    auth.login(org.supervisor)
    body = json.dumps({"documents": [poison, good]}).replace("SURROGATE", "\\ud800")

    results = results_of(post_raw(client, body))

    assert [r["status"] for r in results] == ["invalid", "created"]
    assert "unpaired surrogate" in results[0]["errors"]["notes"][0]
    assert stored_ids(db) == {good["id"]}


def test_a_lone_surrogate_in_the_id_is_answered_without_echoing_it(client, auth, db, org):
    good = quis_doc(org.care_home)
    poison = {**quis_doc(org.care_home), "id": "SURROGATE"}
    auth.login(org.supervisor)
    body = json.dumps({"documents": [poison, good]}).replace("SURROGATE", "\\udfff")

    results = results_of(post_raw(client, body))

    assert results[0] == {"id": None, "status": "invalid", "errors": {"id": ["Must be a UUID."]}}
    assert results[1]["status"] == "created"


def test_json_nested_100000_levels_deep_refuses_only_its_document(client, auth, db, org):
    good = quis_doc(org.care_home)
    poison = quis_doc(org.care_home, notes="DEEP")
    auth.login(org.supervisor)
    deep = "[" * 100_000 + "]" * 100_000
    body = json.dumps({"documents": [good, poison]}).replace('"DEEP"', deep)

    results = results_of(post_raw(client, body))

    assert [r["status"] for r in results] == ["created", "invalid"]
    assert results[1]["id"] == poison["id"]
    [(path, messages)] = results[1]["errors"].items()
    assert path.startswith("notes[0]") and "levels deep" in messages[0]
    assert stored_ids(db) == {good["id"]}


def test_an_id_nested_too_deep_is_answered_as_unreadable(client, auth, db, org):
    good = quis_doc(org.care_home)
    auth.login(org.supervisor)
    body = json.dumps({"documents": [{"id": "DEEP"}, good]}).replace(
        '"DEEP"', "[" * 5000 + "]" * 5000
    )

    results = results_of(post_raw(client, body))

    assert results[0]["status"] == "invalid" and results[0]["id"] is None
    assert results[1]["status"] == "created"


@pytest.mark.parametrize(
    "body",
    ['{"documents": [' + "[" * 100_000, "\ufeff{", '{"documents": [1e999999999999999999]}'],
    ids=["unclosed deep nesting", "a byte order mark", "an absurd number"],
)
def test_a_body_that_cannot_be_read_is_a_400(client, auth, db, org, body):
    auth.login(org.supervisor)
    response = post_raw(client, body)
    if body.startswith('{"documents": [1e'):
        # Python reads 1e999… as infinity: the body parses, its one document is invalid.
        assert results_of(response)[0]["status"] == "invalid"
    else:
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "malformed_json"
    assert count(db, QuisSession) == 0


def test_bytes_that_are_not_utf8_are_a_400(client, auth, db, org):
    auth.login(org.supervisor)
    response = client.post(
        SYNC_URL, data=b'{"documents": ["\xff"]}', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "malformed_json"


def test_a_repeated_interaction_id_is_invalid(sync, auth, db, org):
    twin = interaction("PS")
    poison = quis_doc(org.care_home, interactions=[twin, {**twin, "category": "NR"}])
    auth.login(org.supervisor)

    [answer] = sync(poison)

    assert answer["status"] == "invalid"
    assert answer["errors"]["interactions[1].id"] == ["Repeated interaction id."]
    assert count(db, QuisInteraction) == 0


def test_interaction_ids_are_unique_within_their_session_only(sync, auth, db, org):
    shared = interaction("PS")
    first = quis_doc(org.care_home, interactions=[shared])
    second = quis_doc(org.care_home, interactions=[shared])
    auth.login(org.supervisor)

    assert [r["status"] for r in sync(first, second)] == ["created", "created"]
    assert count(db, QuisInteraction) == 2


def failing_create(error: Exception, poison_id: str):
    """quis_service.create, raising ``error`` (after writing rows) for one document only."""
    real = quis_service.create

    def create(db, user, document_id, *args):
        stored = real(db, user, document_id, *args)
        if str(document_id) == poison_id:
            raise error
        return stored

    return create


@pytest.mark.parametrize(
    "error",
    [
        IntegrityError("INSERT", {}, Exception("duplicate key")),
        OperationalError("INSERT", {}, Exception("disk I/O error")),
        OverflowError("date value out of range"),
    ],
    ids=["integrity error every time", "database error", "unexpected error"],
)
def test_a_document_that_fails_every_time_is_invalid_and_writes_nothing(
    error, sync, auth, db, org, monkeypatch, caplog
):
    good, poison, last = (quis_doc(org.care_home, interactions=[interaction()]) for _ in range(3))
    monkeypatch.setattr(quis_service, "create", failing_create(error, poison["id"]))
    auth.login(org.supervisor)

    results = sync(good, poison, last)

    assert [r["status"] for r in results] == ["created", "invalid", "created"]
    assert stored_ids(db) == {good["id"], last["id"]}
    assert count(db, QuisInteraction) == 2  # the poison's rows were rolled back
    assert count(db, AuditEvent, AuditEvent.action.like("quis_session_%")) == 2


def test_a_harmless_backslash_u0000_text_is_stored(sync, auth, db, org):
    document = quis_doc(org.care_home, notes="The code \\u0000 is not a NUL character.")
    auth.login(org.supervisor)
    assert sync(document)[0]["status"] == "created"
    assert sync(document)[0]["status"] == "unchanged"


def test_the_same_conflicting_copy_sent_again_is_kept_once(sync, auth, db, org):
    document = quis_doc(org.care_home, status="submitted")
    auth.login(org.supervisor)
    sync(document)
    rival = revise(document, 2, notes="Edited after submitting.")

    answers = [sync(rival)[0] for _ in range(3)] + sync(rival, rival)

    assert {a["status"] for a in answers} == {"conflict"}
    kept = list(db.scalars(sa.select(QuarantinedDocument)))
    assert len(kept) == 1
    assert kept[0].content_hash == payload.fingerprint(rival["data"])
    another = revise(document, 3, notes="A different edit.")
    assert sync(another)[0]["status"] == "conflict"
    assert count(db, QuarantinedDocument) == 2


def test_a_document_revised_twice_in_one_batch_ends_at_the_last_revision(sync, auth, db, org):
    document = quis_doc(org.care_home, interactions=[interaction("PS")])
    second = revise(document, 2, interactions=[interaction("PC"), interaction("N")])
    third = revise(document, 3, status="submitted", interactions=[interaction("NR")])
    auth.login(org.supervisor)

    results = sync(document, second, third, second)

    assert [r["status"] for r in results] == ["created", "updated", "updated", "stale"]
    assert count(db, QuarantinedDocument) == 0
    db.expire_all()
    session = db.scalar(sa.select(QuisSession).where(QuisSession.uuid == uuid.UUID(document["id"])))
    assert (session.revision, session.status, session.n_nr, session.n_pc) == (3, "submitted", 1, 0)
    assert count(db, QuisInteraction) == 1
