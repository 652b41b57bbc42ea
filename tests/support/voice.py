"""Conversation documents as a device sends them, and draws of people to follow up."""

from __future__ import annotations

from datetime import date, timedelta

from careobs.db import utcnow
from careobs.selection import service as selection
from careobs.voice.questions import QUESTIONS
from tests.support.sync import iso, new_id

STARTED = utcnow() - timedelta(hours=1)


def draw_people(db, user, service, k: int, reason: str | None = None):
    """A stored draw of ``k`` people of ``service`` by ``user`` (committed); a second draw on
    the same day needs ``reason``."""
    draw = selection.make_draw(db, user, service, "people", k, date.today(), reason)
    db.commit()
    return draw


def picked(draw) -> list[str]:
    """The codes of the people a draw picked, in draw order."""
    return [row["label"] for row in draw.result]


def answers(*given: str, comment: str = "") -> list[dict]:
    """Answers to the questions in order: ``given[i]`` for question i (all of them "agree"
    when nothing is given)."""
    chosen = given or ("agree",) * len(QUESTIONS)
    return [
        {"question": q.key, "answer": a, "comment": comment}
        for q, a in zip(QUESTIONS, chosen, strict=False)
    ]


def follow_up(description="Ask the office to send the rota a week ahead.", owner=None, due=None):
    """A follow-up action as the form sends it."""
    return {"id": new_id(), "description": description, "owner_id": owner, "due_on": due}


def conversation_doc(draw, code: str, *, outcome="asked", status="submitted", **fields) -> dict:
    """A conversation document with the person ``code`` from ``draw`` (asked: every question
    answered "agree" unless ``answers`` is given)."""
    data = {
        "draw_id": str(draw.uuid) if hasattr(draw, "uuid") else draw,
        "person_code": code,
        "outcome": outcome,
        "started_at": iso(STARTED),
        "ended_at": iso(STARTED + timedelta(minutes=20)),
        "answers": answers() if outcome == "asked" else [],
        "comments": "",
        "actions": [],
        "status": status,
    }
    data.update(fields)
    return {"id": new_id(), "kind": "conversation", "revision": 1, "data": data}
