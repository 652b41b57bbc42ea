"""Helpers for the dashboard tests: an organisation with a second care home and a second
homecare service (neither managed by the managers under test), a homecare manager, documents
written through the real sync API, and a reader for the dashboard pages' HTML tables.

Times are written as local Europe/London wall-clock times with :func:`local`, so each fixture
says plainly which side of a clock change it is on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from careobs.dashboards.tables import Column, display
from careobs.org.models import Area, Person, Service, StaffMember
from tests.api.conftest import SyncApi, interaction, iso, quis_doc
from tests.spotchecks.conftest import ChecklistInfo, checklist_info, spot_check

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def local(year, month, day, hour=0, minute=0) -> datetime:
    """A Europe/London wall-clock time as an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON).astimezone(UTC)


@pytest.fixture
def acme(app, data, db):
    """Acme Care, plus what the dashboards need to tell services apart.

    - ``annexe``: a second care home (person A01), managed by nobody but the admin;
    - ``rural``: a second homecare service (person X01, worker Rita Rural);
    - ``home_manager``: manager of Acme Homecare only;
    - Carla Carer is the care-home ``staff`` user's own staff record.
    """
    built = data.organisation()
    s = db
    org_id = built.org.id
    built.people["H01"].consent = "yes"
    annexe = Service(organisation_id=org_id, name="Acme Annexe", kind="care_home")
    rural = Service(organisation_id=org_id, name="Acme Rural", kind="homecare")
    s.add_all([annexe, rural])
    s.flush()
    s.add(Person(organisation_id=org_id, service_id=annexe.id, code="A01"))
    s.add(Person(organisation_id=org_id, service_id=rural.id, code="X01", consent="yes"))
    annexe_lounge = Area(organisation_id=org_id, service_id=annexe.id, name="Annexe lounge")
    rita = StaffMember(
        organisation_id=org_id,
        service_id=rural.id,
        name="Rita Rural",
        job_role="Care worker",
        start_date=date(2025, 2, 3),
    )
    s.add_all([annexe_lounge, rita])
    built.staff_members["Carla Carer"].user_id = built.staff.id
    s.commit()
    home_manager = data.user(
        built.org, "homemanager@acme.test", "Hana Homecare", roles={built.homecare: "manager"}
    )
    s.commit()
    return SimpleNamespace(
        **{k: getattr(built, k) for k in built.__dataclass_fields__},
        annexe=annexe,
        rural=rural,
        annexe_lounge=annexe_lounge,
        rita=rita,
        home_manager=home_manager,
    )


@pytest.fixture
def client_as(login_as):
    """A fresh, separately logged-in client per user."""
    return login_as


@pytest.fixture
def admin_sync(acme, client_as) -> SyncApi:
    """The sync API as Acme's admin, who may record in every service."""
    return SyncApi(client_as(acme.admin))


@pytest.fixture
def frozen_today(monkeypatch):
    """The dashboards' clock fixed at noon UTC on 27 November 2026."""
    monkeypatch.setattr("careobs.dashboards.views.utcnow", lambda: NOW)
    return TODAY


# -- QUIS sessions ------------------------------------------------------------------------------


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


# -- monitoring visits --------------------------------------------------------------------------


@pytest.fixture
def checklist(app, db, acme) -> ChecklistInfo:
    from careobs.checklists import service as checklists

    with app.app_context():
        created = checklists.create_default(db, acme.org.id)
        db.commit()
        checklist_id = created.uuid
    return checklist_info(db, checklist_id)


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


@pytest.fixture
def visit(acme, checklist) -> VisitMaker:
    return VisitMaker(acme, checklist)


# -- reading dashboards -------------------------------------------------------------------------


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
