"""Accounts: users, their memberships of services, and failed login attempts."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from careobs.db import Base, PublicIdMixin, UTCDateTime, utcnow

if TYPE_CHECKING:
    from careobs.org.models import Service

ROLES = {
    "manager": "Manager",
    "supervisor": "Supervisor",
    "staff": "Care worker",
    # An expert by experience in quality assurance: co-audits and conversations assigned to them.
    "quality_checker": "Quality checker",
}


# What each role means, for the admin pages and ``careobs user create --help``.
ROLE_HINTS = {
    "manager": "Sees and manages everything in the service",
    "supervisor": "Observes, visits and audits in the service",
    "staff": "Sees only their own feedback, visits and actions",
    "quality_checker": "Someone with lived experience who completes the co-audits and"
    " conversations assigned to them; sees no staff names, feedback or dashboards",
}


def new_session_token() -> str:
    """A random token that identifies a user's sessions; replacing it ends them all."""
    return secrets.token_urlsafe(24)


class User(PublicIdMixin, Base):
    """Someone who logs in. The password hash stays empty until an invitation is accepted."""

    __tablename__ = "users"

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(120))
    active: Mapped[bool] = mapped_column(default=True)
    is_org_admin: Mapped[bool] = mapped_column(default=False)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    session_token: Mapped[str] = mapped_column(
        sa.String(64), unique=True, default=new_session_token
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Flask-Login protocol. The id in the session is the session token, so rotating the token
    # (password change, deactivation) ends every existing session of this user.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return self.session_token

    def rotate_session_token(self) -> None:
        """End every session this user has open."""
        self.session_token = new_session_token()


class LoginSession(Base):
    """One login on one device, from the login form to logging out (or the password changing).

    The session cookie names it, and only an open one lets the cookie in: a copy of the cookie
    set again by a request still in flight when the user logged out (a shared phone's page
    warming its offline copies) logs nobody back in. Also the user's login history.
    """

    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(
        sa.String(32), primary_key=True, default=lambda: secrets.token_hex(16)
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the login was last used, kept to the day (careobs.accounts.session): an open login
    # unused for longer than a session cookie lives can no longer be used, so the purge may
    # remove it; one still in use is kept whatever its age.
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How it ended: "logout", "password" (changed or reset: every session ends), "deactivated".
    ended_by: Mapped[str | None] = mapped_column(sa.String(16))
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent: Mapped[str | None] = mapped_column(sa.String(200))


class Membership(Base):
    """A user's role in one service: manager, supervisor, staff or quality checker."""

    __tablename__ = "memberships"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "service_id"),
        sa.CheckConstraint(
            "role IN ('manager', 'supervisor', 'staff', 'quality_checker')", name="role_allowed"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(16))

    user: Mapped[User] = relationship(back_populates="memberships")
    service: Mapped[Service] = relationship()

    @property
    def role_label(self) -> str:
        return ROLES[self.role]


class LoginFailure(Base):
    """One failed login, kept briefly so repeated guessing can be slowed per address and account."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    ip: Mapped[str] = mapped_column(sa.String(64), index=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
