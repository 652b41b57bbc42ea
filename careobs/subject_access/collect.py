"""Everything careobs holds about one care worker, gathered category by category.

The worker is a :class:`Subject`: a login, a staff record, or both (a care worker may have no
login; an admin or manager may have no staff record). This module holds the account side (the
login, staff record, roles, notifications, push subscriptions, login history, the audit log) and
calls careobs.subject_access.practice and .work for the records about their practice. Never the
password hash or the session token; colleagues' addresses (IP) never.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.accounts.models import LoginFailure, LoginSession, Membership, User
from careobs.accounts.service import normalise_email
from careobs.audit.models import AuditEvent
from careobs.notifications.models import Notification
from careobs.org.models import Organisation, Service, StaffMember
from careobs.push.models import PushSubscription
from careobs.subject_access import practice, work
from careobs.subject_access.archive import Category
from careobs.subject_access.practice import category


@dataclass(frozen=True)
class Subject:
    """Whom a copy is for: their login (or None) and their staff records (possibly none)."""

    organisation: Organisation
    user: User | None
    staff: tuple[StaffMember, ...]

    @property
    def name(self) -> str:
        if self.user is not None:
            return self.user.display_name
        return self.staff[0].name

    @property
    def record(self):
        """The record the audit log names as the copy's subject: the login, else the staff
        record."""
        return self.user if self.user is not None else self.staff[0]


def for_user(db: Session, user: User) -> Subject:
    """A login and the staff record linked to it, if any."""
    staff = db.scalars(sa.select(StaffMember).where(StaffMember.user_id == user.id))
    return Subject(db.get(Organisation, user.organisation_id), user, tuple(staff))


def for_staff(db: Session, member: StaffMember) -> Subject:
    """A staff record and the login linked to it, if any."""
    organisation = db.get(Organisation, member.organisation_id)
    return Subject(organisation, member.user, (member,))


def _of(column, user: User | None) -> sa.ColumnElement[bool]:
    """Rows of the login (none at all for a staff record without one)."""
    return column == user.id if user is not None else sa.false()


def account(db: Session, user: User | None) -> Category:
    """Their login: never the password hash nor the session token."""
    stmt = sa.select(
        User.uuid.label("id"),
        User.email,
        User.display_name,
        User.active,
        User.is_org_admin,
        User.password_hash.is_not(None).label("password_set"),
        User.created_at,
        User.invited_at,
        User.last_login_at,
    ).where(_of(User.id, user))
    return category(db, stmt, "account", "Your login", "Your careobs account.", entity_type="User")


def staff_records(db: Session, staff_ids: list[int]) -> Category:
    """Their staff record(s): name, job role, service, start date."""
    stmt = (
        sa.select(
            StaffMember.uuid.label("id"),
            StaffMember.name,
            StaffMember.job_role,
            Service.name.label("service"),
            StaffMember.start_date,
            StaffMember.active,
            StaffMember.added_on,
        )
        .join(Service, Service.id == StaffMember.service_id)
        .where(StaffMember.id.in_(staff_ids))
        .order_by(StaffMember.id)
    )
    return category(
        db,
        stmt,
        "staff_record",
        "Your staff record",
        "The record your practice is observed under (a member of staff may have no login).",
        entity_type="StaffMember",
    )


def memberships(db: Session, user: User | None) -> Category:
    """Their role in each service."""
    stmt = (
        sa.select(Service.name.label("service"), Membership.role)
        .join(Service, Service.id == Membership.service_id)
        .where(_of(Membership.user_id, user))
        .order_by(Service.name)
    )
    return category(db, stmt, "roles", "Your roles", "Your role in each service.")


def notifications(db: Session, user: User | None) -> Category:
    """What they were told under the bell."""
    stmt = (
        sa.select(
            Notification.kind,
            Notification.title,
            Notification.body,
            Notification.link,
            Notification.created_at,
            Notification.read_at,
        )
        .where(_of(Notification.user_id, user))
        .order_by(Notification.created_at, Notification.id)
    )
    return category(
        db, stmt, "notifications", "Your notifications", "What careobs told you, and when."
    )


def push_subscriptions(db: Session, user: User | None) -> Category:
    """Browsers they turned notifications on in: the push service only, not the endpoint and
    keys (secrets a browser made that would let anyone holding this file push to it)."""
    stmt = (
        sa.select(
            PushSubscription.endpoint.label("push_service"),
            PushSubscription.user_agent,
            PushSubscription.created_at,
            PushSubscription.last_success_at,
            PushSubscription.failure_count,
        )
        .where(_of(PushSubscription.user_id, user))
        .order_by(PushSubscription.created_at, PushSubscription.id)
    )
    found = category(
        db,
        stmt,
        "push_subscriptions",
        "Your push subscriptions",
        "Browsers you turned notifications on in (the push service's address, not the secret"
        " endpoint).",
    )
    for n, row in enumerate(found.rows):
        parts = urlsplit(row[0])
        found.rows[n] = (f"{parts.scheme}://{parts.netloc}", *row[1:])
    return found


def login_sessions(db: Session, user: User | None) -> Category:
    """Their login history: each login, how it ended, from where."""
    stmt = (
        sa.select(
            LoginSession.started_at,
            LoginSession.ended_at,
            LoginSession.last_seen_at,
            LoginSession.ended_by,
            LoginSession.ip,
            LoginSession.user_agent,
        )
        .where(_of(LoginSession.user_id, user))
        .order_by(LoginSession.started_at, LoginSession.id)
    )
    return category(
        db,
        stmt,
        "login_history",
        "Your logins",
        "Each login: when it started and ended, how it ended (logout, password, deactivated),"
        " the address (IP) and browser.",
    )


def login_failures(db: Session, user: User | None) -> Category:
    """Failed logins with their email (kept briefly, to slow down guessing)."""
    email = normalise_email(user.email) if user else None
    stmt = (
        sa.select(LoginFailure.at, LoginFailure.ip)
        .where(LoginFailure.email == email)
        .order_by(LoginFailure.at, LoginFailure.id)
    )
    return category(
        db,
        stmt,
        "failed_logins",
        "Failed logins with your email",
        "Attempts to log in with your email and a wrong password, kept briefly to slow down"
        " guessing.",
    )


def audit_events(db: Session, user: User | None, about: list[Category]) -> Category:
    """The audit log's events done by them, or about them or a record in ``about``; another
    actor's address (IP) is left out."""
    targets = [
        sa.and_(
            AuditEvent.entity_type == c.entity_type,
            AuditEvent.entity_id.in_([str(row[0]) for row in c.rows]),
        )
        for c in about
        if c.entity_type and c.rows
    ]
    own = _of(AuditEvent.actor_id, user)
    actor = sa.select(User.display_name).where(User.id == AuditEvent.actor_id)
    stmt = (
        sa.select(
            AuditEvent.at,
            AuditEvent.action,
            AuditEvent.entity_type.label("record_type"),
            AuditEvent.entity_id.label("record_id"),
            AuditEvent.summary,
            actor.scalar_subquery().label("done_by"),
            sa.case((own, AuditEvent.ip), else_=None).label("ip"),
        )
        .where(sa.or_(own, *targets))
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return category(
        db,
        stmt,
        "audit_log",
        "The audit log about you",
        "Events of the audit log done by you, about you, or about a record in this copy; the"
        " address (IP) only when it was you.",
    )


def collect(db: Session, subject: Subject, complete: bool) -> list[Category]:
    """Every category, in the order README.txt lists them."""
    user = subject.user
    staff_ids = [s.id for s in subject.staff]
    user_id = user.id if user else None
    staff_keys = {str(s.uuid) for s in subject.staff} | {s.uuid.hex for s in subject.staff}
    about = [
        account(db, user),
        staff_records(db, staff_ids),
        practice.feedback(db, staff_ids, complete),
        practice.visits(db, staff_ids, complete),
        practice.visit_answers(db, staff_ids, complete),
        practice.audits(db, staff_ids, complete),
        practice.audit_answers(db, staff_ids, complete),
        practice.addenda(db, staff_ids, complete),
        work.quis_interactions(db, staff_ids, complete),
        work.actions(db, staff_ids, user_id, complete),
        work.action_notes(db, staff_ids, user_id, complete),
        work.rechecks(db, staff_ids, complete),
        work.selection_draws(db, subject.staff, staff_keys, complete),
        work.compliments(db, staff_ids, complete),
    ]
    return [
        *about[:2],
        memberships(db, user),
        *about[2:],
        notifications(db, user),
        push_subscriptions(db, user),
        login_sessions(db, user),
        login_failures(db, user),
        audit_events(db, user, about),
    ]
