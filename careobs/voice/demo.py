"""The demo's conversations: two past draws of people at Rosewood House, everyone followed up
(one declined, one not available), and this morning's draw at Riverside Homecare (from
careobs.selection.demo) with two of its three asked and one not yet."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.selection import service as selection
from careobs.selection.models import SelectionDraw
from careobs.sync import payload
from careobs.sync.roster import Rosters
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
    """One conversation, checked and stored as the sync would store it from a device."""
    asked = not isinstance(said, str)
    worried = asked and "disagree" in said
    data = {
        "draw_id": str(draw.uuid),
        "person_code": code,
        "outcome": "asked" if asked else said,
        "started_at": started.isoformat(),
        "ended_at": (started + timedelta(minutes=25)).isoformat(),
        "answers": [
            {"question": q.key, "answer": a, "comment": ""}
            for q, a in zip(QUESTIONS, said if asked else (), strict=False)
        ],
        "comments": "Would like to know who is coming when their carer is off." if worried else "",
        "actions": (
            [
                {
                    "id": str(uuid.uuid4()),
                    "description": FOLLOW_UP,
                    "owner_id": None,
                    "due_on": (started.date() + timedelta(days=14)).isoformat(),
                }
            ]
            if worried
            else []
        ),
        "status": "submitted",
    }
    clean, errors = documents.validate(data, Rosters(session, user))
    if clean is None:
        raise ValueError(f"demo conversation with {code} is invalid: {errors}")
    service.create(session, user, uuid.uuid4(), 1, clean, payload.fingerprint(data))
