"""``careobs db``: the database schema's migrations."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from careobs import migrate
from careobs.db import get_engine


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
