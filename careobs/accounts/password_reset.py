"""Password reset links an admin makes for a user who has forgotten, or is locked out of, theirs.

A link is signed like an invitation (with its own salt, so neither can stand in for the other),
expires after PASSWORD_RESET_MAX_AGE, and is bound to the password the user had when it was
made: setting any new password, through this link or otherwise, makes every older link useless.
"""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from careobs.accounts.links import SignedLink
from careobs.accounts.models import User
from careobs.accounts.service import set_password
from careobs.audit.service import record_about

RESET_SALT = "careobs-password-reset"


class ResetLinkError(Exception):
    """A reset link that cannot be used; the message says why, for the person holding it."""


class CannotReset(Exception):
    """The admin cannot make a reset link for this user; the message says what to do instead."""


RESET_LINK = SignedLink(
    salt=RESET_SALT,
    max_age_setting="PASSWORD_RESET_MAX_AGE",
    error=ResetLinkError,
    name="password reset link",
)


def password_fingerprint(user: User) -> str:
    """A one-way digest of the current password hash: it changes whenever the password does.

    The token is signed, not encrypted, so it carries this digest rather than the hash itself.
    """
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:32]


def reset_token(user: User) -> str:
    """A signed token naming the user and their current password."""
    return RESET_LINK.token({"u": str(user.uuid), "p": password_fingerprint(user)})


def create_reset_link(session: Session, user: User, actor: User) -> str:
    """Make a reset token for an active user who has a password (audited); CannotReset else."""
    if not user.active:
        raise CannotReset(f"{user.display_name} is deactivated. Reactivate them first.")
    if not user.password_hash:
        raise CannotReset(
            f"{user.display_name} has not set a password yet. Make a new invitation link instead."
        )
    record_about(session, "password_reset_link_created", user, actor=actor, summary=user.email)
    return reset_token(user)


def user_for_reset(session: Session, token: str) -> User:
    """The user a reset token belongs to, or ResetLinkError saying why it is unusable."""
    data, user = RESET_LINK.read(session, token)
    if not user.password_hash or data.get("p") != password_fingerprint(user):
        raise ResetLinkError(
            "This password reset link has already been used, or the password has been changed "
            "since it was made. Ask your administrator for a new link if you still need one."
        )
    return user


def reset_password(session: Session, user: User, password: str) -> None:
    """Set the new password chosen through a reset link; the link dies with the old password."""
    set_password(session, user, password, action="password_reset")
