"""Which organisation a command acts on, named or the only one."""

from __future__ import annotations

import click
import sqlalchemy as sa

from careobs.db import get_session
from careobs.org.models import Organisation


def organisation_named(name: str | None) -> Organisation:
    """The organisation called ``name``; without a name, the only one there is."""
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
