"""The ``careobs`` command: the one entry point for serving, migrating and administering careobs.

Each group of commands has its module here; the CLI sits above every feature (like the app
factory), so it imports them and nothing in careobs imports it back.
"""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from careobs import __version__, create_app
from careobs.cli.audit import audit
from careobs.cli.database import db
from careobs.cli.privacy import purge
from careobs.cli.push import notify, push
from careobs.cli.records import evidence_pack, export
from careobs.cli.setup import demo, init, starter_easy_read
from careobs.cli.subject_access import subject_access
from careobs.cli.users import user

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
  careobs subject-access --email EMAIL --out FILE.zip
                          everything held about one worker (or --staff ID),
                          for a subject access request; written to the audit log

\b
Retention (periods per record type on Admin > Retention):
  careobs purge --dry-run what is past its retention period, per type and service
  careobs purge           remove it, in batches (--batch-size, default 500), audited
                          per organisation; exit 1 if one stopped early; daily cron

\b
The audit log is chained by hashes; check that nothing was changed or removed:
  careobs audit verify    exit 1 naming the first broken link (--json too)

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


def register_commands(app) -> None:
    """Attach careobs's commands to the app, so ``careobs`` and the test runner both see them."""
    for command in (
        db,
        init,
        demo,
        user,
        push,
        notify,
        export,
        evidence_pack,
        starter_easy_read,
        subject_access,
        purge,
        audit,
    ):
        app.cli.add_command(command)
