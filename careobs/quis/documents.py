"""Validating a ``quis_session`` document from a device against the contract in design §3.1."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from careobs.capture.documents import each_object
from careobs.quis.models import CONTEXTS
from careobs.quis.pair_ids import normal_code, pair_id_for
from careobs.quis.scoring import CATEGORIES, NEGATIVE, NEGATIVE_REASONS
from careobs.sync.fields import (
    Errors,
    in_window,
    latest_time,
    read_choice,
    read_int,
    read_text,
    read_time,
    read_uuid,
)
from careobs.sync.roster import Rosters, ServiceRoster, read_service

MAX_PEOPLE = 8
MAX_INTERACTIONS = 3000
MAX_TEXT = 20_000
MAX_NOTE = 2_000
_INITIATED_BY = ("staff", "person")
_COMMUNICATION = ("two_way", "one_way")
_REASONS = tuple(NEGATIVE_REASONS)


@dataclass(slots=True)
class CleanInteraction:
    uuid: uuid.UUID
    at: datetime
    people: list[str]
    staff_id: int | None
    category: str
    initiated_by: str | None
    communication: str | None
    negative_reason: str | None
    note: str


@dataclass
class CleanFeedback:
    """Feedback to one member of staff written offline with the session (optional)."""

    staff_id: int
    went_well: str
    to_develop: str
    release: bool


PAIR_ROLES = ("lead", "second")
ROLE_WORDS = {"lead": "lead observer", "second": "second observer"}


@dataclass
class CleanPair:
    """The pair a session belongs to (``data.pair``): its shared id, this observer's part and,
    when the device sent it, the lead's short code the id was derived from."""

    id: uuid.UUID
    role: str
    code: str | None = None
    row_id: int | None = None  # the quis_pairs row, once pairs.clash has found or made it


@dataclass
class CleanSession:
    roster: ServiceRoster
    area_id: int | None
    context: str
    started_at: datetime
    ended_at: datetime | None
    planned_minutes: int
    frame_minutes: int
    people: list[str]
    staff_on_duty: int | None
    status: str
    notes: str
    went_well: str
    to_develop: str
    interactions: list[CleanInteraction]
    feedback: list[CleanFeedback] = field(default_factory=list)
    pair: CleanPair | None = None
    sender: object = None  # who sends it (the batch's user)


def validate(data, rosters: Rosters) -> tuple[CleanSession | None, Errors]:
    """Check a session document; returns the clean session or the errors found.

    Raises Forbidden when the document is for a service the user cannot record in.
    """
    errors = Errors()
    if not isinstance(data, dict):
        errors.add("data", "Must be an object.")
        return None, errors
    roster = read_service(data, rosters, errors)
    area_id = None
    if data.get("area_id") is not None:
        area_uuid = read_uuid(data.get("area_id"), "area_id", errors)
        if roster and area_uuid:
            area_id = roster.areas.get(area_uuid)
            if area_id is None:
                errors.add("area_id", "Not an area of this service.")
    context = read_choice(data.get("context"), "context", errors, tuple(CONTEXTS))
    started_at = read_time(data.get("started_at"), "started_at", errors)
    ended_at = read_time(data.get("ended_at"), "ended_at", errors, required=False)
    if started_at and ended_at and ended_at < started_at:
        errors.add("ended_at", "Cannot be before started_at.")
    planned = read_int(data.get("planned_minutes"), "planned_minutes", errors, 1, 480)
    frame = read_int(data.get("frame_minutes"), "frame_minutes", errors, 1, 60)
    people = _people(data.get("people"), roster, errors)
    on_duty = read_int(data.get("staff_on_duty"), "staff_on_duty", errors, 0, 500, required=False)
    status = read_choice(data.get("status"), "status", errors, ("draft", "submitted"))
    if status == "submitted" and ended_at is None and "ended_at" not in errors:
        errors.add("ended_at", "A submitted session must have ended.")
    texts = {
        name: read_text(data.get(name), name, errors, MAX_TEXT)
        for name in ("notes", "went_well", "to_develop")
    }
    interactions = _interactions(data.get("interactions"), people, roster, errors)
    feedback = _feedback(data.get("feedback"), roster, errors)
    pair = _pair(data.get("pair"), roster, errors)
    if pair is not None and pair.role == "second" and data.get("feedback"):
        errors.add(
            "feedback",
            "A second observer gives no feedback: feedback comes from the lead observer's record.",
        )
    if errors:
        return None, errors
    return CleanSession(
        roster,
        area_id,
        context,
        started_at,
        ended_at,
        planned,
        frame,
        people,
        on_duty,
        status,
        texts["notes"],
        texts["went_well"],
        texts["to_develop"],
        interactions,
        feedback,
        pair,
        rosters.user,
    ), errors


def _pair(value, roster: ServiceRoster | None, errors: Errors) -> CleanPair | None:
    """``pair``: {"id": uuid, "role": "lead" | "second", "code": optional short code}."""
    if value is None:
        return None
    if not isinstance(value, dict):
        errors.add("pair", "Must be an object with the pair's id and this observer's role.")
        return None
    pair_id = read_uuid(value.get("id"), "pair.id", errors)
    role = read_choice(value.get("role"), "pair.role", errors, PAIR_ROLES)
    code = None
    raw_code = value.get("code")
    if raw_code is not None:
        code = normal_code(raw_code) if isinstance(raw_code, str) and len(raw_code) < 40 else None
        if code is None:
            errors.add("pair.code", "Not a pair code: six letters and digits, as the lead shows.")
        elif roster and pair_id and pair_id != pair_id_for(roster.service.uuid, code):
            errors.add("pair.code", "This code does not belong to this pair at this service.")
    if pair_id is None or role is None or (code is None and raw_code is not None):
        return None
    return CleanPair(pair_id, role, code)


def _feedback(value, roster: ServiceRoster | None, errors: Errors) -> list[CleanFeedback]:
    """``feedback``: [{"staff_id", "went_well", "to_develop", "release"}], one per person."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > 100:
        errors.add("feedback", "Must be a list of at most 100 entries.")
        return []
    clean, seen = [], set()
    for path, entry in each_object(value, "feedback", errors):
        staff_uuid = read_uuid(entry.get("staff_id"), f"{path}.staff_id", errors)
        staff_id = roster.staff.get(staff_uuid) if roster and staff_uuid else None
        if roster and staff_uuid and staff_id is None:
            errors.add(f"{path}.staff_id", "Not a member of staff of this service.")
        if staff_id in seen:
            errors.add(f"{path}.staff_id", "Feedback to this person is given twice.")
        seen.add(staff_id)
        went_well = read_text(entry.get("went_well"), f"{path}.went_well", errors, MAX_TEXT)
        to_develop = read_text(entry.get("to_develop"), f"{path}.to_develop", errors, MAX_TEXT)
        # An empty entry to send is not an error: earlier versions of the app invited it ("leave a
        # box empty and careobs drafts it"), and those sessions still wait on phones. Such
        # feedback stays careobs's draft, not released (feedback.service.after_quis_submitted).
        release = entry.get("release") is True
        if staff_id is not None:
            clean.append(CleanFeedback(staff_id, went_well, to_develop, release))
    return clean


def _people(value, roster: ServiceRoster | None, errors: Errors) -> list[str]:
    if not isinstance(value, list) or not value:
        errors.add("people", "Choose at least one person to observe.")
        return []
    if len(value) > MAX_PEOPLE:
        errors.add("people", f"Observe at most {MAX_PEOPLE} people in one session.")
    if len(set(map(str, value))) != len(value):
        errors.add("people", "A person is listed twice.")
    for index, code in enumerate(value):
        if not isinstance(code, str):
            errors.add(f"people[{index}]", "Must be a person's code.")
        elif roster is not None and code not in roster.people:
            errors.add(f"people[{index}]", f"{code} is not a person supported by this service.")
    return [c for c in value if isinstance(c, str)]


def _interactions(value, people, roster, errors: Errors) -> list[CleanInteraction]:
    if value is None:
        return []
    if not isinstance(value, list):
        errors.add("interactions", "Must be a list.")
        return []
    if len(value) > MAX_INTERACTIONS:
        errors.add("interactions", f"At most {MAX_INTERACTIONS} interactions per session.")
        return []
    allowed_people = set(people)
    latest = latest_time()
    seen: set[uuid.UUID] = set()
    staff_ids: dict[str, int] = {}  # staff_id as sent → roster id, parsed once per member
    clean = []
    for index, item in enumerate(value):
        interaction = _valid_interaction(item, allowed_people, roster, seen, staff_ids, latest)
        if interaction is None:
            interaction = _checked_interaction(index, item, allowed_people, roster, seen, errors)
        if interaction is not None:
            clean.append(interaction)
    return clean


def _valid_interaction(
    item, allowed_people, roster, seen, staff_ids, latest
) -> CleanInteraction | None:
    """The interaction if every field is plainly valid, else None (and nothing changed).

    Sessions carry hundreds of interactions and nearly all are valid: this path builds no field
    paths and no messages. Anything unusual returns None and ``_checked_interaction`` names
    the errors exactly as it always has.
    """
    if roster is None or not isinstance(item, dict):
        return None
    raw_id, at, who = item.get("id"), item.get("at"), item.get("people")
    if not (isinstance(raw_id, str) and isinstance(at, str) and isinstance(who, list) and who):
        return None
    try:
        item_id = uuid.UUID(raw_id)
        at = datetime.fromisoformat(at)
    except ValueError:
        return None
    if item_id in seen or at.tzinfo is None or not in_window(at, latest):
        return None
    for code in who:
        if not isinstance(code, str) or code not in allowed_people:
            return None
    staff_id = raw_staff = item.get("staff_id")
    if raw_staff is not None:
        if not isinstance(raw_staff, str):
            return None
        staff_id = staff_ids.get(raw_staff)
        if staff_id is None:
            try:
                staff_id = roster.staff.get(uuid.UUID(raw_staff))
            except ValueError:
                return None
            if staff_id is None:
                return None
            staff_ids[raw_staff] = staff_id
    category = item.get("category")
    initiated = item.get("initiated_by")
    communication = item.get("communication")
    reason = item.get("negative_reason")
    note = item.get("note")
    if note is None:
        note = ""
    if (
        category not in CATEGORIES
        or (initiated is not None and initiated not in _INITIATED_BY)
        or (communication is not None and communication not in _COMMUNICATION)
        or (reason is not None and (reason not in _REASONS or category not in NEGATIVE))
        or not isinstance(note, str)
        or len(note) > MAX_NOTE
    ):
        return None
    seen.add(item_id)
    return CleanInteraction(
        item_id, at, list(who), staff_id, category, initiated, communication, reason, note
    )


def _checked_interaction(
    index, item, allowed_people, roster, seen, errors: Errors
) -> CleanInteraction | None:
    """Check one interaction field by field, adding every error found under its path."""
    path = f"interactions[{index}]"
    if not isinstance(item, dict):
        errors.add(path, "Must be an object.")
        return None
    before = len(errors)
    item_id = read_uuid(item.get("id"), f"{path}.id", errors)
    if item_id is not None and item_id in seen:
        errors.add(f"{path}.id", "Repeated interaction id.")
    seen.add(item_id)
    at = read_time(item.get("at"), f"{path}.at", errors)
    who = item.get("people")
    if not isinstance(who, list) or not who or not all(isinstance(c, str) for c in who):
        errors.add(f"{path}.people", "Name at least one person observed.")
        who = []
    elif not set(who) <= allowed_people:
        errors.add(f"{path}.people", "Only people observed in this session can be named.")
    staff_id = None
    if item.get("staff_id") is not None:
        staff_uuid = read_uuid(item.get("staff_id"), f"{path}.staff_id", errors)
        if roster and staff_uuid:
            staff_id = roster.staff.get(staff_uuid)
            if staff_id is None:
                errors.add(f"{path}.staff_id", "Not a member of staff of this service.")
    category = read_choice(item.get("category"), f"{path}.category", errors, CATEGORIES)
    initiated = read_choice(
        item.get("initiated_by"), f"{path}.initiated_by", errors, _INITIATED_BY, required=False
    )
    communication = read_choice(
        item.get("communication"), f"{path}.communication", errors, _COMMUNICATION, required=False
    )
    reason = read_choice(
        item.get("negative_reason"), f"{path}.negative_reason", errors, _REASONS, required=False
    )
    if reason and category and category not in NEGATIVE:
        errors.add(f"{path}.negative_reason", "Only negative interactions have a reason.")
    note = read_text(item.get("note"), f"{path}.note", errors, MAX_NOTE)
    if len(errors) != before:
        return None
    return CleanInteraction(
        item_id, at, list(who), staff_id, category, initiated, communication, reason, note
    )
