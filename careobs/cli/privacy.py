"""``careobs purge``: remove what is past its retention period (``--dry-run`` lists it first).

Meant for a daily cron line; every organisation is purged unless one is named. Each run writes,
per organisation, an audit event before its first batch and one with its counts at the end (also
when it stops early); one organisation failing does not stop the next, and the command then
exits non-zero naming it. A SIGTERM (a cron or systemd timeout) stops the run between
statements, so it still writes its outcome.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from careobs.cli.organisations import organisation_named
from careobs.db import get_session
from careobs.org.models import Organisation
from careobs.retention.periods import describe_months
from careobs.retention.purge import (
    BATCH_SIZE,
    purge_login_failures,
    purge_organisation,
    why_stopped,
)
from careobs.retention.queries import figures_changing, report
from careobs.wording import plural

log = logging.getLogger(__name__)


def _organisations(name: str | None) -> list[Organisation]:
    if name:
        return [organisation_named(name)]
    return list(get_session().scalars(sa.select(Organisation).order_by(Organisation.id)))


def _show(lines, *, header: str) -> None:
    click.echo(header)
    for line in lines:
        click.echo(
            f"  {line.label}: kept {describe_months(line.months)}; dated before "
            f"{line.cutoff.day.isoformat()}: {line.total} to remove"
        )
        for service, count in sorted(line.by_service.items()):
            click.echo(f"    {service}: {count}")
        for reason, count in sorted(line.kept.items()):
            click.echo(f"    kept, {reason}: {count}")
    changing = figures_changing(lines)
    if changing:
        click.echo("  Figures that change:")
        for words in changing:
            click.echo(f"    {words}")


@click.command()
@click.option("--dry-run", is_flag=True, help="List what is past retention; remove nothing.")
@click.option(
    "--batch-size",
    type=click.IntRange(1, 10_000),
    default=BATCH_SIZE,
    show_default=True,
    help="Records removed per transaction.",
)
@click.option("--organisation", "org_name", help="Only this organisation (default: all).")
@with_appcontext
def purge(dry_run: bool, batch_size: int, org_name: str | None) -> None:
    """Remove records past their retention period, with every row that goes with them.

    Periods are set per organisation on Admin > Retention. Audit events are never removed;
    each run writes two per organisation, as it starts and with what it removed. Exits 1
    naming any organisation whose purge stopped early (the others are still purged)."""
    db = get_session()
    failed = []
    with _sigterm_stops():
        for org in _organisations(org_name):
            try:
                _purge_one(db, org, dry_run, batch_size)
            except Exception as exc:
                db.rollback()
                log.exception("The purge of %s stopped early", org.name)
                click.echo(f"  Stopped early ({why_stopped(exc)}).", err=True)
                failed.append(org.name)
        if not dry_run:
            try:
                failures = purge_login_failures(db)
                click.echo(f"Removed {plural(failures, 'old failed login', 'old failed logins')}.")
            except Exception as exc:
                db.rollback()
                log.exception("Old failed logins could not be removed")
                click.echo(f"Old failed logins: stopped early ({why_stopped(exc)}).", err=True)
                failed.append("old failed logins")
    if failed:
        raise click.ClickException(
            f"The purge stopped early for: {', '.join(failed)}. The others were purged; see "
            "the log for the error, and run it again once it is fixed."
        )


def _purge_one(db, org: Organisation, dry_run: bool, batch_size: int) -> None:
    lines = report(db, org.id)
    if dry_run:
        _show(lines, header=f"{org.name} (dry run: nothing removed)")
        return
    _show(lines, header=f"{org.name}")
    run = purge_organisation(db, org.id, batch_size=batch_size, planned=lines)
    click.echo(
        f"  Removed {plural(sum(run.records.values()), 'record', 'records')} "
        f"({plural(sum(run.rows.values()), 'row', 'rows')}) in "
        f"{plural(run.batches, 'batch', 'batches')}."
    )


@contextmanager
def _sigterm_stops() -> Iterator[None]:
    """While the purge runs, SIGTERM raises SystemExit (as Ctrl-C raises KeyboardInterrupt), so
    the run's outcome is written; the handler before it is put back after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stop(signum, _frame) -> None:
    sys.exit(128 + signum)
