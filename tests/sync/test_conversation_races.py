"""Two devices record a conversation with the same person from the same draw at the same
instant (the threaded server of tests/sync/conftest.py): one is stored, the other is answered
``invalid`` saying the person's conversation is already recorded, and its follow-ups are
raised once. The same conversation sent from two sessions at once is stored once."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.actions.models import Action
from careobs.org.models import Person, Service
from careobs.selection import service as selection
from careobs.selection.models import SelectionDraw
from careobs.voice.documents import already_recorded
from careobs.voice.models import Conversation, ConversationAction
from tests.support.voice import conversation_doc, follow_up
from tests.sync.devices import Send, assert_ok, at_once


@pytest.fixture(scope="module")
def draw(sync_app, place) -> SelectionDraw:
    """A draw of people in Acme's homecare, made once for this module (both H01 and H02)."""
    db = sync_app.extensions["careobs.sessionmaker"]()
    try:
        homecare = db.scalar(sa.select(Service).where(Service.uuid == uuid.UUID(place.homecare)))
        user = db.scalar(sa.select(User).where(User.email == place.supervisor))
        previous = selection.previous_draw(db, homecare, "people")
        made = selection.make_draw(
            db, user, homecare, "people", 2, date.today(), "race tests" if previous else None
        )
        db.commit()
        db.expunge(made)
        return made
    finally:
        db.close()


def stored(engine, draw_id: int, code: str) -> tuple[int, int]:
    """(conversations, actions raised from them) for this draw and person."""
    with engine.connect() as conn:
        ids = conn.scalars(
            sa.select(Conversation.id)
            .join(Person, Person.id == Conversation.person_id)
            .where(Conversation.draw_id == draw_id, Person.code == code)
        ).all()
        actions = conn.scalar(
            sa.select(sa.func.count(Action.id)).where(
                Action.id.in_(
                    sa.select(ConversationAction.action_id).where(
                        ConversationAction.conversation_id.in_(ids)
                    )
                ),
                Action.source == "voice",
            )
        )
    return len(ids), actions


def test_two_devices_recording_the_same_person_end_with_one_conversation(
    connect, draw, census_engine
):
    first, second = connect(), connect()
    mine = conversation_doc(draw, "H01", actions=[follow_up()])
    theirs = conversation_doc(draw, "H01", actions=[follow_up("Another follow-up.")])

    replies = at_once(Send(first, [mine]), Send(second, [theirs]))

    assert_ok(*replies)
    results = [r.results[0] for r in replies]
    assert sorted(r["status"] for r in results) == ["created", "invalid"]
    refused = next(r for r in results if r["status"] == "invalid")
    assert refused["errors"] == {"person_code": [already_recorded("H01")]}
    assert stored(census_engine, draw.id, "H01") == (1, 1)


def test_the_same_conversation_sent_at_once_from_two_sessions_is_stored_once(
    connect, draw, census_engine
):
    clients = [connect() for _ in range(3)]
    document = conversation_doc(draw, "H02", actions=[follow_up()])

    replies = at_once(*(Send(client, [document]) for client in clients))

    assert_ok(*replies)
    assert sorted(s for r in replies for s in r.statuses) == ["created", "unchanged", "unchanged"]
    assert stored(census_engine, draw.id, "H02") == (1, 1)
