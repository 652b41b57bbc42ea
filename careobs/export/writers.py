"""Writing rows as they arrive: CSV, or JSON Lines, into any binary stream.

JSON is written as JSON Lines (``.jsonl``: one JSON object per line) rather than one JSON array
per file. Both can be written row by row, but a reader of a million-element array must usually
load all of it; a JSON Lines file is read line by line in constant memory (``jq -c``,
``pandas.read_json(lines=True)``, a ``for line in file`` loop), and a cut-short file is still
readable up to its last whole line.

Values: timestamps ISO 8601 with their UTC offset, dates ISO 8601, UUIDs in their usual text
form. In CSV, booleans are ``true``/``false``, empty values are empty cells, lists (the people
codes of a QUIS session) are JSON text such as ``["R01", "R02"]`` and text a spreadsheet would run
as a formula starts with a ``'`` (see :mod:`careobs.csv_cells`).
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import date, datetime
from typing import IO

from careobs.csv_cells import spreadsheet_safe

FORMATS = {"csv": ".csv", "json": ".jsonl"}
_PLAIN = frozenset({str, int, float})  # most cells: written as they are, checked first


def _json_value(value):
    if type(value) in _PLAIN or value is None:
        return value
    if isinstance(value, datetime | date):  # a datetime is a date too
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _csv_value(value):
    if isinstance(value, str):
        return spreadsheet_safe(value)
    if type(value) in _PLAIN:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return _json_value(value)


class RowWriter:
    """Writes one record type's rows to ``stream`` (binary) in ``fmt``, counting them."""

    def __init__(self, stream: IO[bytes], fmt: str, columns: list[str]):
        if fmt not in FORMATS:
            raise ValueError(f"unknown export format {fmt!r}")
        self.fmt = fmt
        self.columns = columns
        self.count = 0
        self._text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=False)
        if fmt == "csv":
            self._csv = csv.writer(self._text)
            self._csv.writerow([spreadsheet_safe(c) for c in columns])

    def write(self, row) -> None:
        """Write one row (a sequence in the order of ``columns``)."""
        if self.fmt == "csv":
            self._csv.writerow([_csv_value(v) for v in row])
        else:
            record = {c: _json_value(v) for c, v in zip(self.columns, row, strict=True)}
            self._text.write(json.dumps(record, ensure_ascii=False))
            self._text.write("\n")
        self.count += 1

    def close(self) -> None:
        """Flush the text layer and hand the stream back to its owner, who closes it."""
        self._text.flush()
        self._text.detach()
