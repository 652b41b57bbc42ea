"""Validating a ``spot_check`` document against the checklist version it names (design §3.1)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.capture.documents import each_object
from careobs.checklists.models import Checklist, ChecklistVersion
from careobs.db import utcnow
from careobs.sync.fields import (
    Errors,
    read_choice,
    read_date,
    read_int,
    read_text,
    read_time,
    read_uuid,
)
from careobs.sync.roster import Rosters, ServiceRoster, read_service
from careobs.visits.models import VISIT_TYPES
from careobs.visits.scoring import RATINGS

MAX_TEXT = 20_000
MAX_COMMENT = 2_000
MAX_ACTIONS = 30
# How far a device's ``started_at`` is believed: a visit set up up to 30 days ahead of its planned
# time, and a phone clock up to an hour fast.
SET_UP_LEAD = timedelta(days=30)
CLOCK_SKEW = timedelta(hours=1)
# The visit form (static/js/visit-form.js) says the same before it sends.
ALL_NA = "Every item is N/A: a visit must rate at least one item."


@dataclass
class CleanAnswer:
    item_id: int
    rating: str
    comment: str
    critical: bool
    domain_key: uuid.UUID
    item_key: uuid.UUID


@dataclass
class CleanAction:
    uuid: uuid.UUID
    description: str
    owner_staff_id: int | None
    owner_user_id: int | None
    due_on: date | None


@dataclass
class CleanVisit:
    roster: ServiceRoster
    staff_id: int
    person_code: str
    visit_type: str
    consent: str
    version: ChecklistVersion
    planned_at: datetime
    planned_minutes: int
    arrived_at: datetime | None
    left_at: datetime | None
    answers: list[CleanAnswer]
    satisfaction: int | None
    person_comment: str
    went_well: str
    to_develop: str
    actions: list[CleanAction]
    status: str
    release_feedback: bool = False


def _version(rosters: Rosters, checklist_id: uuid.UUID, number) -> ChecklistVersion | None:
    """A published version of one of the organisation's checklists (cached per batch)."""
    cache = rosters.lookups.setdefault("checklist_versions", {})
    key = (checklist_id, number)
    if key not in cache:
        cache[key] = rosters.db.scalar(
            sa.select(ChecklistVersion)
            .join(Checklist)
            .where(
                Checklist.uuid == checklist_id,
                Checklist.organisation_id == rosters.user.organisation_id,
                ChecklistVersion.number == number,
                ChecklistVersion.published_at.is_not(None),
            )
        )
    return cache[key]


def _owner_users(rosters: Rosters) -> dict[uuid.UUID, int]:
    """Active users of the organisation who may own an action."""
    if "owner_users" not in rosters.lookups:
        rows = rosters.db.execute(
            sa.select(User.uuid, User.id).where(
                User.organisation_id == rosters.user.organisation_id, User.active.is_(True)
            )
        )
        rosters.lookups["owner_users"] = dict(rows.all())
    return rosters.lookups["owner_users"]


def validate(data, rosters: Rosters) -> tuple[CleanVisit | None, Errors]:
    """Check a visit document; raises Forbidden for a service the user cannot record in."""
    errors = Errors()
    if not isinstance(data, dict):
        errors.add("data", "Must be an object.")
        return None, errors
    roster = read_service(data, rosters, errors)

    staff_uuid = read_uuid(data.get("staff_id"), "staff_id", errors)
    staff_id = roster.staff.get(staff_uuid) if roster and staff_uuid else None
    if roster and staff_uuid and staff_id is None:
        errors.add("staff_id", "Not a care worker of this service.")
    person = data.get("person_code")
    if not isinstance(person, str) or not person:
        errors.add("person_code", "Required.")
    elif roster is not None and person not in roster.people:
        errors.add("person_code", f"{person} is not a person supported by this service.")
    visit_type = read_choice(data.get("visit_type"), "visit_type", errors, tuple(VISIT_TYPES))
    consent = read_choice(data.get("consent"), "consent", errors, ("on_record", "obtained_today"))
    if (
        consent == "on_record"
        and roster is not None
        and isinstance(person, str)
        and roster.people.get(person) not in (None, "yes")
    ):
        errors.add(
            "consent",
            "No consent is on record for this person: confirm that consent was obtained today.",
        )

    # A visit may be set up on the phone up to SET_UP_LEAD before it is due.
    planned_at = read_time(
        data.get("planned_at"), "planned_at", errors, ahead=SET_UP_LEAD + timedelta(days=1)
    )
    planned_minutes = read_int(data.get("planned_minutes"), "planned_minutes", errors, 5, 600)
    arrived_at = read_time(data.get("arrived_at"), "arrived_at", errors, required=False)
    left_at = read_time(data.get("left_at"), "left_at", errors, required=False)
    # When the supervisor set the visit up on her phone: a version retired while the phone was
    # offline is still the one she was shown, so it counts from here when the device says.
    started_at = read_time(data.get("started_at"), "started_at", errors, required=False)
    if (
        started_at
        and planned_at
        and not (planned_at - SET_UP_LEAD <= started_at <= utcnow() + CLOCK_SKEW)
    ):
        started_at = None  # set up implausibly early, or in the future: not trusted
    if left_at and not arrived_at:
        errors.add("arrived_at", "Record the arrival before the departure.")
    if left_at and arrived_at and left_at < arrived_at:
        errors.add("left_at", "Cannot be before arrived_at.")

    version = None
    checklist_uuid = read_uuid(data.get("checklist_id"), "checklist_id", errors)
    number = read_int(data.get("checklist_version"), "checklist_version", errors, 1, 10_000)
    if checklist_uuid and number:
        version = _version(rosters, checklist_uuid, number)
        if version is None:
            errors.add("checklist_version", "Unknown checklist version.")
        elif version.retired_at is not None and planned_at is not None:
            started = started_at or arrived_at or planned_at
            if started >= version.retired_at:
                errors.add(
                    "checklist_version",
                    "This version was replaced before the visit "
                    "started; use the current checklist.",
                )

    status = read_choice(data.get("status"), "status", errors, ("draft", "submitted"))
    answers = _answers(data.get("answers"), version, status, errors)
    view = data.get("person_view") or {}
    if not isinstance(view, dict):
        errors.add("person_view", "Must be an object.")
        view = {}
    satisfaction = read_int(
        view.get("satisfaction"), "person_view.satisfaction", errors, 1, 5, required=False
    )
    person_comment = read_text(view.get("comment"), "person_view.comment", errors, MAX_TEXT)
    went_well = read_text(data.get("went_well"), "went_well", errors, MAX_TEXT)
    to_develop = read_text(data.get("to_develop"), "to_develop", errors, MAX_TEXT)
    actions = _actions(data.get("actions"), roster, rosters, errors)
    if status == "submitted" and arrived_at is None and "arrived_at" not in errors:
        errors.add("arrived_at", "Record the arrival time before submitting.")
    if errors:
        return None, errors
    return CleanVisit(
        roster,
        staff_id,
        person,
        visit_type,
        consent,
        version,
        planned_at,
        planned_minutes,
        arrived_at,
        left_at,
        answers,
        satisfaction,
        person_comment,
        went_well,
        to_develop,
        actions,
        status,
        release_feedback=data.get("release_feedback") is True,
    ), errors


def _answers(value, version, status, errors: Errors) -> list[CleanAnswer]:
    if value is None:
        value = []
    if not isinstance(value, list):
        errors.add("answers", "Must be a list.")
        return []
    items = {item.uuid: item for item in version.items} if version else {}
    seen: set[int] = set()
    clean = []
    for path, answer in each_object(value, "answers", errors):
        item_uuid = read_uuid(answer.get("item_id"), f"{path}.item_id", errors)
        item = items.get(item_uuid) if item_uuid else None
        if item_uuid and version is not None and item is None:
            errors.add(f"{path}.item_id", "Not an item of this checklist version.")
        if item is not None and item.id in seen:
            errors.add(f"{path}.item_id", "Answered twice.")
        rating = read_choice(answer.get("rating"), f"{path}.rating", errors, tuple(RATINGS))
        comment = read_text(answer.get("comment"), f"{path}.comment", errors, MAX_COMMENT)
        if item is not None and rating:
            seen.add(item.id)
            clean.append(
                CleanAnswer(item.id, rating, comment, item.critical, item.domain.key, item.key)
            )
    if status == "submitted" and version is not None:
        missing = [item.text for item in version.items if item.id not in seen]
        if missing:
            errors.add(
                "answers",
                f"Answer every item before submitting ({len(missing)} "
                f"missing, e.g. {missing[0]!r}); use N/A where it does not apply.",
            )
        elif not any(a.rating != "na" for a in clean):
            # Nothing applicable: no score, so it checked nothing. A draft may still be all N/A
            # on the way (it counts for nothing and the device keeps it); a submission may not.
            errors.add("answers", ALL_NA)
    return clean


def _actions(value, roster, rosters: Rosters, errors: Errors) -> list[CleanAction]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_ACTIONS:
        errors.add("actions", f"Must be a list of at most {MAX_ACTIONS} actions.")
        return []
    clean = []
    seen: set[uuid.UUID] = set()
    for path, action in each_object(value, "actions", errors):
        action_id = read_uuid(action.get("id"), f"{path}.id", errors)
        description = read_text(
            action.get("description"), f"{path}.description", errors, MAX_COMMENT
        ).strip()
        if not description:
            errors.add(f"{path}.description", "Describe the action.")
        owner_staff = owner_user = None
        if action.get("owner_id") is not None:
            owner = read_uuid(action.get("owner_id"), f"{path}.owner_id", errors)
            if owner is not None:
                owner_staff = roster.staff.get(owner) if roster else None
                owner_user = None if owner_staff else _owner_users(rosters).get(owner)
                if owner_staff is None and owner_user is None:
                    errors.add(f"{path}.owner_id", "Not a member of staff or a user here.")
        due_on = read_date(action.get("due_on"), f"{path}.due_on", errors)
        if action_id is not None and action_id in seen:
            errors.add(f"{path}.id", "Two actions have this id.")
        elif action_id is not None:
            seen.add(action_id)
        if action_id and description:
            clean.append(CleanAction(action_id, description, owner_staff, owner_user, due_on))
    return clean
