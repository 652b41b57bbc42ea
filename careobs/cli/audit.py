"""``careobs audit verify``: is the audit log still what careobs wrote?"""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from careobs.audit.integrity import verify as verify_chain
from careobs.db import get_engine


@click.group()
def audit() -> None:
    """The audit log: check that no event was changed, removed or slipped in.

    \b
    careobs audit verify           recompute every event's hash and link
    careobs audit verify --json    the same, as JSON (for monitoring)
    """


@audit.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@with_appcontext
def verify(as_json: bool) -> None:
    """Recompute the hash chain of the whole audit log, in order, a batch at a time.

    Exits 0 and prints the event count and the last hash when every event is intact; exits 1
    naming the first broken link (an event changed, events missing before one, or missing at
    the end). Keep the last hash it prints somewhere outside the database: a log rewritten
    from some point to its end, head included, can only be caught by comparing with it."""
    verdict = verify_chain(get_engine())
    if as_json:
        click.echo(json.dumps(verdict.as_json(), indent=2))
    else:
        click.echo(verdict.describe())
    if not verdict.intact:
        raise SystemExit(1)
