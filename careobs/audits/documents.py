"""Validating an ``audit`` document against the audit template version it names (issue 15).

``data``: ``template_id`` (the template's checklist id), ``template_version``, ``service_id``,
``subject`` (``{"type", "id", "code"}``: a person by code, a care worker or an area by id, the
service by neither), ``started_at``, ``ended_at``, ``answers``, ``actions`` (as a monitoring
visit's), ``status``; optionally ``went_well`` and ``to_develop``, and for a co-audit (issue 16)
``co_audit`` and ``easy_read`` (careobs.audits.co_audit_document). Everything is checked before
anything is written; a service the user may not audit is ``forbidden``, and so is a template
the user may not complete there (an audit champion completes only their templates) and anything
but an assigned co-audit from a quality checker (careobs.permissions.co_audit_refusal).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from careobs.audits.co_audit_document import (
    CoAudit,
    check_co_audit,
    read_bool,
    read_co_audit,
    staff_audit_named,
)
from careobs.audits.models import Audit
from careobs.capture.answers import CleanAction, CleanAnswer, read_actions, read_answers
from careobs.checkers.models import CheckerAssignment
from careobs.checklists.models import SUBJECT_TYPES, Checklist, ChecklistVersion
from careobs.db import lock_for_writing
from careobs.org.models import Area, Person, StaffMember
from careobs.permissions import audit_access, co_audit_refusal
from careobs.permissions.checkers import NO_CHECKER_ACTIONS, may_raise_actions
from careobs.permissions.coaudits import co_audit_assignment, second_co_audit_refusal
from careobs.sync.fields import Errors, read_choice, read_int, read_text, read_time, read_uuid
from careobs.sync.roster import Forbidden, Rosters, ServiceRoster

MAX_TEXT = 20_000
ALL_NA = "Every item is N/A: an audit must rate at least one item."


@dataclass
class Subject:
    """What the audit is about: exactly one of the ids is set, except for the whole service."""

    type: str
    person_id: int | None = None
    staff_id: int | None = None
    area_id: int | None = None
    text: str = "the service"  # for the audit log: a person's code, never a name


@dataclass
class CleanAudit:
    roster: ServiceRoster
    version: ChecklistVersion
    subject: Subject
    started_at: datetime
    ended_at: datetime | None
    answers: list[CleanAnswer]
    actions: list[CleanAction]
    went_well: str
    to_develop: str
    status: str
    co_audit: CoAudit | None = None  # None: a staff audit
    easy_read: bool = False
    staff_audit: Audit | None = None  # the stored audit ``co_audit.compare_with`` names
    assignment_id: int | None = None  # a quality checker's co-audit: their assignment
    sender: object = None  # who sends it (the batch's user)


def _template_version(rosters: Rosters, template_id: uuid.UUID, number) -> ChecklistVersion | None:
    """A published version of one of the organisation's audit templates (cached per batch)."""
    cache = rosters.lookups.setdefault("audit_template_versions", {})
    key = (template_id, number)
    if key not in cache:
        cache[key] = rosters.db.scalar(
            sa.select(ChecklistVersion)
            .join(Checklist)
            .where(
                Checklist.uuid == template_id,
                Checklist.organisation_id == rosters.user.organisation_id,
                Checklist.purpose == "audit",
                ChecklistVersion.number == number,
                ChecklistVersion.published_at.is_not(None),
            )
        )
    return cache[key]


def _person_ids(rosters: Rosters, roster: ServiceRoster) -> dict[str, int]:
    """The service's people by code → id (cached per batch): devices name people by code."""
    cache = rosters.lookups.setdefault("person_ids", {})
    service_id = roster.service.id
    if service_id not in cache:
        rows = rosters.db.execute(
            sa.select(Person.code, Person.id).where(Person.service_id == service_id)
        )
        cache[service_id] = dict(rows.all())
    return cache[service_id]


def read_audit_service(data: dict, rosters: Rosters, errors: Errors) -> ServiceRoster | None:
    """The roster of the service the audit names (an error if unknown)."""
    service_uuid = read_uuid(data.get("service_id"), "service_id", errors)
    roster = rosters.get(service_uuid) if service_uuid else None
    if service_uuid and roster is None:
        errors.add("service_id", "Unknown service.")
    return roster


def _allowed_templates(rosters: Rosters, roster: ServiceRoster) -> set[int] | None:
    """The templates the user may complete in the roster's service (None: every one, an empty
    set: none), from careobs.permissions.audit_access, asked once per batch."""
    if "audit_access" not in rosters.lookups:
        rosters.lookups["audit_access"] = audit_access(rosters.db, rosters.user)
    return rosters.lookups["audit_access"].get(roster.service.id, set())


def check_who(rosters: Rosters, roster: ServiceRoster, version, co_audit, staff_audit) -> None:
    """Raise Forbidden unless the user may send this audit (careobs.permissions
    .co_audit_refusal, the one rule: a quality checker only their assigned co-audits, anyone
    else what careobs.permissions.audit_access lets them complete)."""
    with_ = co_audit.with_ if co_audit else None
    template = version.checklist if version is not None else None
    refusal = co_audit_refusal(
        rosters.user,
        roster.service,
        template,
        with_,
        staff_audit,
        allowed=_allowed_templates(rosters, roster),
    )
    if refusal is not None:
        raise Forbidden(*refusal)


def _fill_roster(rosters: Rosters, roster: ServiceRoster) -> None:
    """An audit champion may not capture in the service, so the shared roster leaves its areas
    and staff empty: audits need them for their subjects and action owners (once per batch)."""
    filled = rosters.lookups.setdefault("audit_rosters_filled", set())
    service_id = roster.service.id
    if service_id in filled:
        return
    filled.add(service_id)
    db = rosters.db
    roster.areas = dict(
        db.execute(sa.select(Area.uuid, Area.id).where(Area.service_id == service_id)).all()
    )
    roster.staff = dict(
        db.execute(
            sa.select(StaffMember.uuid, StaffMember.id).where(StaffMember.service_id == service_id)
        ).all()
    )


def read_subject(value, expected: str | None, roster, rosters: Rosters, errors: Errors):
    """The audit's subject, which must be of the template's subject type and of the service."""
    if not isinstance(value, dict):
        errors.add("subject", "Must be an object.")
        return None
    kind = read_choice(value.get("type"), "subject.type", errors, tuple(SUBJECT_TYPES))
    if kind is None:
        return None
    if expected is not None and kind != expected:
        errors.add("subject.type", f"This template audits {SUBJECT_TYPES[expected].lower()}.")
        return None
    subject_id, code = value.get("id"), value.get("code")
    if kind == "person":
        if subject_id is not None:
            errors.add("subject.id", "A person is named by their code: leave the id empty.")
        if not isinstance(code, str) or not code:
            errors.add("subject.code", "Required: the person's code.")
            return None
        person_id = _person_ids(rosters, roster).get(code) if roster else None
        if roster is not None and person_id is None:
            errors.add("subject.code", f"{code[:16]} is not a person supported by this service.")
            return None
        return Subject("person", person_id=person_id, text=code)
    if code is not None:
        errors.add("subject.code", "Only a person is named by a code: leave it empty.")
    if kind == "service":
        if subject_id is not None:
            errors.add("subject.id", "The whole service is audited: leave the id empty.")
        return Subject("service")
    found = read_uuid(subject_id, "subject.id", errors)
    if found is None or roster is None:
        return None
    if kind == "staff":
        staff_id = roster.staff.get(found)
        if staff_id is None:
            errors.add("subject.id", "Not a care worker of this service.")
            return None
        return Subject("staff", staff_id=staff_id, text=f"worker {found}")
    area_id = roster.areas.get(found)
    if area_id is None:
        errors.add("subject.id", "Not an area of this service.")
        return None
    return Subject("area", area_id=area_id, text=f"area {found}")


def validate(data, rosters: Rosters) -> tuple[CleanAudit | None, Errors]:
    """Check an audit document; raises Forbidden for a service the user may not audit."""
    errors = Errors()
    if not isinstance(data, dict):
        errors.add("data", "Must be an object.")
        return None, errors
    roster = read_audit_service(data, rosters, errors)
    started_at = read_time(data.get("started_at"), "started_at", errors)
    ended_at = read_time(data.get("ended_at"), "ended_at", errors, required=False)
    if started_at and ended_at and ended_at < started_at:
        errors.add("ended_at", "Cannot be before started_at.")

    version = None
    template_uuid = read_uuid(data.get("template_id"), "template_id", errors)
    number = read_int(data.get("template_version"), "template_version", errors, 1, 10_000)
    if template_uuid and number:
        version = _template_version(rosters, template_uuid, number)
        if version is None:
            errors.add("template_version", "Unknown audit template version.")
        elif (
            version.retired_at is not None
            and started_at is not None
            and started_at >= version.retired_at
        ):
            # As for visits: an audit begun on a version (offline) may finish on it, but a new
            # one must use the current version.
            errors.add(
                "template_version",
                "This version was replaced before the audit started; use the current template.",
            )
            version = None

    co_audit = read_co_audit(data.get("co_audit"), errors)
    easy_read = read_bool(data.get("easy_read"), "easy_read", errors)
    if co_audit is not None and (co_audit.with_ is None or co_audit.compare_with is None):
        # Whose it is, or what it is compared with, cannot even be told: no right to weigh.
        return None, errors
    staff_audit = staff_audit_named(rosters, co_audit.compare_with) if co_audit else None
    if roster is not None:
        # Before the subject is looked up: whom a service supports is for those who audit it.
        check_who(rosters, roster, version, co_audit, staff_audit)
        if not roster.may_capture:
            _fill_roster(rosters, roster)
    expected = version.checklist.subject_type if version is not None else None
    subject = read_subject(data.get("subject"), expected, roster, rosters, errors)
    status = read_choice(data.get("status"), "status", errors, ("draft", "submitted"))
    # A co-audit may be all "Not sure": the person's or checker's view counts as it is.
    all_na = None if co_audit else ALL_NA
    answers = read_answers(data.get("answers"), version, status, errors, all_na=all_na)
    if co_audit is not None:
        check_co_audit(co_audit, staff_audit, roster, version, subject, status, rosters, errors)
    if co_audit is not None and not may_raise_actions(co_audit.with_):
        if data.get("actions") not in (None, []):
            # Not read at all: an owner id would tell the checker whether it is of this service.
            errors.add("actions", NO_CHECKER_ACTIONS)
        actions = []
    else:
        actions = read_actions(data.get("actions"), roster, rosters, errors)
    went_well = read_text(data.get("went_well"), "went_well", errors, MAX_TEXT)
    to_develop = read_text(data.get("to_develop"), "to_develop", errors, MAX_TEXT)
    if errors:
        return None, errors
    assignment = (
        co_audit_assignment(rosters.user, roster.service, staff_audit)
        if co_audit is not None and co_audit.with_ == "quality_checker"
        else None
    )
    assignment_id = assignment.id if assignment is not None else None
    clean = CleanAudit(
        roster,
        version,
        subject,
        started_at,
        ended_at,
        answers,
        actions,
        went_well,
        to_develop,
        status,
        co_audit,
        easy_read,
        staff_audit,
        assignment_id,
        rosters.user,
    )
    return clean, errors


def clash(db, document_id: uuid.UUID, clean: CleanAudit) -> dict | None:
    """The errors for a quality checker's NEW co-audit of a staff audit they have already sent
    a co-audit of (one assignment, one co-audit; the sync answers it ``invalid``), None
    otherwise. The assignment is locked first, inside the sync's transaction, so two sent at
    once from two devices are decided one after the other and exactly one is kept."""
    co = clean.co_audit
    if co is None or co.with_ != "quality_checker" or clean.assignment_id is None:
        return None
    lock_for_writing(db, CheckerAssignment.id, clean.assignment_id)
    refusal = second_co_audit_refusal(db, clean.sender, document_id, clean.staff_audit)
    return None if refusal is None else {refusal[0]: [refusal[1]]}
