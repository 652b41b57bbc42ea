"""Account rules: authentication with rate limits, invitations, passwords and memberships."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from careobs.accounts.links import SignedLink
from careobs.accounts.models import LoginFailure, LoginSession, Membership, User
from careobs.audit.service import record, record_about
from careobs.db import utcnow
from careobs.security import hash_password, verify_password

INVITE_SALT = "careobs-invitation"


class TooManyAttempts(Exception):
    """Login refused before checking the password, because of repeated failures."""


class InvitationError(Exception):
    """An invitation link that cannot be used; the message says why, for the person holding it."""


def normalise_email(email: str) -> str:
    """Emails are compared case-insensitively, so they are stored lower-cased and trimmed."""
    return email.strip().lower()


def find_user_by_email(session: Session, email: str) -> User | None:
    """The user with this email, whatever its case."""
    return session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def email_taken(session: Session, email: str, except_user: User | None = None) -> bool:
    """Whether another user already has this email."""
    user = find_user_by_email(session, email)
    return user is not None and user is not except_user


def reserve_attempt(session: Session, email: str, ip: str) -> LoginFailure:
    """Count this login attempt as a failure before its password is checked, or raise
    TooManyAttempts when the account or the address has failed too often recently.

    The attempt first records a failure (a reservation) and commits it, then counts, in a new
    transaction, the recent failures including its own. Every reservation is visible before its
    attempt counts, so however attempts interleave, in one process or many, the k-th one to
    commit sees at least k failures: no more attempts than the limit get their password
    checked, without locking anything, on PostgreSQL and SQLite alike. A refused attempt
    removes its reservation, so refusals never extend a lockout; a reservation that a
    successful login or a new password cleared meanwhile is refused too, as counting without
    it could let through more attempts than the limit.

    Commits the session, and again to remove a refused reservation. The caller keeps the
    returned reservation as the failure if the password is wrong, and deletes it if it is right.
    """
    config = current_app.config
    reservation = LoginFailure(ip=ip[:64], email=normalise_email(email)[:254])
    session.add(reservation)
    session.commit()
    since = utcnow() - config["LOGIN_WINDOW"]
    recent = sa.select(sa.func.count()).select_from(LoginFailure).where(LoginFailure.at >= since)
    # One statement, so one snapshot: the three answers agree with each other.
    by_account, by_ip, reserved = session.execute(
        sa.select(
            recent.where(LoginFailure.email == reservation.email).scalar_subquery(),
            recent.where(LoginFailure.ip == reservation.ip).scalar_subquery(),
            sa.exists().where(LoginFailure.id == reservation.id),
        )
    ).one()
    if not reserved:
        session.expunge(reservation)
        raise TooManyAttempts
    if (
        by_account > config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        or by_ip > config["LOGIN_MAX_FAILURES_PER_IP"]
    ):
        session.execute(sa.delete(LoginFailure).where(LoginFailure.id == reservation.id))
        session.commit()
        raise TooManyAttempts
    return reservation


def authenticate(session: Session, email: str, password: str, ip: str) -> User | None:
    """The user if the email and password match an active account, else None (failure logged).

    Raises TooManyAttempts, without checking the password, once the account or the address has
    failed too often recently. Commits the attempt's reservation (see ``reserve_attempt``);
    the caller commits the outcome.
    """
    reservation = reserve_attempt(session, email, ip)
    user = find_user_by_email(session, email)
    ok = verify_password(user.password_hash if user else None, password)
    if ok and user is not None and user.active:
        user.last_login_at = utcnow()
        # Forgives the account's failures, and removes this attempt's reservation with them.
        session.execute(sa.delete(LoginFailure).where(LoginFailure.email == reservation.email))
        record_about(session, "login", user, actor=user)
        return user
    # The reservation, already committed, stays as the failure.
    record(
        session,
        "login_failed",
        organisation_id=user.organisation_id if user else None,
        entity=user,
        summary="Wrong password" if user else "Unknown email",
    )
    prune_login_failures(session)
    return None


def prune_login_failures(session: Session) -> None:
    """Failures older than the window no longer matter; drop them so the table stays small."""
    cutoff = utcnow() - current_app.config["LOGIN_WINDOW"]
    session.execute(sa.delete(LoginFailure).where(LoginFailure.at < cutoff))


def set_password(
    session: Session, user: User, password: str, *, action: str = "password_set"
) -> None:
    """Store a new password, end the user's other sessions and lift any lock on the account.

    The failures are cleared because a new password is the way out of a lockout: without
    this, a user locked out and then given a new password would still be refused.
    """
    user.password_hash = hash_password(password)
    user.rotate_session_token()
    end_login_sessions(session, user, "password")
    session.execute(sa.delete(LoginFailure).where(LoginFailure.email == user.email))
    record_about(session, action, user, actor=user)


def lockout_wait() -> str:
    """How long a locked-out user should wait, in words, from the configured window."""
    minutes = max(1, round(current_app.config["LOGIN_WINDOW"].total_seconds() / 60))
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


INVITATION = SignedLink(
    salt=INVITE_SALT,
    max_age_setting="INVITATION_MAX_AGE",
    error=InvitationError,
    name="invitation",
    link="invitation link",
)


def invitation_token(user: User) -> str:
    """A signed token naming the user and this invitation; a newer invitation voids it."""
    assert user.invited_at is not None
    return INVITATION.token({"u": str(user.uuid), "i": int(user.invited_at.timestamp())})


def invite(session: Session, user: User, actor: User | None) -> str:
    """(Re-)invite a user who has not yet set a password; returns the token for the link."""
    if user.password_hash:
        raise InvitationError(f"{user.email} has already set a password.")
    user.invited_at = utcnow().replace(microsecond=0)
    record_about(session, "user_invited", user, actor=actor)
    return invitation_token(user)


def user_for_invitation(session: Session, token: str) -> User:
    """The user an invitation token belongs to, or InvitationError saying why it is unusable."""
    data, user = INVITATION.read(session, token)
    if user.password_hash:
        raise InvitationError("This invitation has already been used. Log in with your password.")
    if user.invited_at is None or int(user.invited_at.timestamp()) != data.get("i"):
        raise InvitationError("A newer invitation has been sent; use the latest link.")
    return user


def create_user(
    session: Session,
    *,
    organisation_id: int,
    email: str,
    display_name: str,
    is_org_admin: bool = False,
    actor: User | None = None,
) -> User:
    """Add a user with no password yet (they set one through their invitation)."""
    user = User(
        organisation_id=organisation_id,
        email=normalise_email(email),
        display_name=display_name.strip(),
        is_org_admin=is_org_admin,
    )
    session.add(user)
    session.flush()
    record_about(session, "user_created", user, actor=actor, summary=user.email)
    return user


def set_memberships(session: Session, user: User, roles: dict[int, str | None]) -> None:
    """Make the user's roles exactly ``roles`` (service id → role, None for no access)."""
    current = {m.service_id: m for m in user.memberships}
    for service_id, role in roles.items():
        existing = current.get(service_id)
        if role is None and existing is not None:
            user.memberships.remove(existing)
        elif role is not None and existing is None:
            user.memberships.append(
                Membership(organisation_id=user.organisation_id, service_id=service_id, role=role)
            )
        elif role is not None and existing is not None:
            existing.role = role


def set_active(session: Session, user: User, active: bool, actor: User) -> None:
    """Deactivate (ending every session) or reactivate a user; users are never deleted."""
    user.active = active
    if not active:
        user.rotate_session_token()
        end_login_sessions(session, user, "deactivated")
    action = "user_reactivated" if active else "user_deactivated"
    record_about(session, action, user, actor=actor)


def open_login_session(session: Session, user: User, *, ip: str | None, user_agent: str) -> str:
    """Start one login on one device; its id goes in the session cookie."""
    login = LoginSession(user_id=user.id, ip=ip, user_agent=user_agent[:200] or None)
    session.add(login)
    session.flush()
    return login.id


def end_login_session(session: Session, login_id: str | None) -> None:
    """End one login (logging out): its cookie, or any copy of it, no longer lets anyone in."""
    if login_id:
        session.execute(
            sa.update(LoginSession)
            .where(LoginSession.id == login_id, LoginSession.ended_at.is_(None))
            .values(ended_at=utcnow(), ended_by="logout")
        )


def end_login_sessions(session: Session, user: User, ended_by: str) -> None:
    """End every open login of a user (the session token changes too, which alone would do;
    this keeps their login history true)."""
    session.execute(
        sa.update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_by=ended_by)
    )
