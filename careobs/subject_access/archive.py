"""The ZIP a care worker (or an admin for them) downloads: README.txt, one CSV per category and
data.json holding the same rows.

Pure: no Flask, no database. It is handed :class:`Category` rows already gathered
(careobs.subject_access.collect) and writes them, so what a worker receives can be tested with
any values, hostile ones included. Text is cleaned once, here, for both formats: a NUL is
dropped and an unpaired surrogate becomes U+FFFD (neither can be written as UTF-8, and a NUL
cuts some readers' strings short); CSV cells go through careobs.csv_cells so a note typed as
``=HYPERLINK(...)`` never runs as a formula.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from careobs.export.writers import RowWriter
from careobs.wording import plural

README = "README.txt"
DATA = "data.json"
_UNWRITABLE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Category:
    """One kind of thing careobs holds about the worker: one CSV file and one key of data.json.

    ``entity_type`` names the audit log's record type for rows whose first column is their
    public id, so the log's events about exactly these records can be found.
    """

    name: str  # the file's stem and the data.json key; stable, so readers can rely on it
    title: str
    about: str  # one sentence for README.txt
    columns: tuple[str, ...]
    rows: list[tuple] = field(default_factory=list)
    entity_type: str | None = None


@dataclass(frozen=True)
class Cover:
    """What README.txt says about the copy as a whole."""

    made_at: datetime
    for_whom: str  # the worker's name: inside the ZIP only, never in its name or a URL
    organisation: str
    complete: bool  # False: the worker's own download, which leaves out what is not yet released


def clean(value):
    """A value as both files can hold it (see the module docstring); other types unchanged."""
    if isinstance(value, str):
        return _UNWRITABLE.sub("\ufffd", value.replace("\x00", ""))
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    return value


def _json_value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def filename(made_at: datetime) -> str:
    """``careobs-your-data-YYYY-MM-DD.zip``: a date, never a name or an email."""
    return f"careobs-your-data-{made_at.date().isoformat()}.zip"


def readme(cover: Cover, categories: list[Category]) -> str:
    """README.txt: what the copy is, what each file holds and how many rows, how to correct it."""
    scope = (
        "This is a complete copy, made by your organisation, including records still being"
        " written or not yet released to you (their status column says so)."
        if cover.complete
        else "This is the copy you downloaded yourself. Records about your practice that are"
        " still being written or not yet released to you (draft feedback, a monitoring visit"
        " or QUIS observation whose feedback is not yet released, an audit in progress, and"
        " what was agreed at them) are not in it; they will be once released. Ask your"
        " organisation for a complete copy (a subject access request) if you want them now."
    )
    lines = [
        "Your data in careobs",
        "====================",
        "",
        f"Made for: {cover.for_whom}",
        f"Organisation: {cover.organisation}",
        f"Made at: {cover.made_at.isoformat()} (UTC)",
        "",
        "Everything careobs holds about you: your account, your staff record, feedback to",
        "you and your replies, monitoring visits and audits of your practice, QUIS",
        "observations that name you, actions you own, random draws you were part of,",
        "compliments naming you, your notifications and push subscriptions, your login",
        "history, and the audit log's events about you or done by you.",
        "",
        scope,
        "",
        "People supported appear only as codes (for example R07), as everywhere in careobs.",
        "Colleagues appear only where the record itself names them (who wrote feedback to",
        "you, who made a visit); their addresses (IP) are never included.",
        "",
        "Each file is CSV (UTF-8, one row per record, first row the column names); data.json",
        "holds the same rows. Times are ISO 8601 in UTC. A cell starting with ' had that mark",
        "added so a spreadsheet shows it as text rather than running it as a formula.",
        "",
        "Files",
        "-----",
    ]
    for category in categories:
        lines.append(f"{category.name}.csv: {plural(len(category.rows), 'row', 'rows')}")
        lines.append(f"    {category.title}. {category.about}")
    lines += [
        "",
        "Something wrong?",
        "----------------",
        "Ask your manager or your organisation's data protection lead to correct it. A",
        "submitted record is not changed: a correction is added to it with the reason, and",
        "text that should not be there can be redacted. You can also ask for a complete copy",
        "or for records to be erased, and complain to the Information Commissioner's Office",
        "(ico.org.uk) if you are not satisfied.",
        "",
    ]
    return "\n".join(lines)


def _csv_bytes(category: Category) -> bytes:
    stream = io.BytesIO()
    writer = RowWriter(stream, "csv", list(category.columns))
    for row in category.rows:
        writer.write(row)
    writer.close()
    return stream.getvalue()


def data_json(cover: Cover, categories: list[Category]) -> str:
    """data.json: the cover facts, then each category's rows as objects keyed by column."""
    document = {
        "made_at": cover.made_at.isoformat(),
        "for": cover.for_whom,
        "organisation": cover.organisation,
        "complete": cover.complete,
        "people_supported": "codes only",
        "categories": {
            c.name: {
                "title": c.title,
                "rows": [
                    {col: _json_value(v) for col, v in zip(c.columns, row, strict=True)}
                    for row in c.rows
                ],
            }
            for c in categories
        },
    }
    return json.dumps(document, ensure_ascii=False, indent=1)


def build_zip(cover: Cover, categories: list[Category]) -> bytes:
    """The whole archive, in memory: one worker's records are small (hundreds of rows)."""
    cover = Cover(cover.made_at, clean(cover.for_whom), clean(cover.organisation), cover.complete)
    categories = [
        Category(
            c.name,
            c.title,
            c.about,
            c.columns,
            [tuple(clean(v) for v in row) for row in c.rows],
            c.entity_type,
        )
        for c in categories
    ]
    buffer = io.BytesIO()
    stamp = cover.made_at.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:

        def add(name: str, content: bytes) -> None:
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), content, zipfile.ZIP_DEFLATED)

        add(README, readme(cover, categories).encode("utf-8"))
        for category in categories:
            add(f"{category.name}.csv", _csv_bytes(category))
        add(DATA, data_json(cover, categories).encode("utf-8"))
    return buffer.getvalue()
