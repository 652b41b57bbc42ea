"""``careobs export`` and ``careobs evidence-pack``: an organisation's records, or a service's
CQC evidence pack for a period, written to files (and to the audit log)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from careobs.cli.organisations import organisation_named
from careobs.db import get_engine, get_session, utcnow
from careobs.evidence import pdf
from careobs.evidence.forms import check_period
from careobs.evidence.pack import build
from careobs.evidence.service import record_download
from careobs.export import service as exporting
from careobs.org import settings as org_settings
from careobs.org.models import Service
from careobs.wording import plural


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
    org = organisation_named(org_name)
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


def _day(_ctx, param, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: use YYYY-MM-DD.", param=param) from None


@click.command("evidence-pack")
@click.option("--service", "service_name", required=True, help="The service's name.")
@click.option("--from", "first", required=True, callback=_day, help="First day, YYYY-MM-DD.")
@click.option("--to", "last", required=True, callback=_day, help="Last day, YYYY-MM-DD.")
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="PDF to write."
)
@click.option("--organisation", "org_name", help="Which organisation (needed if several).")
@with_appcontext
def evidence_pack(service_name: str, first: date, last: date, out: Path, org_name) -> None:
    """Write the CQC evidence pack of a service for a period as a PDF (written to the audit log)."""
    problem = check_period(first, last)
    if problem:
        raise click.ClickException(problem)
    db = get_session()
    org = organisation_named(org_name)
    service = db.scalar(
        sa.select(Service).where(Service.organisation_id == org.id, Service.name == service_name)
    )
    if service is None:
        names = ", ".join(
            db.scalars(sa.select(Service.name).where(Service.organisation_id == org.id))
        )
        raise click.ClickException(f"No service called {service_name!r} in {org.name} ({names}).")
    zone = org_settings.time_zone(db, org.id)
    started = datetime.now()
    # Coverage links workers' pages, which needs a request context even with no request.
    with current_app.test_request_context():
        pack = build(db, service, first, last, utcnow().astimezone(zone).date())
        body = pdf.render(pack, f"{pack.generated_at.astimezone(zone):%-d %b %Y, %H:%M}")
    try:
        out.write_bytes(body)
    except OSError as exc:
        raise click.ClickException(f"Could not write {out}: {exc.strerror}.") from exc
    record_download(db, pack, actor=None, how="cli")
    db.commit()
    seconds = (datetime.now() - started).total_seconds()
    click.echo(
        f"Wrote {out} ({len(body) // 1024} KB) for {service.name}, {pack.period}, "
        f"in {seconds:.1f} s."
    )
