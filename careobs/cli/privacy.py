"""``careobs purge``: remove what is past its retention period (``--dry-run`` lists it first).

Meant for a daily cron line; every organisation is purged unless one is named. Each run writes
one audit event per organisation with its counts.
"""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from careobs.cli.organisations import organisation_named
from careobs.db import get_session
from careobs.org.models import Organisation
from careobs.retention.periods import describe_months
from careobs.retention.purge import BATCH_SIZE, purge_login_failures, purge_organisation
from careobs.retention.queries import figures_changing, report
from careobs.wording import plural


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
    each run writes one per organisation with what it removed."""
    db = get_session()
    for org in _organisations(org_name):
        lines = report(db, org.id)
        if dry_run:
            _show(lines, header=f"{org.name} (dry run: nothing removed)")
            continue
        _show(lines, header=f"{org.name}")
        run = purge_organisation(db, org.id, batch_size=batch_size)
        click.echo(
            f"  Removed {plural(sum(run.records.values()), 'record', 'records')} "
            f"({plural(sum(run.rows.values()), 'row', 'rows')}) in "
            f"{plural(run.batches, 'batch', 'batches')}."
        )
    if not dry_run:
        failures = purge_login_failures(db)
        if failures:
            click.echo(f"Removed {plural(failures, 'old failed login', 'old failed logins')}.")
