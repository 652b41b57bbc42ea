"""``careobs user``: create users, make invitation and reset links, set passwords.

Also the checks on what an administrator types (addresses, names, passwords), which ``careobs
init`` shares.
"""

from __future__ import annotations

import os

import click
import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask.cli import with_appcontext

from careobs.accounts import password_reset
from careobs.accounts import service as accounts
from careobs.accounts.models import ROLE_HINTS, ROLES
from careobs.cli.organisations import organisation_named
from careobs.db import get_session
from careobs.org.models import Service
from careobs.security import password_problems


def email_ok(email: str) -> str:
    """The address as typed (trimmed), or a clear error when it is not an email address."""
    email = email.strip()
    try:
        validate_email(email, check_deliverability=False, test_environment=True)
    except EmailNotValidError as error:
        raise click.ClickException(f"{email!r} is not a valid email address: {error}") from None
    return email


def named(value: str, what: str, longest: int = 200) -> str:
    """A name that is not blank, trimmed."""
    if not value.strip():
        raise click.ClickException(f"The {what} cannot be blank.")
    if len(value.strip()) > longest:
        raise click.ClickException(f"The {what} must be at most {longest} characters.")
    return value.strip()


def password_ok(password: str, email: str) -> str:
    """The password, or an error saying why it is too weak for this address."""
    problems = password_problems(password, email)
    if problems:
        raise click.ClickException(" ".join(problems))
    return password


@click.group()
def user() -> None:
    """Create users, make invitation links and set passwords."""


@user.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Display name.")
@click.option("--admin", is_flag=True, help="Make them an organisation admin.")
@click.option("--service", "service_name", help="Give them a role in this service.")
@click.option(
    "--role",
    type=click.Choice(list(ROLES)),
    help="Their role in --service: "
    + "; ".join(f"{role} ({ROLES[role]}: {ROLE_HINTS[role].lower()})" for role in ROLES)
    + ".",
)
@click.option("--password", help="Set a password now instead of sending an invitation.")
@click.option("--organisation", "org_name")
@with_appcontext
def user_create(email, name, admin, service_name, role, password, org_name) -> None:
    """Create a user; without --password, print an invitation link."""
    session = get_session()
    org = organisation_named(org_name)
    email, name = email_ok(email), named(name, "name", 120)
    if accounts.email_taken(session, email):
        raise click.ClickException(f"{email} is already a user.")
    if bool(service_name) != bool(role):
        raise click.ClickException("Give --service and --role together.")
    new_user = accounts.create_user(
        session, organisation_id=org.id, email=email, display_name=name, is_org_admin=admin
    )
    if service_name:
        svc = session.scalar(
            sa.select(Service).where(
                Service.organisation_id == org.id, Service.name == service_name
            )
        )
        if svc is None:
            raise click.ClickException(f"No service called {service_name!r}.")
        accounts.set_memberships(session, new_user, {svc.id: role})
    if password:
        accounts.set_password(session, new_user, password_ok(password, email))
        session.commit()
        click.echo(f"Created {new_user.email}.")
        return
    token = accounts.invite(session, new_user, None)
    session.commit()
    hours = accounts.INVITATION.valid_hours()
    click.echo(f"Created {new_user.email}. Invitation link (valid {hours} hours):")
    click.echo(_public_url(f"invitation/{token}"))


def _user_by_email(session, email: str):
    """The user with this email; a clear error when there is none."""
    target = accounts.find_user_by_email(session, email)
    if target is None:
        raise click.ClickException(f"No user with the email {email}.")
    return target


def _public_url(path: str) -> str:
    """The address of ``path`` (an invitation or reset link) for the person it is sent to."""
    base = os.environ.get("CAREOBS_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    return f"{base}/{path}"


@user.command("invite")
@click.argument("email")
@with_appcontext
def user_invite(email) -> None:
    """Print a new invitation link for a user who has not set a password yet."""
    session = get_session()
    target = _user_by_email(session, email)
    try:
        token = accounts.invite(session, target, None)
    except accounts.InvitationError as exc:
        raise click.ClickException(str(exc)) from exc
    session.commit()
    hours = accounts.INVITATION.valid_hours()
    click.echo(f"Invitation link for {target.email} (valid {hours} hours):")
    click.echo(_public_url(f"invitation/{token}"))


@user.command("reset-link")
@click.argument("email")
@with_appcontext
def user_reset_link(email) -> None:
    """Print a single-use link for a user to choose a new password (it also lifts a lockout)."""
    session = get_session()
    target = _user_by_email(session, email)
    try:
        token = password_reset.create_reset_link(session, target, None)
    except password_reset.CannotReset as exc:
        raise click.ClickException(str(exc)) from exc
    session.commit()
    hours = password_reset.RESET_LINK.valid_hours()
    click.echo(f"Password reset link for {target.email} (valid {hours} hours, works once):")
    click.echo(_public_url(f"password-reset/{token}"))


@user.command("set-password")
@click.argument("email")
@click.option("--password", help="The new password (prompted for when not given).")
@with_appcontext
def user_set_password(email, password) -> None:
    """Set a user's password, ending their sessions on every device."""
    session = get_session()
    target = _user_by_email(session, email)
    if password is None:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    accounts.set_password(session, target, password_ok(password, target.email))
    session.commit()
    click.echo(f"Password set for {target.email}.")
