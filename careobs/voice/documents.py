"""Validating a ``conversation`` document: a person a draw of people picked, asked the "I"
statements (careobs.voice.questions), or recorded as having declined or not been available.

``data``: ``draw_id``, ``person_code``, ``outcome`` ("asked", "declined", "not_available"),
``started_at``, ``ended_at``, ``answers`` (``[{"question", "answer", "comment"}]``),
``comments``, ``actions`` (as an audit's), ``status``. The person must be one of the draw's
picks, and a draw has one conversation per person: a second document for the same pair is
``invalid``. A draw the user may not see is ``forbidden``. A quality checker records only the
conversations given to them (careobs.permissions.checkers): any other is ``forbidden`` with a
sentence saying so, and their follow-ups name no owner (they go to the service's manager; a
checker sees no staff names to choose from).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from careobs.capture.answers import CleanAction, read_actions
from careobs.capture.documents import each_object
from careobs.org.models import Person
from careobs.permissions import assigned_draw, get_visible_draw, may_record_conversation
from careobs.selection.models import SelectionDraw
from careobs.sync.fields import Errors, read_choice, read_text, read_time, read_uuid
from careobs.sync.roster import Forbidden, Rosters, ServiceRoster
from careobs.voice.models import Conversation
from careobs.voice.questions import ANSWERS, BY_KEY, OUTCOMES, QUESTIONS

MAX_TEXT = 20_000
ALL_QUESTIONS = "Give an answer to every question (Prefer not to say is an answer)."
NO_ANSWERS = "A person who declined or was not available has no answers: leave them empty."
NOT_GIVEN = "This conversation was not given to you: ask your manager."
FOR_THE_MANAGER = "A quality checker's follow-ups go to the manager: leave the owner empty."


@dataclass
class CleanAnswer:
    question: str
    answer: str
    comment: str


@dataclass
class CleanConversation:
    roster: ServiceRoster
    draw: SelectionDraw
    person_id: int
    person_code: str
    outcome: str
    started_at: datetime
    ended_at: datetime | None
    answers: list[CleanAnswer]
    comments: str
    actions: list[CleanAction]
    status: str


def already_recorded(code: str) -> str:
    """The message for a second conversation with the same person from the same draw."""
    return f"A conversation with {code} from this draw is already recorded."


def read_draw(value, rosters: Rosters, errors: Errors) -> SelectionDraw | None:
    """The draw of people the document names; Forbidden for a draw the user may not record
    conversations from (another service's, or none of theirs)."""
    draw_uuid = read_uuid(value, "draw_id", errors)
    if draw_uuid is None:
        return None
    draw = get_visible_draw(rosters.db, rosters.user, draw_uuid) or assigned_draw(
        rosters.db, rosters.user, draw_uuid
    )
    if draw is None:
        exists = rosters.db.scalar(
            sa.select(SelectionDraw.id).where(
                SelectionDraw.uuid == draw_uuid,
                SelectionDraw.organisation_id == rosters.user.organisation_id,
            )
        )
        if exists:
            raise Forbidden
        errors.add("draw_id", "Unknown draw.")
        return None
    if draw.kind != "people":
        errors.add(
            "draw_id", "This is a draw of care workers: conversations follow draws of people."
        )
        return None
    if not may_record_conversation(rosters.user, draw):
        raise Forbidden("person_code", NOT_GIVEN)
    return draw


def read_person(value, draw: SelectionDraw | None, rosters: Rosters, errors: Errors):
    """(person id, code) of one of the draw's picks, in the draw's service."""
    if not isinstance(value, str) or not value:
        errors.add("person_code", "Required: the person's code.")
        return None, None
    if draw is None:
        return None, None
    picked = {str(row.get("key")) for row in draw.result if row.get("label") == value}
    person = rosters.db.scalar(
        sa.select(Person).where(Person.service_id == draw.service_id, Person.code == value)
    )
    if person is None or str(person.uuid) not in picked:
        errors.add("person_code", f"{value[:16]} was not drawn in this draw.")
        return None, None
    return person.id, value


def read_voice_answers(value, outcome: str | None, status: str | None, errors: Errors):
    """The answers: each question of the set at most once, on the scale; every question once
    an asked conversation is submitted, none when the person was not asked."""
    if value is None:
        value = []
    if not isinstance(value, list) or len(value) > len(QUESTIONS):
        errors.add("answers", f"Must be a list of at most {len(QUESTIONS)} answers.")
        return []
    clean, seen = [], set()
    for path, entry in each_object(value, "answers", errors):
        key = entry.get("question")
        if not isinstance(key, str) or key not in BY_KEY:
            errors.add(f"{path}.question", "Unknown question.")
            continue
        if key in seen:
            errors.add(f"{path}.question", "This question is answered twice.")
            continue
        seen.add(key)
        answer = read_choice(entry.get("answer"), f"{path}.answer", errors, tuple(ANSWERS))
        comment = read_text(entry.get("comment"), f"{path}.comment", errors, MAX_TEXT)
        if answer is not None:
            clean.append(CleanAnswer(key, answer, comment))
    if outcome in ("declined", "not_available") and value:
        errors.add("answers", NO_ANSWERS)
    if outcome == "asked" and status == "submitted" and not errors and len(seen) < len(QUESTIONS):
        errors.add("answers", ALL_QUESTIONS)
    return clean


def clash(db, document_id: uuid.UUID, clean: CleanConversation) -> dict | None:
    """The errors for a conversation when another document already records the same draw and
    person (the sync answers it ``invalid``); None when this is the pair's only one."""
    other = db.scalar(
        sa.select(Conversation.id).where(
            Conversation.draw_id == clean.draw.id,
            Conversation.person_id == clean.person_id,
            Conversation.uuid != document_id,
        )
    )
    return None if other is None else {"person_code": [already_recorded(clean.person_code)]}


def validate(data, rosters: Rosters):
    """Check a conversation document; raises Forbidden for a draw the user may not follow up.
    Whether the pair is already recorded is :func:`clash`'s question (it needs the id)."""
    errors = Errors()
    if not isinstance(data, dict):
        errors.add("data", "Must be an object.")
        return None, errors
    draw = read_draw(data.get("draw_id"), rosters, errors)
    roster = rosters.get(draw.service.uuid) if draw is not None else None
    person_id, code = read_person(data.get("person_code"), draw, rosters, errors)
    as_checker = draw is not None and not (roster is not None and roster.may_capture)
    if as_checker and code is not None and not may_record_conversation(rosters.user, draw, code):
        raise Forbidden("person_code", NOT_GIVEN)
    started_at = read_time(data.get("started_at"), "started_at", errors)
    ended_at = read_time(data.get("ended_at"), "ended_at", errors, required=False)
    if started_at and ended_at and ended_at < started_at:
        errors.add("ended_at", "Cannot be before started_at.")
    status = read_choice(data.get("status"), "status", errors, ("draft", "submitted"))
    outcome = read_choice(data.get("outcome"), "outcome", errors, tuple(OUTCOMES))
    answers = read_voice_answers(data.get("answers"), outcome, status, errors)
    comments = read_text(data.get("comments"), "comments", errors, MAX_TEXT)
    if as_checker and isinstance(data.get("actions"), list):
        for index, entry in enumerate(data["actions"]):
            if isinstance(entry, dict) and entry.get("owner_id") is not None:
                errors.add(f"actions[{index}].owner_id", FOR_THE_MANAGER)
    actions = read_actions(data.get("actions"), roster, rosters, errors)
    if errors:
        return None, errors
    clean = CleanConversation(
        roster,
        draw,
        person_id,
        code,
        outcome,
        started_at,
        ended_at,
        answers,
        comments,
        actions,
        status,
    )
    return clean, errors
