"""A poison document inside an otherwise good batch: it alone is ``invalid``, with the path of
the field at fault, nothing of it is written, and the good documents around it are ``created``.

Poisons: text no database can store (a NUL, a lone surrogate), times no database can store or
believe (years 9999 and 1 with offsets that push them past the calendar, a session dated 2200),
repeated child ids, data nested 100,000 levels deep and an integer of 401 digits. The lone
surrogate and the deep nesting are written into the raw body, as Python's json module will not
write them.
"""

from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa

from careobs.quis.models import QuisInteraction
from careobs.visits.models import VisitAction
from tests.sync.census import quarantined
from tests.sync.documents import batch_body, quis_session, spot_check

DEEP = 100_000
IN_2200 = {
    "started_at": "2200-01-01T12:00:00+00:00",
    "ended_at": "2200-01-01T12:30:00+00:00",
}


def nul_in_a_note(place):
    document = quis_session(place, size=5)
    document["data"]["interactions"][0]["note"] = "a\u0000b"
    return document, "interactions[0].note", None


def lone_surrogate(place):
    document = quis_session(place, size=5, notes="LONE-SURROGATE")
    return document, "notes", {'"LONE-SURROGATE"': '"a\\ud800b"'}


def year_9999_with_an_offset(place):
    start = "9999-12-31T23:30:00-05:00"  # a draft not ended yet: only its start is wrong
    document = quis_session(place, size=5, started_at=start, ended_at=None)
    return document, "started_at", None


def year_1_with_an_offset(place):
    document = quis_session(place, size=5)
    document["data"]["interactions"][0]["at"] = "0001-01-01T00:15:00+01:00"
    return document, "interactions[0].at", None


def a_session_dated_2200(place):
    document = quis_session(place, size=5, **IN_2200)
    for interaction in document["data"]["interactions"]:
        interaction["at"] = "2200-01-01T12:10:00+00:00"
    return document, "started_at", None


def a_visit_in_year_9999(place):
    document = spot_check(place, arrived_at="9999-12-31T23:59:00-01:00", left_at=None)
    return document, "arrived_at", None


def repeated_action_ids(place):
    document = spot_check(place, actions=2)
    actions = document["data"]["actions"]
    actions[1]["id"] = actions[0]["id"]
    return document, "actions[1].id", None


def repeated_interaction_ids(place):
    document = quis_session(place, size=5)
    interactions = document["data"]["interactions"]
    interactions[1]["id"] = interactions[0]["id"]
    return document, "interactions[1].id", None


def nested_100000_deep(place):
    document = quis_session(place, size=5, notes="DEEP-NESTING")
    return document, "notes", {'"DEEP-NESTING"': "[" * DEEP + "]" * DEEP}


def a_401_digit_integer(place):
    document = quis_session(place, size=5, planned_minutes=10**400)
    return document, "planned_minutes", None


POISONS = [
    nul_in_a_note,
    lone_surrogate,
    year_9999_with_an_offset,
    year_1_with_an_offset,
    a_session_dated_2200,
    a_visit_in_year_9999,
    repeated_action_ids,
    repeated_interaction_ids,
    nested_100000_deep,
    a_401_digit_integer,
]


def squashed(path: str) -> str:
    """A field path without punctuation: ``interactions[0].at`` and ``interactions.0.at`` match."""
    return re.sub(r"[^a-z0-9]", "", path.lower())


def child_rows(engine, document: dict) -> int:
    """Interaction and action rows carrying one of the document's child ids."""
    data = document["data"]
    ids = [uuid.UUID(c["id"]) for c in data.get("interactions", []) + data.get("actions", [])]
    with engine.connect() as conn:
        return sum(
            conn.scalar(sa.select(sa.func.count()).where(column.in_(ids)))
            for column in (QuisInteraction.uuid, VisitAction.uuid)
        )


@pytest.mark.parametrize("make", POISONS, ids=lambda make: make.__name__)
def test_a_poison_document_is_invalid_and_the_rest_of_its_batch_is_stored(
    connect, place, census, census_engine, make
):
    client = connect()
    poison, path, replace = make(place)
    batch = [quis_session(place, size=50), poison, spot_check(place, actions=1)]

    reply = client.send(batch, body=batch_body(batch, replace))

    assert reply.status == 200, reply
    good_first, answer, good_last = reply.results
    assert (good_first["status"], good_last["status"]) == ("created", "created"), reply.results
    assert answer["id"] == poison["id"]
    assert answer["status"] == "invalid", answer
    fields = list(answer.get("errors") or {})
    assert any(squashed(path) in squashed(f) for f in fields), f"no {path!r} in {fields}"
    census()
    assert child_rows(census_engine, poison) == 0
    assert quarantined(census_engine, poison["id"]) == []
