"""The demo's conversations: Rosewood House's two past draws of people with everyone followed
up (one declined, one not available), and two of Riverside's three drawn this morning asked;
loading again adds none."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.actions.models import Action
from careobs.db import get_session
from careobs.demo import RIVERSIDE, load_demo
from careobs.org.models import Service
from careobs.voice.models import Conversation
from tests.support.demo import load_demo_once


def test_the_demo_has_conversations_from_past_draws(app):
    with app.app_context():
        db = get_session()
        load_demo_once(db)
        load_demo(db)  # again: nothing added twice
        rows = db.execute(
            sa.select(Service.name, Conversation.outcome, sa.func.count())
            .join(Service, Service.id == Conversation.service_id)
            .group_by(Service.name, Conversation.outcome)
            .order_by(Service.name, Conversation.outcome)
        ).all()
        assert [tuple(r) for r in rows] == [
            (RIVERSIDE, "asked", 3),  # with the quality checker's (careobs/checkers/demo.py)
            ("Rosewood House", "asked", 4),
            ("Rosewood House", "declined", 1),
            ("Rosewood House", "not_available", 1),
        ]
        # Each conversation with a "disagree" raised one follow-up (SAID[1]: at Rosewood and
        # Riverside); every conversation is submitted.
        assert db.scalar(sa.select(sa.func.count()).where(Action.source == "voice")) == 2
        statuses = set(db.scalars(sa.select(Conversation.status)))
        assert statuses == {"submitted"}
