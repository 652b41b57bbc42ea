"""Validating a ``spot_check`` document against the checklist version it names (design §3.1)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from careobs.capture.answers import CleanAction, CleanAnswer, read_actions, read_answers
from careobs.checklists.models import Checklist, ChecklistVersion
from careobs.db import utcnow
from careobs.sync.fields import (
    Errors,
    read_choice,
    read_int,
    read_text,
    read_time,
    read_uuid,
)
from careobs.sync.roster import Rosters, ServiceRoster, read_service
from careobs.visits.models import VISIT_TYPES

MAX_TEXT = 20_000
# How far a device's ``started_at`` is believed: a visit set up up to 30 days ahead of its planned
# time, and a phone clock up to an hour fast.
SET_UP_LEAD = timedelta(days=30)
CLOCK_SKEW = timedelta(hours=1)
# The visit form (static/js/visit-form.js) says the same before it sends.
ALL_NA = "Every item is N/A: a visit must rate at least one item."


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
    """A published version of one of the organisation's visit checklists (cached per batch); an
    audit template is not a checklist a visit can be scored on."""
    cache = rosters.lookups.setdefault("checklist_versions", {})
    key = (checklist_id, number)
    if key not in cache:
        cache[key] = rosters.db.scalar(
            sa.select(ChecklistVersion)
            .join(Checklist)
            .where(
                Checklist.uuid == checklist_id,
                Checklist.organisation_id == rosters.user.organisation_id,
                Checklist.purpose == "visit",
                ChecklistVersion.number == number,
                ChecklistVersion.published_at.is_not(None),
            )
        )
    return cache[key]


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
    answers = read_answers(data.get("answers"), version, status, errors, all_na=ALL_NA)
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
    actions = read_actions(data.get("actions"), roster, rosters, errors)
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
