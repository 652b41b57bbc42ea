"""Dashboard tests in one line: local times, sessions and visits written through the sync API,
and readers of the dashboards' HTML and JSON tables.

Times are written as local Europe/London wall-clock times with :func:`local`, so each test says
plainly which side of a clock change it is on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from careobs.dashboards.tables import Column, display
from careobs.org.models import StaffMember
from tests.support.quis import interaction, quis_doc
from tests.support.sync import SyncApi, iso
from tests.support.visits import ChecklistInfo, spot_check

LONDON = ZoneInfo("Europe/London")


TODAY = date(2026, 11, 27)


NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def local(year, month, day, hour=0, minute=0) -> datetime:
    """A Europe/London wall-clock time as an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON).astimezone(UTC)


def session_doc(service, start: datetime, minutes: int, categories, *, people=("R01",), **fields):
    """A submitted session starting at ``start``; ``categories`` are codes, or (code, people)."""
    items = []
    for index, entry in enumerate(categories):
        code, who = (entry, people[:1]) if isinstance(entry, str) else entry
        items.append(interaction(code, who, at=iso(start + timedelta(minutes=index))))
    fields.setdefault("status", "submitted")
    return quis_doc(
        service,
        started_at=iso(start),
        ended_at=iso(start + timedelta(minutes=minutes)),
        people=list(people),
        interactions=items,
        **fields,
    )


def write(sync: SyncApi, *documents) -> None:
    results = sync(*documents)
    assert [r["status"] for r in results] == ["created"] * len(documents), results


@dataclass
class VisitMaker:
    """``visits(planned, ...)``: a valid submitted visit document for a homecare worker."""

    acme: SimpleNamespace
    checklist: ChecklistInfo
    made: list = field(default_factory=list)

    def __call__(
        self,
        planned: datetime,
        *,
        late: float = 0,
        staff=None,
        service=None,
        person="H01",
        **fields,
    ) -> dict:
        arrived = planned + timedelta(minutes=late)
        return spot_check(
            service or self.acme.homecare,
            staff or self.acme.staff_members["Hal Homecare"],
            self.checklist,
            person_code=person,
            planned_at=iso(planned),
            arrived_at=iso(arrived),
            left_at=iso(arrived + timedelta(minutes=30)),
            **fields,
        )


class _TableReader(HTMLParser):
    """Collects the text of every cell of every ``<table data-table=...>`` on a page."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.headers: dict[str, list[str]] = {}
        self.current: str | None = None
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.in_head = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-table" in attrs:
            self.current = attrs["data-table"]
            self.tables[self.current] = []
            self.headers[self.current] = []
        elif self.current and tag == "thead":
            self.in_head = True
        elif self.current and tag == "tr":
            self.row = []
        elif self.current and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.current = None
        elif self.current and tag == "thead":
            self.in_head = False
        elif self.current and tag in ("td", "th") and self.cell is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif self.current and tag == "tr" and self.row is not None:
            if self.in_head:
                self.headers[self.current] = self.row
            else:
                self.tables[self.current].append(self.row)
            self.row = None

    def handle_data(self, text):
        if self.cell is not None:
            self.cell.append(text)


def html_tables(page: str) -> dict[str, list[list[str]]]:
    """Each dashboard table on the page (by key) as rows of cell texts, header row excluded."""
    reader = _TableReader()
    reader.feed(page)
    return reader.tables


def rendered(table_json: dict, for_csv: bool = False) -> list[list[str]]:
    """A JSON table's rows as the page (or the CSV) should show them."""
    columns = [Column(c["key"], c["label"], c["kind"]) for c in table_json["columns"]]

    def value(column: Column, raw):
        # JSON carries dates as ISO text; the page and the CSV format the date itself.
        return date.fromisoformat(raw) if column.kind == "date" and raw else raw

    return [
        [display(c, value(c, v), for_csv) for c, v in zip(columns, row, strict=True)]
        for row in table_json["rows"]
    ]


def table_of(payload: dict, key: str) -> dict:
    return next(t for t in payload["tables"] if t["key"] == key)


def rows_by_first(table_json: dict) -> dict[str, list]:
    return {row[0]: row for row in table_json["rows"]}


def column_values(table_json: dict, key: str) -> list:
    index = [c["key"] for c in table_json["columns"]].index(key)
    return [row[index] for row in table_json["rows"]]


def headline(payload: dict) -> dict[str, str]:
    return {h["label"]: h["value"] for h in payload["headline"]}


def add_worker(db, acme, name: str, start: date | None = date(2024, 1, 8), **fields):
    """A care worker in Acme's homecare service (start date 8 January 2024 unless given)."""
    member = StaffMember(
        organisation_id=acme.org.id,
        service_id=acme.homecare.id,
        name=name,
        job_role="Care worker",
        start_date=start,
        **fields,
    )
    db.add(member)
    db.commit()
    return member
