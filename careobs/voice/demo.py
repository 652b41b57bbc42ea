"""The demo's conversations: two past draws of people at Rosewood House, everyone followed up
(one declined, one not available), and this morning's draw at Riverside Homecare (from
careobs.selection.demo) with two of its three asked and one not yet."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.capture.answers import CleanAction
from careobs.org.models import Person
from careobs.selection import service as selection
from careobs.selection.models import SelectionDraw
from careobs.voice import documents, service
from careobs.voice.models import Conversation
from careobs.voice.questions import QUESTIONS

# What each person asked said, statement by statement (the set's order), by their place in
# the draw; "declined" and "not_available" record why someone was not asked.
SAID = (
    ("strongly_agree", "agree", "agree", "agree", "strongly_agree", "agree", "agree"),
    ("agree", "agree", "strongly_agree", "disagree", "agree", "neither", "agree"),
    "declined",
    ("agree", "strongly_agree", "agree", "agree", "agree", "agree", "prefer_not_to_say"),
    "not_available",
    ("strongly_agree", "strongly_agree", "agree", "agree", "neither", "agree", "agree"),
)
FOLLOW_UP = "Tell the person who will cover their calls when their regular carer is away."


def load(session: Session, rosewood, riverside, manager, supervisor, today: date) -> None:
    """Add the conversations once (an organisation that has some is left as it is)."""
    if session.scalar(
        sa.select(Conversation.id).where(Conversation.organisation_id == rosewood.organisation_id)
    ):
        return
    zone = ZoneInfo(rosewood.organisation.timezone)
    said = iter(SAID)
    for weeks_ago in (8, 4):
        day = today - timedelta(weeks=weeks_ago)
        draw = selection.make_draw(session, manager, rosewood, "people", 3, day)
        draw.created_at = datetime.combine(day, time(10, 0), tzinfo=zone)
        session.flush()
        for row in draw.result:
            started = draw.created_at + timedelta(days=2, hours=1)
            _record(session, supervisor, draw, row["label"], next(said), started)
    morning = session.scalar(
        sa.select(SelectionDraw)
        .where(SelectionDraw.service_id == riverside.id, SelectionDraw.kind == "people")
        .order_by(SelectionDraw.sequence.desc())
        .limit(1)
    )
    if morning is None:
        return
    for row, answers in zip(morning.result[:2], (SAID[1], SAID[0]), strict=False):
        # Asked an hour after this morning's draw.
        started = morning.created_at + timedelta(hours=1)
        _record(session, supervisor, morning, row["label"], answers, started)


def _record(session: Session, user, draw, code: str, said, started: datetime) -> None:
    """One submitted conversation, stored as the sync stores one from a device (built here
    rather than validated: the demo is dated from the organisation's today, which a test may
    set ahead of the machine's clock)."""
    asked = not isinstance(said, str)
    worried = asked and "disagree" in said
    person_id = session.scalar(
        sa.select(Person.id).where(Person.service_id == draw.service_id, Person.code == code)
    )
    actions = [
        CleanAction(uuid.uuid4(), FOLLOW_UP, None, None, started.date() + timedelta(days=14))
    ]
    clean = documents.CleanConversation(
        roster=None,
        draw=draw,
        person_id=person_id,
        person_code=code,
        outcome="asked" if asked else said,
        started_at=started,
        ended_at=started + timedelta(minutes=25),
        answers=[
            documents.CleanAnswer(q.key, a, "")
            for q, a in zip(QUESTIONS, said if asked else (), strict=False)
        ],
        comments="Would like to know who is coming when their carer is off." if worried else "",
        actions=actions if worried else [],
        status="submitted",
    )
    fingerprint = hashlib.sha256(f"demo {draw.uuid} {code}".encode()).hexdigest()
    service.create(session, user, uuid.uuid4(), 1, clean, fingerprint)
