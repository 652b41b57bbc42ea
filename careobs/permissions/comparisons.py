"""Who may see the comparison of a co-audit with its staff audit, and follow up a difference.

A comparison shows both audits' answers, so it is for whoever may read *both*
(:func:`careobs.permissions.audit_records.visible_audits`): a quality checker who may read their
co-audit but not the manager's audit does not see it, and nor does anyone of another
organisation (not found). Following a difference up raises an action in the service, which is
for whoever may follow up the co-audit (its author or the service's managers, admins) and may
see the comparison.

Which staff audit a co-audit is compared with is ONE rule, written twice next to each other:
:func:`same_pair` (SQL, for the figures and lists) and :func:`pair_mismatch` (Python, for the
sync's check and the comparison's page and API). A co-audit names its staff audit by document
id, and devices work offline, so the staff audit may arrive after it: the rule is asked again
wherever the two are put together, never only when the co-audit arrives.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from careobs.audits.models import Audit
from careobs.checklists.models import ChecklistVersion
from careobs.permissions.audit_records import (
    get_visible_audit,
    may_follow_up_audit,
    may_view_audit,
    visible_audits,
)

MISMATCH = (
    "The audit this co-audit names is about another person/template/service (or is itself a "
    "co-audit), so the two cannot be compared. Ask whoever sent the co-audit to send it again "
    "naming the right staff audit."
)
NOT_SUBMITTED = (
    "The staff audit this co-audit is compared with is still a draft: the comparison appears "
    "here once it has been submitted."
)


def _template_of(audit) -> sa.ScalarSelect:
    """The template (checklist id) of an aliased audit's version, as a correlated scalar."""
    version = aliased(ChecklistVersion)
    return (
        sa.select(version.checklist_id)
        .where(version.id == audit.checklist_version_id)
        .correlate_except(version)
        .scalar_subquery()
    )


def same_pair(co, staff) -> sa.ColumnElement[bool]:
    """SQL: ``staff`` is the staff audit the co-audit ``co`` names and may be compared with it
    (both aliased Audits): same organisation and service, a staff audit (not a co-audit), of
    the same template (any version) and about the same subject. Draft or submitted: see
    :func:`valid_pair`. :func:`pair_mismatch` says the same of two loaded audits."""
    return sa.and_(
        staff.uuid == co.compare_with,
        staff.organisation_id == co.organisation_id,
        staff.service_id == co.service_id,
        staff.co_audit_with.is_(None),
        _template_of(staff) == _template_of(co),
        staff.subject_type == co.subject_type,
        staff.person_id.is_not_distinct_from(co.person_id),
        staff.staff_id.is_not_distinct_from(co.staff_id),
        staff.area_id.is_not_distinct_from(co.area_id),
    )


def valid_pair(co, staff) -> sa.ColumnElement[bool]:
    """SQL: :func:`same_pair` and the staff audit is submitted: what the figures compare."""
    return sa.and_(same_pair(co, staff), staff.status == "submitted")


def pair_mismatch(
    staff: Audit, organisation_id: int, service_id: int, checklist_id: int | None, subject
) -> str | None:
    """Python: why ``staff`` cannot be the staff audit of a co-audit of this service, template
    and subject (``(type, person_id, staff_id, area_id)``; None: not known yet), as one word —
    "service", "co_audit", "template", "subject" — or None when it can (:func:`same_pair`)."""
    if staff.organisation_id != organisation_id or staff.service_id != service_id:
        return "service"
    if staff.is_co_audit:
        return "co_audit"
    if checklist_id is not None and staff.checklist_version.checklist_id != checklist_id:
        return "template"
    if subject is not None and (
        staff.subject_type,
        staff.person_id,
        staff.staff_id,
        staff.area_id,
    ) != tuple(subject):
        return "subject"
    return None


def pair_refusal(co_audit: Audit, staff: Audit) -> tuple[str, str] | None:
    """Why a stored co-audit and the audit it names are not compared, as (code, sentence), or
    None when they are (:func:`valid_pair`)."""
    subject = (co_audit.subject_type, co_audit.person_id, co_audit.staff_id, co_audit.area_id)
    if pair_mismatch(
        staff,
        co_audit.organisation_id,
        co_audit.service_id,
        co_audit.checklist_version.checklist_id,
        subject,
    ):
        return "staff_audit_mismatch", MISMATCH
    if staff.status != "submitted":
        return "staff_audit_not_submitted", NOT_SUBMITTED
    return None


@dataclass(frozen=True)
class ComparedPair:
    """A co-audit and the staff audit it names; ``staff`` None while that audit has not
    reached the server (or is another organisation's, which is the same to this user), or
    when the two are not compared (``refusal``: (code, sentence), see :func:`pair_refusal`)."""

    co_audit: Audit
    staff: Audit | None
    refusal: tuple[str, str] | None = None


def named_audit_of(db: Session, co_audit: Audit) -> Audit | None:
    """The audit a co-audit names, in its organisation, whatever it is (None: not arrived)."""
    return db.scalar(
        sa.select(Audit).where(
            Audit.uuid == co_audit.compare_with,
            Audit.organisation_id == co_audit.organisation_id,
        )
    )


def staff_audit_of(db: Session, co_audit: Audit) -> Audit | None:
    """The staff audit a co-audit is compared with: arrived, submitted and a valid pair
    (:func:`pair_refusal`); None otherwise."""
    staff = named_audit_of(db, co_audit)
    return staff if staff is not None and pair_refusal(co_audit, staff) is None else None


def latest_co_audit_of(db: Session, user, staff: Audit) -> Audit | None:
    """The latest submitted co-audit the user may read that names ``staff`` (started last, then
    stored last): what a staff audit's id leads to when it has several. A co-audit of another
    subject, template or service that names it is not its co-audit (:func:`same_pair`)."""
    named = aliased(Audit)
    return db.scalar(
        visible_audits(user)
        .join(named, named.id == staff.id)
        .where(
            Audit.co_audit_with.is_not(None),
            Audit.status == "submitted",
            same_pair(Audit, named),
        )
        .order_by(Audit.started_at.desc(), Audit.id.desc())
        .limit(1)
    )


def get_visible_comparison(db: Session, user, audit_id: uuid.UUID) -> ComparedPair | None:
    """The comparison ``audit_id`` leads to — a co-audit's id: that co-audit; a staff audit's:
    its latest submitted co-audit — if the user may read both audits; None: answer 404. A pair
    whose staff audit has not arrived, is a draft or is not its staff audit comes back with
    ``staff`` None (the API answers 409; ``refusal`` says why, when it has arrived)."""
    audit = get_visible_audit(db, user, audit_id)
    if audit is None:
        return None
    if audit.is_co_audit:
        co_audit, staff = audit, named_audit_of(db, audit)
    else:
        co_audit, staff = latest_co_audit_of(db, user, audit), audit
        if co_audit is None:
            return None
    if staff is None:
        return ComparedPair(co_audit, None)
    refusal = pair_refusal(co_audit, staff)
    if refusal is not None and refusal[0] == "staff_audit_mismatch":
        return ComparedPair(co_audit, None, refusal)  # nothing of the other audit shown
    if not may_view_audit(user, staff):
        return None
    return ComparedPair(co_audit, None if refusal else staff, refusal)


def may_view_comparison(user, co_audit: Audit, staff: Audit | None) -> bool:
    """Whether the user may read the co-audit and (once it has arrived) its staff audit."""
    if not may_view_audit(user, co_audit):
        return False
    return staff is None or may_view_audit(user, staff)


def may_follow_up_comparison(user, pair: ComparedPair) -> bool:
    """Raising an action from a difference: who may see both audits and follow the co-audit up
    (its author, the service's managers, admins), once both are submitted (a draft's answers
    may still change)."""
    return (
        pair.staff is not None
        and pair.staff.status == "submitted"
        and pair.co_audit.status == "submitted"
        and may_view_comparison(user, pair.co_audit, pair.staff)
        and may_follow_up_audit(user, pair.co_audit)
    )
