"""Exporting all of one organisation's records, streamed row by row into files or a ZIP.

Nothing is built in memory: each record type is read with a server-side cursor (PostgreSQL) or
a stepping cursor (SQLite) in batches and written as it arrives, so a provider with a million
QUIS interactions exports in a few megabytes of memory. All files are read inside one
read-only snapshot, so the files agree with each other even while devices keep syncing.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs import __version__
from careobs.audit.service import record
from careobs.db import utcnow
from careobs.export.records import RecordType
from careobs.export.tables import record_types
from careobs.export.writers import FORMATS, RowWriter
from careobs.org.models import Organisation
from careobs.wording import plural

BATCH_ROWS = 2000
MANIFEST = "manifest.json"

Opener = Callable[[str], AbstractContextManager[IO[bytes]]]


class ExportError(Exception):
    """The export cannot be written where it was asked to be (the message says why)."""


@dataclass
class Manifest:
    """What an export contains: written as ``manifest.json`` next to the files."""

    organisation: Organisation
    fmt: str
    generated_at: str = field(default_factory=lambda: utcnow().isoformat())
    files: list[dict] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(f["rows"] for f in self.files)

    def as_dict(self) -> dict:
        """The manifest as JSON-ready data."""
        return {
            "organisation": {"uuid": str(self.organisation.uuid), "name": self.organisation.name},
            "generated_at": self.generated_at,
            "format": self.fmt,
            "file_format": "CSV (RFC 4180, UTF-8)" if self.fmt == "csv" else "JSON Lines, UTF-8",
            "careobs_version": __version__,
            "files": self.files,
        }

    def summary(self, limit: int = 300) -> str:
        """The audit log's line: format, total and each record type's count, as many as fit
        in ``limit`` characters (the manifest has them all)."""
        labels = {t.name: t.label for t in record_types()}
        text = f"{self.fmt.upper()}, {plural(self.total_rows, 'row', 'rows')}: "
        for i, entry in enumerate(self.files):
            part = f"{', ' if i else ''}{labels[entry['record_type']]} {entry['rows']}"
            if len(text) + len(part) > limit - 2:
                return text + " …"
            text += part
        return text


@contextmanager
def snapshot(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A read-only connection that sees the database as it was when the first file was read."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn = conn.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        elif (
            engine.dialect.name == "sqlite" and not conn.connection.dbapi_connection.in_transaction
        ):
            # pysqlite opens no transaction for SELECTs; an explicit one pins the WAL snapshot
            # (ended by the rollback when the connection goes back to the pool).
            conn.exec_driver_sql("BEGIN")
        yield conn


def stream_rows(conn: sa.Connection, record_type: RecordType, org_id: int) -> Iterator[sa.Row]:
    """The rows of one record type for one organisation, fetched ``BATCH_ROWS`` at a time."""
    stmt = record_type.query(org_id).execution_options(yield_per=BATCH_ROWS)
    result = conn.execute(stmt)
    try:
        yield from result
    finally:
        result.close()


def write_files(conn: sa.Connection, organisation: Organisation, fmt: str, open_file: Opener):
    """Write every record type through ``open_file(name)``, then the manifest; return it."""
    if fmt not in FORMATS:
        raise ExportError(f"Unknown format {fmt!r}: choose csv or json.")
    manifest = Manifest(organisation, fmt)
    for record_type in record_types():
        name = record_type.name + FORMATS[fmt]
        with open_file(name) as stream:
            writer = RowWriter(stream, fmt, record_type.columns())
            for row in stream_rows(conn, record_type, organisation.id):
                writer.write(row)
            writer.close()
        manifest.files.append({"name": name, "record_type": record_type.name, "rows": writer.count})
    with open_file(MANIFEST) as stream:
        stream.write(json.dumps(manifest.as_dict(), indent=2, ensure_ascii=False).encode())
    return manifest


def prepare_directory(directory: Path, force: bool = False) -> None:
    """Create ``directory``; refuse one that already holds files unless ``force``."""
    if directory.exists() and not directory.is_dir():
        raise ExportError(f"{directory} exists and is not a directory.")
    if directory.is_dir() and any(directory.iterdir()) and not force:
        raise ExportError(
            f"{directory} is not empty: choose an empty directory, or use --force to "
            "write the export into it anyway (files of the same name are replaced)."
        )
    directory.mkdir(parents=True, exist_ok=True)


def export_to_directory(
    engine: sa.Engine, organisation: Organisation, fmt: str, directory: Path, force: bool = False
) -> Manifest:
    """Write the export as one file per record type plus ``manifest.json`` into ``directory``."""
    prepare_directory(directory, force)
    with snapshot(engine) as conn:
        return write_files(conn, organisation, fmt, lambda name: open(directory / name, "wb"))


def export_to_zip(
    engine: sa.Engine, organisation: Organisation, fmt: str, fileobj: IO[bytes]
) -> Manifest:
    """Write the same files as :func:`export_to_directory` into a ZIP archive on ``fileobj``."""
    with (
        zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        snapshot(engine) as conn,
    ):
        return write_files(
            conn, organisation, fmt, lambda name: archive.open(name, "w", force_zip64=True)
        )


def record_export(session: Session, manifest: Manifest, actor=None):
    """Write the export to the audit log (design §2.4); the caller commits."""
    return record(
        session,
        "export",
        organisation_id=manifest.organisation.id,
        actor=actor,
        entity=manifest.organisation,
        summary=manifest.summary(),
    )
