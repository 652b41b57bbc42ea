"""``careobs push`` and ``careobs notify``: the Web Push key, queued pushes and daily reminders."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from careobs.db import get_session
from careobs.notifications.due import remind
from careobs.push import keys as vapid
from careobs.push.delivery import send_due
from careobs.push.models import PushSubscription


def ensure_push_keys(subject: str) -> None:
    """Create the Web Push key when there is none, but never in place of a lost one: devices
    subscribed with it would silently stop getting notifications (as ``push keys`` refuses)."""
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
    """Remind supervisors of monitoring visits and scheduled audits due or overdue, and owners
    of actions due (run once a day from cron; running it twice sends nothing twice)."""
    sent = remind(get_session())
    get_session().commit()
    click.echo(
        f"visits due reminders {sent['visits_due']}, action reminders {sent['action_due']}, "
        f"re-check reminders {sent['recheck_due']}, audits due reminders {sent['audits_due']}"
    )
