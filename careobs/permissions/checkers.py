"""Quality checkers (experts by experience): what a checker may see and do, and who assigns them.

A quality checker holds the role "quality_checker" in a service. They see and complete only the
work a manager assigned them there (careobs.checkers.models.CheckerAssignment): co-audits of
staff audits and conversations with people a draw picked. No other rule in this package grants
that role anything (every role tuple in ``roles`` leaves it out), so a checker sees no staff
names, no feedback, no dashboards, no draws. An assignment is in force while its user is active
and still a quality checker of its active service; otherwise it has lapsed: the checker gets
nothing from it and the service's managers see it apart, with the reason, to remove it.
Assigning and removing is for the service's managers and the organisation's admins.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.accounts.models import ROLES, Membership, User
from careobs.checkers.models import CheckerAssignment
from careobs.org.models import Person, Service
from careobs.permissions.roles import ANY_ROLE, can_manage_service, has_role, roles_by_service
from careobs.selection.models import SelectionDraw

CHECKER_ROLES = ("quality_checker",)


def is_quality_checker(user) -> bool:
    """Whether the user is a quality checker somewhere (their home page and navigation are a
    checker's). Someone who is also a manager or supervisor elsewhere keeps those pages too."""
    return has_role(user, CHECKER_ROLES)


def only_a_quality_checker(user) -> bool:
    """A quality checker with no other role anywhere (nor an admin): their whole app is their
    home page and the work on it (:func:`checker_may_open`)."""
    return is_quality_checker(user) and not user.is_org_admin and not has_role(user, ANY_ROLE)


# What someone who is only a quality checker may open: their home, their account and
# notifications, the device's API and app shell, the checkers' pages (which guard themselves),
# the conversation form and their own conversations, the easy-read co-audit form, and the
# program's source (owed to every user). Every
# other page answers 403 before its view runs, so a page that lists "nothing of yours" to any
# logged-in user (a care worker's feedback list) is not shown to them at all.
CHECKER_BLUEPRINTS = frozenset(
    {"home", "accounts", "notifications", "api", "push", "pwa", "checkers", "source"}
)
# Pages are named by endpoint, never by path: a path prefix would also let through any page
# added later under it.
CHECKER_ENDPOINTS = frozenset(
    {"static", "voice.record_page", "voice.detail", "audits.easy_read_page"}
)

# A quality checker's co-audit is compared by the manager, who follows its differences up.
NO_CHECKER_ACTIONS = (
    "A quality checker's co-audit raises no actions: the manager follows up the differences "
    "from the comparison."
)


def checker_may_open(endpoint: str | None) -> bool:
    """Whether a page is one a quality checker (and nothing else) may open."""
    if endpoint is None:
        return True  # no such page: the 404 says so
    blueprint = endpoint.rsplit(".", 1)[0] if "." in endpoint else None
    return blueprint in CHECKER_BLUEPRINTS or endpoint in CHECKER_ENDPOINTS


def may_raise_actions(co_audit_with: str | None) -> bool:
    """Whether an audit document may carry actions: not a quality checker's co-audit, whose
    actions would name the service's staff (whom a checker never sees) as owners and let the
    checker give them work; the manager raises them from the comparison instead."""
    return co_audit_with != "quality_checker"


def services_checked_by(user) -> sa.Select:
    """Active services of the user's organisation where they are a quality checker (an
    inactive user: none)."""
    return sa.select(Service).where(
        Service.organisation_id == user.organisation_id,
        Service.active.is_(True),
        Service.id.in_(
            sa.select(Membership.service_id)
            .join(User, User.id == Membership.user_id)
            .where(
                Membership.user_id == user.id,
                Membership.role.in_(CHECKER_ROLES),
                User.active.is_(True),
            )
        ),
    )


def assignments_in_force(user) -> sa.Select:
    """The user's own assignments that are in force: in services where they are still an
    active quality checker (:func:`services_checked_by`). :func:`lapsed_assignment_reason` says
    the same of one assignment, in words."""
    services = services_checked_by(user).with_only_columns(Service.id)
    return sa.select(CheckerAssignment).where(
        CheckerAssignment.user_id == user.id,
        CheckerAssignment.organisation_id == user.organisation_id,
        CheckerAssignment.service_id.in_(services),
    )


def lapsed_assignment_reason(assignment: CheckerAssignment) -> str | None:
    """Why an assignment is not in force, for the manager's pages (None: it is in force)."""
    user, service = assignment.user, assignment.service
    if not user.active:
        return f"{user.display_name}'s login has been deactivated."
    role = roles_by_service(user).get(service.id)
    if role is None:
        return f"{user.display_name} is no longer a member of {service.name}."
    if role not in CHECKER_ROLES:
        return f"{user.display_name} is now a {ROLES[role].lower()} at {service.name}."
    if not service.active:
        return f"{service.name} is no longer active."
    return None


def may_assign_checkers(user, service: Service) -> bool:
    """Giving a service's work to its quality checkers, and taking it back: the service's
    managers and the organisation's admins (as for audit champions)."""
    return can_manage_service(user, service)


def may_ask_co_audit(user, audit) -> bool:
    """Whether "Ask a quality checker to co-audit this" is offered for a stored audit: a
    submitted staff audit (not itself a co-audit) whose subject is not a member of staff (a
    checker sees no staff names), in a service the user manages."""
    return (
        audit.status == "submitted"
        and not audit.is_co_audit
        and audit.subject_type != "staff"
        and may_assign_checkers(user, audit.service)
    )


def may_give_conversation(user, draw: SelectionDraw) -> bool:
    """Whether the people a draw picked may be given to quality checkers by this user."""
    return draw.kind == "people" and draw.service.active and may_assign_checkers(user, draw.service)


def conversation_assignment(user, draw: SelectionDraw, person_code: str | None = None):
    """A select of the user's assignments in force to talk with someone ``draw`` picked
    (``person_code``: that person only)."""
    stmt = assignments_in_force(user).where(
        CheckerAssignment.kind == "conversation", CheckerAssignment.draw_id == draw.id
    )
    if person_code is not None:
        stmt = stmt.where(
            CheckerAssignment.person_id.in_(
                sa.select(Person.id).where(
                    Person.service_id == draw.service_id, Person.code == person_code
                )
            )
        )
    return stmt


def assigned_draw(db: Session, user, draw_id: uuid.UUID) -> SelectionDraw | None:
    """A draw the user holds a conversation assignment in force from (None: not found)."""
    held = assignments_in_force(user).where(CheckerAssignment.kind == "conversation")
    return db.scalar(
        sa.select(SelectionDraw).where(
            SelectionDraw.uuid == draw_id,
            SelectionDraw.id.in_(held.with_only_columns(CheckerAssignment.draw_id)),
        )
    )
