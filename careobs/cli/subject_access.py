"""``careobs subject-access``: everything careobs holds about one worker, as the ZIP an admin
downloads from their staff or user page, written to a file (and to the audit log)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from careobs.accounts.models import User
from careobs.accounts.service import normalise_email
from careobs.db import get_session
from careobs.org.models import StaffMember
from careobs.subject_access import collect
from careobs.subject_access.service import produce
from careobs.wording import plural


def _subject(email: str | None, staff_id: str | None) -> collect.Subject:
    db = get_session()
    if (email is None) == (staff_id is None):
        raise click.UsageError("Give either --email (a login) or --staff (a staff record's id).")
    if email is not None:
        user = db.scalar(sa.select(User).where(User.email == normalise_email(email)))
        if user is None:
            raise click.ClickException("No user has that email address.")
        return collect.for_user(db, user)
    try:
        member_uuid = uuid.UUID(staff_id)
    except ValueError:
        raise click.BadParameter(
            "not a staff record's id (a UUID).", param_hint="--staff"
        ) from None
    member = db.scalar(sa.select(StaffMember).where(StaffMember.uuid == member_uuid))
    if member is None:
        raise click.ClickException("No staff record has that id.")
    return collect.for_staff(db, member)


@click.command("subject-access")
@click.option("--email", help="The worker's login email.")
@click.option("--staff", "staff_id", help="Or their staff record's id (the UUID in its page URL).")
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="ZIP to write."
)
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@with_appcontext
def subject_access(email: str | None, staff_id: str | None, out: Path, force: bool) -> None:
    """Everything careobs holds about one worker (a subject access request), complete with
    records not yet released to them. The file is readable by its owner only; the download
    is written to the audit log."""
    subject = _subject(email, staff_id)
    db = get_session()
    copy = produce(db, subject, actor=None, complete=True, how="the command line")
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    try:
        fd = os.open(out, flags, 0o600)
    except FileExistsError:
        raise click.ClickException(f"{out} exists: choose another file or add --force.") from None
    except OSError as exc:
        raise click.ClickException(f"Cannot write {out}: {exc.strerror}.") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(copy.content)
        db.commit()  # the copy exists only if its audit event does
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    click.echo(
        f"Wrote {out}: {plural(copy.rows, 'row', 'rows')} in {plural(copy.files, 'file', 'files')}."
    )
