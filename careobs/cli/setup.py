"""``careobs init`` and ``careobs demo``: a new database, with its first organisation or a demo;
``careobs starter-easy-read``: the starter templates' later wording for an existing one."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from careobs import migrate
from careobs.accounts import service as accounts
from careobs.audits import starter
from careobs.checklists import service as checklists
from careobs.cli.organisations import organisation_named
from careobs.cli.push import ensure_push_keys
from careobs.cli.users import email_ok, named, password_ok
from careobs.db import get_engine, get_session, refresh_statistics
from careobs.demo import DEMO_PASSWORD, load_demo
from careobs.demo_large import LARGE_ORG, LOGINS, LargeDemoExists, generate
from careobs.org.models import Organisation


@click.command()
@click.option("--organisation", "org_name", help="Your organisation's name.")
@click.option("--admin-email", help="Email of the first organisation admin.")
@click.option("--admin-name", help="Name of the first organisation admin.")
@click.option("--admin-password", help="Password (prompted for when not given).")
@with_appcontext
def init(org_name, admin_email, admin_name, admin_password) -> None:
    """Apply migrations, then create the organisation and its first admin (once)."""
    migrate.upgrade(get_engine())
    session = get_session()
    if session.scalar(sa.select(sa.func.count()).select_from(Organisation)):
        click.echo("Database migrated. An organisation already exists; nothing else to do.")
        return
    org_name = named(org_name or click.prompt("Organisation name"), "organisation name")
    admin_email = email_ok(admin_email or click.prompt("Admin email"))
    if accounts.email_taken(session, admin_email):
        raise click.ClickException(f"{admin_email} is already a user.")
    admin_name = named(admin_name or click.prompt("Admin name"), "admin name", 120)
    if admin_password is None:
        admin_password = click.prompt("Admin password", hide_input=True, confirmation_prompt=True)
    password_ok(admin_password, admin_email)
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
    starter.create_starter_templates(session, org.id, actor=user)
    session.commit()
    ensure_push_keys(f"mailto:{user.email}")
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
    migrate.upgrade(get_engine())
    if size == "large":
        _demo_large(DEMO_PASSWORD)
        return
    logins = load_demo(get_session())
    refresh_statistics(get_session())
    ensure_push_keys("mailto:admin@demo.test")
    click.echo("Demo Care Group is ready. Log in at http://127.0.0.1:5000 with:")
    for email, role in logins:
        click.echo(f"  {email:<24} {role}")
    click.echo(f"Password for all of them: {DEMO_PASSWORD}")


def _demo_large(password: str) -> None:

    try:
        made = generate(get_session(), echo=click.echo)
    except LargeDemoExists as exc:
        if not exc.complete:
            raise click.ClickException(str(exc)) from exc
        click.echo(str(exc))
    else:
        refresh_statistics(get_session(), vacuum=True)
        minutes, seconds = divmod(round(made.seconds), 60)
        click.echo(f"Generated in {minutes} min {seconds} s.")
    ensure_push_keys("mailto:admin@large.test")
    click.echo(f"{LARGE_ORG} is ready. Log in at http://127.0.0.1:5000 with:")
    for email, _name, role in LOGINS:
        click.echo(f"  {email:<24} {role}")
    click.echo(f"Password for all of them: {password}")


@click.command("starter-easy-read")
@click.option("--organisation", "org_name", help="Which organisation (needed when several).")
@with_appcontext
def starter_easy_read(org_name) -> None:
    """Write the starter templates' easy-read wording into a draft of each starter template
    that lacks it (an organisation made before it existed); an admin reads and publishes."""
    session = get_session()
    org = organisation_named(org_name)
    drafts = starter.draft_easy_read(session, org.id)
    session.commit()
    if not drafts:
        click.echo("Every starter template already has its easy-read wording; nothing written.")
        return
    for draft in drafts:
        click.echo(f"{draft.checklist.name}: written into draft version {draft.number}.")
    click.echo("Read each draft in /admin/checklists/ and publish it to use the wording.")
