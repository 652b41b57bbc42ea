"""The one shape every dashboard number travels in: a table, with the charts drawn from it.

A :class:`Table` holds raw values (counts, shares between 0 and 1, dates). The page renders it as
an HTML table, the CSV download writes the same cells (to the same digits; dates in ISO form,
percentages without the sign, blanks for "—", text a spreadsheet would run as a formula after a
``'``: see :mod:`careobs.csv_cells`), the JSON endpoint sends it to the charts, so the
chart, its table and its CSV can never disagree.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from careobs.csv_cells import spreadsheet_safe

# How each kind of value is shown (and written to CSV: the same text, without the % sign).
KINDS = ("text", "int", "pct", "num", "date")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # one of KINDS


@dataclass(frozen=True)
class Chart:
    """How to draw a table: ``series`` are column keys plotted against the ``x`` column.

    ``bands`` pairs each series with the two columns (low, high) of its 95% interval, drawn as a
    shaded band on line charts (bar charts leave the interval to the table).
    """

    title: str
    kind: str  # "bar", "stacked" (stacked bars of shares) or "line"
    x: str
    series: tuple[str, ...]
    bands: tuple[tuple[str, str], ...] = ()
    percent: bool = True


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    caption: str = ""  # what the numbers mean, e.g. how n is counted
    empty: str = "No records for these filters."
    chart: Chart | None = None
    links: list[str] = field(
        default_factory=list
    )  # a page for each row, linked from its first cell
    heat: bool = False  # shade percentage cells by level (the number is always shown too)

    def cells(self, row: list[Any], for_csv: bool = False) -> list[str]:
        return [display(c, v, for_csv) for c, v in zip(self.columns, row, strict=True)]

    def as_json(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "caption": self.caption,
            "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in self.columns],
            "rows": [[_json_value(v) for v in row] for row in self.rows],
            "chart": None if self.chart is None else _chart_json(self.chart),
        }

    def as_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([spreadsheet_safe(_csv_header(c)) for c in self.columns])
        for row in self.rows:
            writer.writerow(
                [
                    spreadsheet_safe(cell) if isinstance(value, str) else cell
                    for value, cell in zip(row, self.cells(row, for_csv=True), strict=True)
                ]
            )
        return out.getvalue()


# Columns several dashboards share.
NOTE = Column("note", "Note")
VISITS = Column("visits", "Visits", "int")
SHARE = Column("share", "Share", "pct")


def counts_with_shares(
    key: str,
    title: str,
    label: Column,
    counts: Iterable[tuple[Any, int]],
    *,
    caption: str,
    chart: Chart,
) -> Table:
    """Visits counted by ``label`` (a type, weekday, hour or lateness band), each with its share
    of all the rows' visits: a dash when there are none."""
    rows = list(counts)
    total = sum(n for _, n in rows)
    return Table(
        key,
        title,
        [label, VISITS, SHARE],
        [[value, n, n / total if total else None] for value, n in rows],
        caption=caption,
        chart=chart,
    )


def display(column: Column, value: Any, for_csv: bool = False) -> str:
    """A value as the page shows it; CSV gets the same digits, with no % sign or dash."""
    if value is None:
        return "" if for_csv else "—"
    if column.kind == "pct":
        text = f"{value * 100:.1f}"
        return text if for_csv else f"{text}%"
    if column.kind == "num":
        return f"{value:.1f}"
    if column.kind == "int":
        return str(int(value))
    if column.kind == "date" and isinstance(value, date | datetime):
        return value.isoformat() if for_csv else f"{value:%-d %b %Y}"
    return str(value)


def heat_level(share: float) -> int:
    """A shade from 0 (under 50%) to 4 (90% and over) for a share between 0 and 1."""
    for level, floor in ((4, 0.9), (3, 0.8), (2, 0.7), (1, 0.5)):
        if share >= floor:
            return level
    return 0


def _csv_header(column: Column) -> str:
    return f"{column.label} (%)" if column.kind == "pct" else column.label


def _json_value(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _chart_json(chart: Chart) -> dict:
    return {
        "title": chart.title,
        "kind": chart.kind,
        "x": chart.x,
        "series": list(chart.series),
        "bands": [list(pair) for pair in chart.bands],
        "percent": chart.percent,
    }
