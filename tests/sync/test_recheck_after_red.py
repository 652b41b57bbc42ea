"""A red visit books its re-check once, however often and however many devices send it at once.

Several logged-in clients send the same submitted red visit to the threaded server at the same
instant: one is ``created``, the rest ``unchanged``, and exactly one re-check booking names the
visit. The same holds when a draft's submission is sent twice at once.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from careobs.actions.models import RecheckBooking
from careobs.visits.models import MonitoringVisit
from tests.sync.devices import Send, assert_ok, at_once
from tests.sync.documents import spot_check


def red(document: dict, place) -> dict:
    """The document with its first critical item Not met: red whatever the score."""
    critical = next(item.id for item in place.checklist.items if item.critical)
    for answer in document["data"]["answers"]:
        if answer["item_id"] == critical:
            answer["rating"] = "not_met"
    return document


def bookings_of(engine, document: dict) -> list[tuple]:
    """(due date, focus keys, fulfilled?) of each booking made by the visit with this id."""
    visit = MonitoringVisit.__table__
    booking = RecheckBooking.__table__
    with engine.connect() as conn:
        return [
            (row.due_by, len(row.focus_item_keys), row.fulfilled_at is not None)
            for row in conn.execute(
                sa.select(booking)
                .join(visit, visit.c.id == booking.c.after_visit_id)
                .where(visit.c.uuid == uuid.UUID(document["id"]))
            )
        ]


def band_and_due(engine, document: dict) -> tuple:
    visit = MonitoringVisit.__table__
    with engine.connect() as conn:
        return conn.execute(
            sa.select(visit.c.band, visit.c.next_check_on).where(
                visit.c.uuid == uuid.UUID(document["id"])
            )
        ).one()


def test_the_same_red_visit_sent_at_once_from_three_clients_books_once(
    connect, place, census, census_engine
):
    clients = [connect() for _ in range(3)]
    visit = red(spot_check(place, status="submitted"), place)

    replies = at_once(*(Send(client, [visit]) for client in clients))

    assert_ok(*replies)
    assert sorted(status for r in replies for status in r.statuses) == [
        "created",
        "unchanged",
        "unchanged",
    ]
    census(only=[visit["id"]])
    band, due = band_and_due(census_engine, visit)
    assert band == "red"
    assert bookings_of(census_engine, visit) == [(due, 1, False)]


def test_a_draft_submitted_twice_at_once_books_once(connect, place, census, census_engine):
    first, second = connect(), connect()
    draft = red(spot_check(place, status="draft"), place)
    assert first.send([draft]).statuses == ["created"]
    assert bookings_of(census_engine, draft) == []
    submitted = red(spot_check(place, id=draft["id"], revision=2, status="submitted"), place)

    replies = at_once(Send(first, [submitted]), Send(second, [submitted]))

    assert_ok(*replies)
    assert sorted(status for r in replies for status in r.statuses) == ["unchanged", "updated"]
    census(only=[draft["id"]])
    _band, due = band_and_due(census_engine, submitted)
    assert bookings_of(census_engine, submitted) == [(due, 1, False)]
