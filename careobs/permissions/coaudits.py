"""Who may send a co-audit: an audit completed with a person supported, or by a quality
checker, compared with a staff audit (issue 16).

With a person (``with: "person"``) it is a supervisor's audit like any other: whoever may
complete audits of that template in that service (:func:`careobs.permissions.audit_access`).
By a quality checker (``with: "quality_checker"``) it is the checker's one piece of work a
manager gave them: they hold the role ``quality_checker`` in the service and a co-audit
assignment (careobs.checkers.models.CheckerAssignment) for the staff audit it is compared with,
which is never of a template about a care worker (a checker sees no staff names). A checker
sends nothing else. :func:`co_audit_refusal` says why not in words for the person holding the
phone; the sync and the bootstrap (:func:`open_co_audit_tasks`) ask this module alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased, object_session

from careobs.audits.models import Audit
from careobs.checkers.models import CheckerAssignment
from careobs.checklists.models import Checklist, ChecklistVersion
from careobs.org.models import Service
from careobs.permissions.audit_records import may_view_audit
from careobs.permissions.audits import audit_access
from careobs.permissions.checkers import (
    CHECKER_ROLES,
    assignments_in_force,
)
from careobs.permissions.roles import roles_by_service

CHECKER = "quality_checker"  # the co-audit document's ``with`` for a quality checker


def is_checker_in(user, service: Service) -> bool:
    """Whether the user is a quality checker of this service: what
    :func:`careobs.permissions.checkers.services_checked_by` says of it (an active user, an
    active service of their organisation)."""
    return (
        user.active
        and service.organisation_id == user.organisation_id
        and service.active
        and any(m.service_id == service.id and m.role in CHECKER_ROLES for m in user.memberships)
    )


def co_audit_assignment(user, service: Service, staff_audit: Audit | None):
    """The user's co-audit assignment in force for ``staff_audit`` in ``service``, or None."""
    if staff_audit is None:
        return None
    return object_session(user).scalar(
        assignments_in_force(user).where(
            CheckerAssignment.kind == "co_audit",
            CheckerAssignment.service_id == service.id,
            CheckerAssignment.audit_id == staff_audit.id,
        )
    )


def audit_access_refusal(
    user, service: Service, template: Checklist | None, allowed: set[int] | None
) -> tuple[str, str] | None:
    """Why the user may not complete ``template``'s audits in ``service`` (None: they may),
    given ``allowed``, what :func:`careobs.permissions.audit_access` says of the service (None:
    every template, an empty set: none), in words a care worker understands."""
    if allowed is None or (allowed and (template is None or template.id in allowed)):
        return None
    # A care worker there is (or was) a champion; anyone else has no audit rights there at all.
    champion = bool(allowed) or roles_by_service(user).get(service.id) == "staff"
    if template is None or not champion:
        return (
            "service_id",
            f"You cannot complete audits at {service.name}: you are not a manager, supervisor "
            "or audit champion there. Ask your manager if you should be.",
        )
    return (
        "template_id",
        f"You are not an audit champion for {template.name} at {service.name} any more, so "
        "the server cannot keep this audit. Ask your manager: they can name you champion "
        "again, or complete the audit themselves.",
    )


_ASK = object()  # ``allowed`` not given: asked of careobs.permissions.audit_access


def co_audit_refusal(
    user,
    service: Service,
    template: Checklist | None,
    with_: str | None,
    staff_audit,
    allowed=_ASK,
) -> tuple[str, str] | None:
    """Why the user may not send this audit, as (field, sentence), or None when they may: the
    one rule the sync and :func:`may_co_audit` ask.

    ``with_`` is the document's ``co_audit.with`` (None: a staff audit); ``staff_audit`` is
    the stored audit its ``compare_with`` names (None when it is not on the server). A quality
    checker sends only their assigned co-audits; a staff audit or a co-audit with a person is
    for whoever may complete the template's audits there (:func:`audit_access_refusal`;
    ``allowed``: the service's entry of audit_access, when the caller has it already).
    """
    checker = is_checker_in(user, service)
    if with_ != CHECKER:
        if checker:
            return (
                "co_audit" if with_ else "service_id",
                f"As a quality checker at {service.name} you complete only the co-audits a "
                "manager gives you, with the easy-read form. This audit cannot be kept: ask "
                "the manager if something was meant to be assigned to you.",
            )
        if allowed is _ASK:
            allowed = audit_access(object_session(user), user).get(service.id, set())
        return audit_access_refusal(user, service, template, allowed)
    if not checker:
        return (
            "co_audit.with",
            f"Only a quality checker of {service.name} sends a co-audit by a quality checker. "
            'If you did it with a person supported, choose "with a person" instead.',
        )
    if template is not None and template.subject_type == "staff":
        return (
            "template_id",
            f"{template.name} is about a care worker, so it is never given to a quality "
            "checker. Ask your manager for another co-audit.",
        )
    if co_audit_assignment(user, service, staff_audit) is None:
        return (
            "co_audit.compare_with",
            "This co-audit is not assigned to you (or no longer is), so the server cannot "
            "keep it. Ask your manager to assign it to you again.",
        )
    return None


def may_co_audit(user, service: Service, template: Checklist, with_: str, staff_audit) -> bool:
    """Whether the user may send a co-audit ``with_`` a person or a quality checker of
    ``template`` in ``service``, compared with ``staff_audit`` (a stored Audit or None)."""
    return co_audit_refusal(user, service, template, with_, staff_audit) is None


ALREADY_SENT = "You have already sent your co-audit of this audit."


def done_co_audits(user) -> sa.Select:
    """The user's submitted co-audits as a quality checker: what makes an assignment done
    (one assignment, one co-audit). Select ``.with_only_columns(Audit.compare_with)`` for the
    staff audits they have done."""
    return sa.select(Audit).where(
        Audit.auditor_id == user.id,
        Audit.co_audit_with == CHECKER,
        Audit.status == "submitted",
    )


def second_co_audit_refusal(db: Session, user, document_id, staff_audit) -> tuple[str, str] | None:
    """Why a NEW co-audit document by a quality checker is refused although they hold the
    assignment: they have already submitted one (another id) naming that staff audit. Resends
    and revisions of the same document id are not refused here. The caller has locked the
    assignment (careobs.db.lock_for_writing) so two sent at once are decided one after the
    other."""
    if staff_audit is None:
        return None
    sent = db.scalar(
        done_co_audits(user)
        .where(Audit.compare_with == staff_audit.uuid, Audit.uuid != document_id)
        .with_only_columns(Audit.id)
        .limit(1)
    )
    return None if sent is None else ("co_audit.compare_with", ALREADY_SENT)


def open_co_audit_tasks(user) -> sa.Select:
    """The user's open co-audit assignments with their staff audits: (CheckerAssignment,
    Audit) rows, in services where they are still a quality checker, never of a template about
    a care worker, and not yet done (no co-audit of theirs compared with that staff audit is
    submitted). Built on :func:`assignments_in_force`, as the sync's check is: what their phone
    lists and what the sync accepts agree."""
    staff_audit = aliased(Audit)
    done = done_co_audits(user).with_only_columns(Audit.compare_with)
    return (
        assignments_in_force(user)
        .add_columns(staff_audit)
        .join(staff_audit, staff_audit.id == CheckerAssignment.audit_id)
        .join(ChecklistVersion, ChecklistVersion.id == staff_audit.checklist_version_id)
        .join(Checklist, Checklist.id == ChecklistVersion.checklist_id)
        .where(
            CheckerAssignment.kind == "co_audit",
            staff_audit.service_id == CheckerAssignment.service_id,
            Checklist.subject_type != "staff",
            staff_audit.uuid.not_in(done),
        )
        .order_by(CheckerAssignment.created_at, CheckerAssignment.id)
    )


def may_open_co_audit_form(user, staff_audit: Audit) -> bool:
    """Whether the easy-read form may be opened naming this stored staff audit (its
    ``compare_with``): the user may read it (its author, the service's managers, admins) or it
    is given to them to co-audit (a quality checker). A staff audit the server does not hold
    yet is for the device to find: the page names nothing of it."""
    if may_view_audit(user, staff_audit):
        return True
    return co_audit_assignment(user, staff_audit.service, staff_audit) is not None
