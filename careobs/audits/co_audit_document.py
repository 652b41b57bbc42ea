"""Reading an audit document's co-audit fields (issue 16) and checking them against the staff
audit they name.

``co_audit``: ``{"with": "person" | "quality_checker", "person_code", "compare_with",
"consent"}``. With a person, ``person_code`` is an active person of the service (a code, never
a name) and a submitted co-audit needs ``consent: true``; by a quality checker there is no
person. ``compare_with`` is the staff audit's document id: devices work offline, so it may name
an audit the server does not hold yet (stored as it is); when the server holds it, it must be a
staff audit of the same service, template (any version) and subject. ``easy_read`` (a bool)
says the easy-read form was used.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from careobs.audits.models import Audit
from careobs.org.models import Person
from careobs.permissions.comparisons import pair_mismatch
from careobs.sync.fields import Errors, read_choice, read_uuid
from careobs.sync.roster import Rosters, ServiceRoster

WITH = ("person", "quality_checker")
MAX_CODE = 16


@dataclass
class CoAudit:
    """The co-audit fields as read; ``with_`` is None when they could not be read at all."""

    with_: str | None
    person_code: str | None = None
    person_id: int | None = None
    compare_with: uuid.UUID | None = None
    consent: bool = False

    @property
    def text(self) -> str:
        """For the audit log and the summary: the person's code, never a name."""
        if self.with_ == "person":
            return f"co-audit with {self.person_code}"
        return "co-audit by a quality checker"


def read_bool(value, field: str, errors: Errors) -> bool:
    """An optional true/false (absent or null: false)."""
    if value is None:
        return False
    if not isinstance(value, bool):
        errors.add(field, "Must be true or false.")
        return False
    return value


def read_co_audit(value, errors: Errors) -> CoAudit | None:
    """The ``co_audit`` object's fields (None: a staff audit). The person's code is only read
    here; :func:`check_co_audit` looks it up in the service."""
    if value is None:
        return None
    if not isinstance(value, dict):
        errors.add("co_audit", "Must be an object, or null for a staff audit.")
        return CoAudit(None)
    with_ = read_choice(value.get("with"), "co_audit.with", errors, WITH)
    compare_with = read_uuid(value.get("compare_with"), "co_audit.compare_with", errors)
    consent = read_bool(value.get("consent"), "co_audit.consent", errors)
    code = value.get("person_code")
    if with_ == "quality_checker" and code is not None:
        errors.add(
            "co_audit.person_code", "A quality checker's co-audit names no person: leave it null."
        )
    elif with_ == "person" and (not isinstance(code, str) or not code.strip()):
        errors.add("co_audit.person_code", "Required: the code of the person taking part.")
        code = None
    elif with_ == "person" and len(code) > MAX_CODE:
        errors.add("co_audit.person_code", f"A person's code has at most {MAX_CODE} characters.")
        code = None
    return CoAudit(with_, code if with_ == "person" else None, None, compare_with, consent)


def staff_audit_named(rosters: Rosters, compare_with: uuid.UUID | None) -> Audit | None:
    """The stored audit ``compare_with`` names, or None (cached per batch). Another
    organisation's is found too, to be refused as "of another service" (nothing of it shown)."""
    if compare_with is None:
        return None
    cache = rosters.lookups.setdefault("co_audit_staff_audits", {})
    if compare_with not in cache:
        cache[compare_with] = rosters.db.scalar(sa.select(Audit).where(Audit.uuid == compare_with))
    return cache[compare_with]


def _active_person_id(rosters: Rosters, roster: ServiceRoster, code: str) -> int | None:
    """The id of the service's active person with this code (cached per batch)."""
    cache = rosters.lookups.setdefault("co_audit_people", {})
    service_id = roster.service.id
    if service_id not in cache:
        rows = rosters.db.execute(
            sa.select(Person.code, Person.id).where(
                Person.service_id == service_id, Person.active.is_(True)
            )
        )
        cache[service_id] = dict(rows.all())
    return cache[service_id].get(code)


def check_co_audit(
    co: CoAudit, staff_audit: Audit | None, roster, version, subject, status, rosters, errors
) -> None:
    """Check the co-audit against its service and the staff audit it names (when the server
    holds it: careobs.permissions.comparisons.pair_mismatch, the rule the comparison and the
    figures ask again when the staff audit arrives later), and look up the person taking part;
    every reason is an error of its own."""
    if roster is not None and co.with_ == "person" and co.person_code is not None:
        co.person_id = _active_person_id(rosters, roster, co.person_code)
        if co.person_id is None:
            errors.add(
                "co_audit.person_code",
                f"{co.person_code} is not a person currently supported by this service.",
            )
    if co.with_ == "person" and status == "submitted" and not co.consent:
        errors.add(
            "co_audit.consent",
            "Record that the person agreed to take part (consent: true) before submitting "
            "a co-audit with them.",
        )
    if staff_audit is None or roster is None:
        return  # not on the server yet: kept as it is, compared once it arrives
    field = "co_audit.compare_with"
    subject_key = (
        None
        if subject is None
        else (subject.type, subject.person_id, subject.staff_id, subject.area_id)
    )
    mismatch = pair_mismatch(
        staff_audit,
        roster.service.organisation_id,
        roster.service.id,
        version.checklist_id if version is not None else None,
        subject_key,
    )
    if mismatch == "service":
        errors.add(field, "The staff audit it names is of another service.")
    elif mismatch == "co_audit":
        errors.add(field, "It names a co-audit: name the staff audit it is compared with.")
    elif mismatch == "template":
        template = staff_audit.checklist_version.checklist
        errors.add(field, f"The staff audit it names is of another template ({template.name}).")
    elif mismatch == "subject":
        errors.add(field, "The staff audit it names is about another subject.")
