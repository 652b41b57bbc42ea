"""The ``careobs`` command: the one entry point for serving, migrating and administering careobs."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from careobs import __version__, create_app, migrate
from careobs.db import get_engine, get_session
from careobs.evidence.cli import evidence_pack
from careobs.wording import plural

HELP = """careobs: QUIS observations, monitoring visits and feedback for adult social care.

\b
Quick start on a new machine:
  careobs init            create the database, the organisation and the first admin
  careobs demo            or load the demo organisation "Demo Care Group" instead
  careobs demo --size large   a 40-service provider with two years of records
  careobs run             serve on http://127.0.0.1:5000 (--host/--port to change)

\b
All of the organisation's records, for a copy or to move elsewhere:
  careobs export --format csv|json --out DIR   one file per record type and a
                          manifest.json (json: JSON Lines); written to the audit log
  careobs evidence-pack --service NAME --from DATE --to DATE --out FILE.pdf
                          a service's CQC evidence pack for a period, as a PDF

\b
Configuration comes from the environment:
  DATABASE_URL            default: SQLite in the instance folder;
                          e.g. postgresql+psycopg://user@host/careobs
  SECRET_KEY              default: generated once into the instance folder
  CAREOBS_ENV=production  secure cookies; refuses to start with a weak SECRET_KEY
  CAREOBS_BASE_URL        the address people use, for invitation links
  CAREOBS_PROXY_FIX=1     trust X-Forwarded-* from one reverse proxy
  CAREOBS_PUSH_ALLOWED_ORIGINS
                          push services allowed on http or a private address,
                          e.g. http://127.0.0.1 (any port); others must be public https
"""


def _app_factory():
    return create_app()


@click.group(
    cls=FlaskGroup, create_app=_app_factory, add_version_option=False, help=HELP, load_dotenv=False
)
@click.version_option(__version__, prog_name="careobs")
def main() -> None:
    """The careobs command group."""


@click.group()
def db() -> None:
    """Database schema migrations."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply migrations to bring the schema up to date."""
    migrate.upgrade(get_engine(), revision)
    click.echo(f"Database is at {migrate.current_revision(get_engine())}.")


@db.command("check")
@with_appcontext
def db_check() -> None:
    """Fail when the models and the migrations disagree."""
    diffs = migrate.pending_differences(get_engine())
    if diffs:
        for diff in diffs:
            click.echo(f"  {diff}", err=True)
        raise click.ClickException("The models differ from the migrations: write a migration.")
    click.echo("Models and migrations agree.")


@db.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes.")
@with_appcontext
def db_revision(message: str) -> None:
    """Write a new migration from the models (for developers)."""
    migrate.revision(get_engine(), message)


def register_commands(app) -> None:
    """Attach careobs's commands to the app, so ``careobs`` and the test runner both see them."""
    for command in (db, init, demo, user, push, notify, export, evidence_pack):
        app.cli.add_command(command)


def _organisation(name: str | None):
    from careobs.org.models import Organisation

    session = get_session()
    orgs = list(session.scalars(sa.select(Organisation).order_by(Organisation.id)))
    if name:
        match = [o for o in orgs if o.name == name]
        if not match:
            raise click.ClickException(f"No organisation called {name!r}.")
        return match[0]
    if len(orgs) == 1:
        return orgs[0]
    if not orgs:
        raise click.ClickException("There is no organisation yet: run 'careobs init' first.")
    raise click.ClickException("There are several organisations: name one with --organisation.")


def _email_ok(email: str) -> str:
    """The address as typed (trimmed), or a clear error when it is not an email address."""
    from email_validator import EmailNotValidError, validate_email

    email = email.strip()
    try:
        validate_email(email, check_deliverability=False, test_environment=True)
    except EmailNotValidError as error:
        raise click.ClickException(f"{email!r} is not a valid email address: {error}") from None
    return email


def _named(value: str, what: str, longest: int = 200) -> str:
    """A name that is not blank, trimmed."""
    if not value.strip():
        raise click.ClickException(f"The {what} cannot be blank.")
    if len(value.strip()) > longest:
        raise click.ClickException(f"The {what} must be at most {longest} characters.")
    return value.strip()


def _password_ok(password: str, email: str) -> str:
    from careobs.security import password_problems

    problems = password_problems(password, email)
    if problems:
        raise click.ClickException(" ".join(problems))
    return password


@click.command()
@click.option("--organisation", "org_name", help="Your organisation's name.")
@click.option("--admin-email", help="Email of the first organisation admin.")
@click.option("--admin-name", help="Name of the first organisation admin.")
@click.option("--admin-password", help="Password (prompted for when not given).")
@with_appcontext
def init(org_name, admin_email, admin_name, admin_password) -> None:
    """Apply migrations, then create the organisation and its first admin (once)."""
    from careobs.accounts import service as accounts
    from careobs.checklists import service as checklists
    from careobs.org.models import Organisation

    migrate.upgrade(get_engine())
    session = get_session()
    if session.scalar(sa.select(sa.func.count()).select_from(Organisation)):
        click.echo("Database migrated. An organisation already exists; nothing else to do.")
        return
    org_name = _named(org_name or click.prompt("Organisation name"), "organisation name")
    admin_email = _email_ok(admin_email or click.prompt("Admin email"))
    if accounts.email_taken(session, admin_email):
        raise click.ClickException(f"{admin_email} is already a user.")
    admin_name = _named(admin_name or click.prompt("Admin name"), "admin name", 120)
    if admin_password is None:
        admin_password = click.prompt("Admin password", hide_input=True, confirmation_prompt=True)
    _password_ok(admin_password, admin_email)
    org = Organisation(name=org_name)
    session.add(org)
    session.flush()
    user = accounts.create_user(
        session,
        organisation_id=org.id,
        email=admin_email,
        display_name=admin_name,
        is_org_admin=True,
    )
    accounts.set_password(session, user, admin_password)
    checklists.create_default(session, org.id, actor=user)
    session.commit()
    _ensure_push_keys(f"mailto:{user.email}")
    click.echo(f"Created {org.name} with admin {user.email}. Start with: careobs run")


@click.command()
@click.option(
    "--size",
    type=click.Choice(["small", "large"]),
    default="small",
    show_default=True,
    help='small: "Demo Care Group" (2 services, months of records); large: "Large Demo '
    'Provider" (40 services, 1,500 staff, ~1,000,000 QUIS interactions, 60,000 visits over two '
    "years; a few minutes; made once, never regenerated).",
)
@with_appcontext
def demo(size: str) -> None:
    """Load a demo organisation: "Demo Care Group" (safe to run again) or, with --size large,
    "Large Demo Provider" for dashboards and benchmarks (both can share a database)."""
    from careobs.demo import DEMO_PASSWORD, load_demo

    migrate.upgrade(get_engine())
    if size == "large":
        _demo_large(DEMO_PASSWORD)
        return
    logins = load_demo(get_session())
    _ensure_push_keys("mailto:admin@demo.test")
    click.echo("Demo Care Group is ready. Log in at http://127.0.0.1:5000 with:")
    for email, role in logins:
        click.echo(f"  {email:<24} {role}")
    click.echo(f"Password for all of them: {DEMO_PASSWORD}")


def _demo_large(password: str) -> None:
    from careobs.demo_large import LARGE_ORG, LOGINS, LargeDemoExists, generate

    try:
        made = generate(get_session(), echo=click.echo)
    except LargeDemoExists as exc:
        if not exc.complete:
            raise click.ClickException(str(exc)) from exc
        click.echo(str(exc))
    else:
        minutes, seconds = divmod(round(made.seconds), 60)
        click.echo(f"Generated in {minutes} min {seconds} s.")
    _ensure_push_keys("mailto:admin@large.test")
    click.echo(f"{LARGE_ORG} is ready. Log in at http://127.0.0.1:5000 with:")
    for email, _name, role in LOGINS:
        click.echo(f"  {email:<24} {role}")
    click.echo(f"Password for all of them: {password}")


@click.group()
def user() -> None:
    """Create users, make invitation links and set passwords."""


@user.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Display name.")
@click.option("--admin", is_flag=True, help="Make them an organisation admin.")
@click.option("--service", "service_name", help="Give them a role in this service.")
@click.option("--role", type=click.Choice(["manager", "supervisor", "staff"]))
@click.option("--password", help="Set a password now instead of sending an invitation.")
@click.option("--organisation", "org_name")
@with_appcontext
def user_create(email, name, admin, service_name, role, password, org_name) -> None:
    """Create a user; without --password, print an invitation link."""
    from careobs.accounts import service as accounts
    from careobs.org.models import Service

    session = get_session()
    org = _organisation(org_name)
    email, name = _email_ok(email), _named(name, "name", 120)
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
        accounts.set_password(session, new_user, _password_ok(password, email))
        session.commit()
        click.echo(f"Created {new_user.email}.")
        return
    token = accounts.invite(session, new_user, None)
    session.commit()
    click.echo(f"Created {new_user.email}. Invitation link (valid 72 hours):")
    click.echo(_public_url(f"invitation/{token}"))


def _user_by_email(session, email: str):
    from careobs.accounts import service as accounts

    target = accounts.find_user_by_email(session, email)
    if target is None:
        raise click.ClickException(f"No user with the email {email}.")
    return target


def _public_url(path: str) -> str:
    """The address of ``path`` (an invitation or reset link) for the person it is sent to."""
    import os

    base = os.environ.get("CAREOBS_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    return f"{base}/{path}"


@user.command("invite")
@click.argument("email")
@with_appcontext
def user_invite(email) -> None:
    """Print a new invitation link for a user who has not set a password yet."""
    from careobs.accounts import service as accounts

    session = get_session()
    target = _user_by_email(session, email)
    try:
        token = accounts.invite(session, target, None)
    except accounts.InvitationError as exc:
        raise click.ClickException(str(exc)) from exc
    session.commit()
    click.echo(f"Invitation link for {target.email} (valid 72 hours):")
    click.echo(_public_url(f"invitation/{token}"))


@user.command("reset-link")
@click.argument("email")
@with_appcontext
def user_reset_link(email) -> None:
    """Print a single-use link for a user to choose a new password (it also lifts a lockout)."""
    from careobs.accounts import password_reset

    session = get_session()
    target = _user_by_email(session, email)
    try:
        token = password_reset.create_reset_link(session, target, None)
    except password_reset.CannotReset as exc:
        raise click.ClickException(str(exc)) from exc
    session.commit()
    hours = round(current_app.config["PASSWORD_RESET_MAX_AGE"].total_seconds() / 3600)
    click.echo(f"Password reset link for {target.email} (valid {hours} hours, works once):")
    click.echo(_public_url(f"password-reset/{token}"))


@user.command("set-password")
@click.argument("email")
@click.option("--password", help="The new password (prompted for when not given).")
@with_appcontext
def user_set_password(email, password) -> None:
    """Set a user's password, ending their sessions on every device."""
    from careobs.accounts import service as accounts

    session = get_session()
    target = _user_by_email(session, email)
    if password is None:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    accounts.set_password(session, target, _password_ok(password, target.email))
    session.commit()
    click.echo(f"Password set for {target.email}.")


def _ensure_push_keys(subject: str) -> None:
    """Create the Web Push key when there is none, but never in place of a lost one: devices
    subscribed with it would silently stop getting notifications (as ``push keys`` refuses)."""
    from careobs.notifications.models import PushSubscription
    from careobs.push import keys as vapid

    if vapid.load(current_app.instance_path) is not None:
        return
    subscribed = get_session().scalar(sa.select(sa.func.count()).select_from(PushSubscription))
    if subscribed:
        raise click.ClickException(
            vapid.lost_key_message(
                current_app.instance_path, subscribed, "run 'careobs push keys --force'"
            )
        )
    path = vapid.save(current_app.instance_path, vapid.generate(subject))
    click.echo(f"Created the Web Push key in {path}. Back it up with the database.")


@click.group()
def push() -> None:
    """Web Push: the server's key and sending queued notifications."""


@push.command("keys")
@click.option(
    "--subject",
    default="mailto:admin@example.invalid",
    show_default=True,
    help="A mailto: or https: contact that push services may use.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace an existing key (every device must then turn notifications on again).",
)
@with_appcontext
def push_keys(subject: str, force: bool) -> None:
    """Create the VAPID key pair once and print the public key."""
    from careobs.notifications.models import PushSubscription
    from careobs.push import keys as vapid

    if not subject.startswith(("mailto:", "https:")):
        raise click.ClickException("The subject must start with mailto: or https:.")
    existing = vapid.load(current_app.instance_path)
    if existing is not None and not force:
        click.echo(f"A key already exists; public key: {existing.public_key}")
        return
    subscribed = get_session().scalar(sa.select(sa.func.count()).select_from(PushSubscription))
    if existing is None and subscribed and not force:
        raise click.ClickException(
            vapid.lost_key_message(current_app.instance_path, subscribed, "use --force")
        )
    keys = vapid.generate(subject)
    path = vapid.save(current_app.instance_path, keys)
    if force and subscribed:
        get_session().execute(sa.delete(PushSubscription))
        get_session().commit()
        click.echo(f"Removed {subscribed} subscriptions made with the old key.")
    click.echo(f"Saved {path}. Public key: {keys.public_key}")


@push.command("send")
@with_appcontext
def push_send() -> None:
    """Send queued push notifications (run every minute or so from cron)."""
    from careobs.push import keys as vapid
    from careobs.push.delivery import send_due

    keys = vapid.load(current_app.instance_path)
    if keys is None:
        raise click.ClickException("No Web Push key: run 'careobs push keys' first.")
    report = send_due(get_session(), keys)
    click.echo(
        f"sent {report.sent}, retry later {report.retry}, failed {report.failed}, "
        f"expired {report.expired}, subscriptions removed {report.removed_subscriptions}"
    )


@click.group()
def notify() -> None:
    """Reminders sent to supervisors and action owners."""


@notify.command("due")
@with_appcontext
def notify_due() -> None:
    """Remind supervisors of monitoring visits due or overdue, and owners of actions due
    (run once a day from cron; running it twice sends nothing twice)."""
    from careobs.notifications.due import remind

    sent = remind(get_session())
    get_session().commit()
    click.echo(
        f"visits due reminders {sent['visits_due']}, action reminders {sent['action_due']}, "
        f"re-check reminders {sent['recheck_due']}"
    )


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json"]),
    required=True,
    help="csv: one CSV file per record type; json: one JSON Lines file (.jsonl) per record type.",
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write into (created; must be empty unless --force).",
)
@click.option("--organisation", "org_name", help="Which organisation (needed if several).")
@click.option("--force", is_flag=True, help="Write into a directory that is not empty.")
@with_appcontext
def export(fmt: str, out: Path, org_name: str | None, force: bool) -> None:
    """Export all of an organisation's records: one file per record type and a manifest.json.

    People supported appear only as codes; no password hashes or tokens are exported.
    The export is written to the audit log."""
    from careobs.export import service as exporting

    org = _organisation(org_name)
    try:
        manifest = exporting.export_to_directory(get_engine(), org, fmt, out, force=force)
    except exporting.ExportError as exc:
        raise click.ClickException(str(exc)) from exc
    exporting.record_export(get_session(), manifest)
    get_session().commit()
    click.echo(
        f"Exported {org.name}: {plural(manifest.total_rows, 'row', 'rows')} in "
        f"{plural(len(manifest.files), 'file', 'files')}."
    )
    for entry in manifest.files:
        click.echo(f"  {entry['name']:<28} {entry['rows']:>9}")
    click.echo(f"Written to {out} (see {exporting.MANIFEST}).")
