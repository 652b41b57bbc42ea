"""The dashboards in the browser, with the demo organisation: charts drawn from the JSON endpoint
agree with the tables, the CSV downloads hold exactly the table's cells, filters live in the URL,
the last dashboard viewed stays readable offline, and a care worker sees only their own page.

Every number is read from what the page shows (table cells, headline cards) or from the Chart.js
instance on each canvas (``Chart.getChart``), never from the server's own JSON, so a chart that
drifts from its table fails here. Waits are on conditions, never on fixed delays.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from careobs.days import local_midnight
from careobs.demo import DEMO_ORG
from careobs.feedback.models import Feedback
from careobs.org.models import Organisation, Service, StaffMember
from careobs.permissions import visits_on_worker_page
from careobs.visits.models import MonitoringVisit
from tests.e2e.pages import charts_drawn, homecare_worker_uuid
from tests.e2e.waits import wait_until

DASH = "—"
DATE_SHOWN = re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4}")

# --- reading the page --------------------------------------------------------------------------

READ_TABLE = """(key) => {
  const table = document.querySelector(`table[data-table="${key}"]`);
  if (!table) return null;
  const text = (cell) => cell.textContent.trim().replace(/\\s+/g, " ");
  return {
    head: [...table.querySelectorAll("thead th")].map(text),
    rows: [...table.querySelectorAll("tbody tr")].map((tr) => [...tr.children].map(text)),
  };
}"""

READ_CHART = """(key) => {
  const canvas = document.querySelector(`figure[data-chart="${key}"] canvas`);
  const chart = canvas && Chart.getChart(canvas);
  if (!chart) return null;
  return {
    type: chart.config.type,
    labels: chart.data.labels,
    datasets: chart.data.datasets.map((d) => ({label: d.label, data: d.data})),
  };
}"""

TABLE_KEYS = "() => [...document.querySelectorAll('table[data-table]')].map((t) => t.dataset.table)"
CHART_KEYS = (
    "() => [...document.querySelectorAll('figure[data-chart]')].map((f) => f.dataset.chart)"
)


def read_table(page: Page, key: str) -> dict:
    table = page.evaluate(READ_TABLE, key)
    assert table is not None, f"no table {key!r} on {page.url}"
    return table


def all_tables(page: Page) -> dict[str, dict]:
    return {key: read_table(page, key) for key in page.evaluate(TABLE_KEYS)}


def column(table: dict, header: str) -> list[str]:
    index = table["head"].index(header)
    return [row[index] for row in table["rows"]]


def headline(page: Page) -> dict[str, str]:
    cards = page.locator(".headline div")
    return {
        cards.nth(i).locator("dt").inner_text().strip(): cards.nth(i).locator("dd").inner_text()
        for i in range(cards.count())
    }


def number(cell: str) -> float | None:
    return None if cell == DASH else float(cell.removesuffix("%"))


def shown_as(value: float | None, cell: str) -> bool:
    """Whether the page's ``cell`` is ``value`` (a chart's number) as the page rounds it."""
    if cell == DASH:
        return value is None
    if value is None:
        return False
    digits = cell.removesuffix("%")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    return f"{value:.{decimals}f}" == digits


def open_dashboard(page: Page, path: str, status: int = 200) -> None:
    response = page.goto(path)
    assert response is not None and response.status == status, (path, response and response.status)
    expect(page.locator("table.dash-table").first).to_be_visible()
    charts_drawn(page)


# --- the chart and its table -------------------------------------------------------------------


def series_column(dataset_label: str) -> str:
    """The table column a chart dataset plots: a series is labelled like its column, and the
    interval band of series X is drawn from "X, 95% range from" and "X, 95% range to"."""
    if dataset_label.endswith(": 95% interval, low"):
        return dataset_label.removesuffix(": 95% interval, low") + ", 95% range from"
    if dataset_label.endswith(": 95% interval"):
        return dataset_label.removesuffix(": 95% interval") + ", 95% range to"
    return dataset_label


def assert_chart_matches_table(page: Page, key: str) -> list[str]:
    """Every dataset of the chart drawn for table ``key`` has the table's numbers, period by
    period; returns the columns compared."""
    chart = page.evaluate(READ_CHART, key)
    assert chart is not None, f"no Chart.js chart on the canvas of {key!r}"
    table = read_table(page, key)
    # The x labels are the table's first column, as it shows them (dates too).
    assert chart["labels"] == [row[0] for row in table["rows"]], key
    compared = []
    for dataset in chart["datasets"]:
        header = series_column(dataset["label"])
        assert header in table["head"], f"{key}: dataset {dataset['label']!r} has no column"
        cells = column(table, header)
        assert len(dataset["data"]) == len(cells), (key, header)
        wrong = [
            (row[0], value, cell)
            for row, value, cell in zip(table["rows"], dataset["data"], cells, strict=True)
            if not shown_as(value, cell)
        ]
        assert not wrong, f"{key}: the chart's {header!r} differs from the table: {wrong[:5]}"
        compared.append(header)
    return compared


# --- the CSV and its table ---------------------------------------------------------------------


def csv_cell(cell: str) -> str:
    """A page cell as the CSV writes it: no % sign, blank for "—", ISO dates."""
    if cell == DASH:
        return ""
    if DATE_SHOWN.fullmatch(cell):
        return datetime.strptime(cell, "%d %b %Y").date().isoformat()
    if re.fullmatch(r"-?\d+(\.\d+)?%", cell):
        return cell.removesuffix("%")
    return cell


def download_csv(page: Page, key: str) -> tuple[str, list[list[str]]]:
    section = page.locator(f"#section-{key}")
    with page.expect_download() as info:
        section.get_by_role("link", name=re.compile(r"^Download CSV")).click()
    download = info.value
    text = download.path().read_text(encoding="utf-8")
    return download.suggested_filename, list(csv.reader(io.StringIO(text)))


def assert_csv_matches_table(page: Page, key: str) -> list[list[str]]:
    table = read_table(page, key)
    filename, rows = download_csv(page, key)
    assert filename.endswith(".csv") and f"-{key}" in filename, filename
    header, body = rows[0], rows[1:]
    assert len(header) == len(table["head"]), (key, header, table["head"])
    for index, (written, shown) in enumerate(zip(header, table["head"], strict=True)):
        if any(row[index].endswith("%") for row in table["rows"]):
            assert written == f"{shown} (%)", (key, written, shown)
        else:  # a percentage column may be all "—"
            assert written in (shown, f"{shown} (%)"), (key, written, shown)
    expected = [[csv_cell(cell) for cell in row] for row in table["rows"]]
    assert body == expected, f"{key}: the CSV differs from the table"
    return body


# --- 1. the QUIS dashboard ---------------------------------------------------------------------


def test_the_quis_dashboard_draws_every_chart_and_its_headline_figures(open_page):
    page = open_page(1280, 900, as_user="manager")
    open_dashboard(page, "/dashboards/quis")
    expect(page.get_by_role("heading", level=1)).to_have_text("QUIS observations")
    expect(page.locator(".offline-note")).to_be_hidden()

    tables = all_tables(page)
    assert set(tables) == {"categories", "trend", "people", "contexts", "hours", "calibration"}
    charted = page.evaluate(CHART_KEYS)
    # Every QUIS table has a chart but the observers' calibration, which is text first.
    assert set(charted) == set(tables) - {"calibration"}
    for key in charted:
        figure = page.locator(f"figure[data-chart={key}]")
        expect(figure).to_be_visible()
        expect(figure).to_have_attribute("data-drawn", "true")
        assert page.evaluate(READ_CHART, key) is not None, f"no Chart instance for {key}"
        box = figure.locator("canvas").bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 100, (key, box)

    # The default view: the last twelve months by month, every period listed, empty ones too.
    trend = tables["trend"]
    assert trend["head"][0] == "Month"
    assert len(trend["rows"]) == 12
    # At this width the filters' one-line summary is hidden behind the form (but still there),
    # and the period is said in words beside the time the figures were taken.
    assert page.locator(".filters-summary").text_content().endswith(" · by month")
    expect(page.locator(".as-of")).to_have_text(
        re.compile(r"^\d{1,2} \w{3} \d{4} to \d{1,2} \w{3} \d{4}, by month\. As of "),
        use_inner_text=True,
    )

    figures = headline(page)
    for label in ("Sessions", "Interactions (n)", "Positive", "Negative", "Positive : negative"):
        assert figures.get(label, DASH) != DASH, (label, figures)
    sessions = sum(int(c) for c in column(tables["categories"], "Sessions"))
    interactions = sum(int(c) for c in column(trend, "Interactions (n)"))
    assert sessions > 10 and interactions > 100, (sessions, interactions)
    assert figures["Sessions"] == str(sessions)
    assert figures["Interactions (n)"] == str(interactions)
    # The share, its clustered 95% range, and the interactions and sessions it pools.
    pooled = (
        rf"\d+\.\d% \(95% \d+\.\d%–\d+\.\d%\), {interactions} interactions in {sessions} sessions"
    )
    assert re.fullmatch(pooled, figures["Positive"]), figures
    assert re.fullmatch(pooled, figures["Negative"]), figures
    # Months before the demo's first session say so rather than showing 0%.
    empty = [row for row in tables["categories"]["rows"] if row[1] == "0"]
    assert empty, "the demo has months without sessions"
    assert all(row[-1] == "no sessions" and row[3] == DASH for row in empty), empty


def test_changing_the_filters_updates_the_url_and_the_tables(open_page, live_server):
    page = open_page(1280, 900, as_user="manager")
    open_dashboard(page, "/dashboards/quis")
    before = headline(page)

    page.get_by_label("Group by", exact=True).select_option(label="Week")
    page.get_by_label("Context", exact=True).select_option(label="Mealtime")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    charts_drawn(page)
    query = dict(re.findall(r"[?&]([^=&]+)=([^&]*)", page.url))
    assert query["grouping"] == "week" and query["context"] == "mealtime", page.url
    assert "date_from" in query and "date_to" in query, page.url
    expect(page.get_by_label("Group by", exact=True)).to_have_value("week")
    expect(page.get_by_label("Context", exact=True)).to_have_value("mealtime")

    trend = read_table(page, "trend")
    assert trend["head"][0] == "Week"
    assert all(row[0].startswith("w/c ") for row in trend["rows"]), trend["rows"][:3]
    # Every week touching the range, Monday to Sunday: as many as the dates span, whatever today.
    first, last = (date.fromisoformat(query[key]) for key in ("date_from", "date_to"))
    mondays = [day - timedelta(days=day.weekday()) for day in (first, last)]
    assert len(trend["rows"]) == (mondays[1] - mondays[0]).days // 7 + 1, (first, last)
    assert [row[0] for row in read_table(page, "contexts")["rows"]] == ["Mealtime"]
    after = headline(page)
    interactions = sum(int(c) for c in column(trend, "Interactions (n)"))
    assert after["Interactions (n)"] == str(interactions)
    assert 0 < interactions < int(before["Interactions (n)"]), (before, after)
    assert page.locator(".filters-summary").text_content().endswith(" · by week")
    assert_chart_matches_table(page, "trend")
    # The CSV link carries the same filters.
    assert [row[0] for row in assert_csv_matches_table(page, "contexts")] == ["Mealtime"]

    # The URL is the view: opened by someone else, it shows the same tables.
    shared = open_page(1280, 900, as_user="admin")
    open_dashboard(shared, page.url.removeprefix(live_server.base_url))
    assert all_tables(shared) == all_tables(page)
    expect(shared.get_by_label("Context", exact=True)).to_have_value("mealtime")


# --- 2. the charts show the tables' numbers ----------------------------------------------------


def test_the_quis_trend_chart_plots_the_table(open_page):
    page = open_page(1280, 900, as_user="manager")
    open_dashboard(page, "/dashboards/quis")
    chart = page.evaluate(READ_CHART, "trend")
    assert chart["type"] == "line"
    assert [d["label"] for d in chart["datasets"]] == [
        "Positive",
        "Positive: 95% interval, low",
        "Positive: 95% interval",
        "Negative",
        "Negative: 95% interval, low",
        "Negative: 95% interval",
    ]
    compared = assert_chart_matches_table(page, "trend")
    assert compared == [
        "Positive",
        "Positive, 95% range from",
        "Positive, 95% range to",
        "Negative",
        "Negative, 95% range from",
        "Negative, 95% range to",
    ]
    # The comparison is not vacuous: months with sessions have numbers, the others gaps.
    positive = next(d["data"] for d in chart["datasets"] if d["label"] == "Positive")
    assert any(v is not None and 0 < v < 100 for v in positive), positive
    assert None in positive, "empty months are gaps in the line, not 0%"


def scored_months(live_server, first: date, last: date) -> list[str]:
    """The months, labelled as the dashboard labels them, in which the database holds submitted
    scored visits planned on the organisation's local days ``first`` to ``last``: the data's own
    span, which moves with the day the demo was loaded, not a count fixed in the test."""

    with Session(live_server.app.extensions["careobs.engine"]) as db:
        zone = ZoneInfo(
            db.scalar(sa.select(Organisation.timezone).where(Organisation.name == DEMO_ORG))
        )
        planned = db.scalars(
            sa.select(MonitoringVisit.planned_at).where(
                MonitoringVisit.status == "submitted",
                MonitoringVisit.score.is_not(None),
                MonitoringVisit.planned_at >= local_midnight(first, zone),
                MonitoringVisit.planned_at < local_midnight(last + timedelta(days=1), zone),
            )
        )
        months = {at.astimezone(zone).date().replace(day=1) for at in planned}
    return [f"{month:%b %Y}" for month in sorted(months)]


def test_the_visit_score_chart_plots_the_table(open_page, live_server):
    page = open_page(1280, 900, as_user="manager")
    open_dashboard(page, "/dashboards/visits")
    chart = page.evaluate(READ_CHART, "scores")
    assert chart["type"] == "line"
    assert [d["label"] for d in chart["datasets"]] == ["Average score"]
    assert assert_chart_matches_table(page, "scores") == ["Average score"]
    scores = [v for v in chart["datasets"][0]["data"] if v is not None]
    assert all(0 < v <= 100 for v in scores), scores
    # A point for every month of the window with scored visits, and a gap for every other.
    first = date.fromisoformat(page.locator("#date_from").input_value())
    last = date.fromisoformat(page.locator("#date_to").input_value())
    expected = scored_months(live_server, first, last)
    assert expected, f"the demo has no scored visits from {first} to {last}"
    plotted = [
        label.removesuffix(" (part)")
        for label, value in zip(chart["labels"], chart["datasets"][0]["data"], strict=True)
        if value is not None
    ]
    assert plotted == expected, (first, last, chart["labels"])


def test_every_chart_on_every_dashboard_plots_its_table(open_page, live_server):
    page = open_page(1280, 900, as_user="manager")
    paths = [
        "/dashboards/quis",
        "/dashboards/visits",
        "/dashboards/coverage",
        f"/dashboards/workers/{homecare_worker_uuid(live_server)}",
    ]
    for path in paths:
        open_dashboard(page, path)
        keys = page.evaluate(CHART_KEYS)
        assert keys, f"no chart on {path}"
        for key in keys:
            assert assert_chart_matches_table(page, key), (path, key)


# --- 3. the CSV is the table -------------------------------------------------------------------


def test_each_csv_download_holds_exactly_the_tables_cells(open_page):
    page = open_page(1280, 900, as_user="manager")
    open_dashboard(page, "/dashboards/quis")
    body = assert_csv_matches_table(page, "trend")
    assert any(row[3] == "" for row in body), "empty months are blank in the CSV"
    assert any(re.fullmatch(r"\d+\.\d", row[3]) for row in body)
    filename, rows = download_csv(page, "trend")
    assert re.fullmatch(r"careobs-quis-trend-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv", filename)
    assert rows[0][:5] == [
        "Month",
        "Sessions",
        "Interactions (n)",
        "Positive (%)",
        "Positive, 95% range from (%)",
    ]
    assert_csv_matches_table(page, "categories")

    open_dashboard(page, "/dashboards/visits")
    for key in ("scores", "domains", "missed"):
        assert_csv_matches_table(page, key)

    open_dashboard(page, "/dashboards/coverage")
    workers = assert_csv_matches_table(page, "workers")
    last_visit = read_table(page, "workers")["head"].index("Last visit")
    assert any(re.fullmatch(r"\d{4}-\d\d-\d\d", row[last_visit]) for row in workers), workers[:3]


# --- 4. visits and coverage --------------------------------------------------------------------


def test_the_visits_dashboard_shows_domains_missed_items_and_bands(open_page):
    page = open_page(1280, 900, as_user="manager")
    open_dashboard(page, "/dashboards/visits")
    expect(page.get_by_role("heading", level=1)).to_have_text("Monitoring visits")
    tables = all_tables(page)
    assert {"scores", "bands", "domains", "missed", "lateness"} <= set(tables)

    scores = tables["scores"]
    figures = headline(page)
    visits = sum(int(c) for c in column(scores, "Visits (n)"))
    assert visits > 20
    assert figures["Visits"] == str(visits)
    bands = tables["bands"]
    assert [row[0] for row in bands["rows"]] == [row[0] for row in scores["rows"]]
    for row in bands["rows"]:
        counts = (int(row[bands["head"].index(b)]) for b in ("Green", "Amber", "Red", "Unscored"))
        assert sum(counts) == int(row[1]), row  # every visit is in one band, or unscored

    # The domain x period grid: a row per checklist domain, a column per month, % met.
    grid = tables["domains"]
    assert grid["head"][0] == "Domain" and grid["head"][-1] == "Items rated (n)"
    assert grid["head"][1:-1] == [row[0] for row in scores["rows"]]
    assert len(grid["rows"]) >= 3
    for row in grid["rows"]:
        assert row[0] and not row[0][0].isdigit(), row
        assert all(c == DASH or re.fullmatch(r"\d+\.\d%", c) for c in row[1:-1]), row
        assert int(row[-1]) > 0, row
    shaded = page.locator("table[data-table=domains] td[class*=heat-]")
    assert shaded.count() > 0
    # Colour is never the only signal: every shaded cell prints its figure.
    for text in shaded.all_inner_texts():
        assert text.endswith("%"), text

    missed = tables["missed"]
    assert missed["rows"], "the demo visits miss some items"
    counts = [int(c) for c in column(missed, "Missed (n)")]
    assert counts == sorted(counts, reverse=True), "most often missed first"
    for row in missed["rows"]:
        not_met, partly = int(row[3]), int(row[4])
        assert not_met + partly == int(row[2]), row

    lateness = tables["lateness"]
    assert sum(int(c) for c in column(lateness, "Visits")) > 0


STATUSES = [
    "Overdue",
    "Never checked",
    "Re-check due after red",
    "New starter — first check due",
    "Targeted re-check booked",
    "Due soon",
    "Up to date",
]


def test_the_coverage_dashboard_lists_every_worker_with_a_status(open_page, live_server):
    page = open_page(1280, 900, as_user="manager")
    open_dashboard(page, "/dashboards/coverage")
    expect(page.get_by_role("heading", level=1)).to_have_text("Coverage")
    tables = all_tables(page)
    workers = tables["workers"]
    statuses = column(workers, "Status")

    with Session(live_server.app.extensions["careobs.engine"]) as db:
        names = set(
            db.scalars(
                sa.select(StaffMember.name)
                .join(Service, Service.id == StaffMember.service_id)
                .where(Service.name == "Riverside Homecare", StaffMember.active.is_(True))
            )
        )
    assert set(column(workers, "Care worker")) == names
    assert all(s in STATUSES for s in statuses), statuses
    assert [STATUSES.index(s) for s in statuses] == sorted(STATUSES.index(s) for s in statuses)
    assert set(column(workers, "Service")) == {"Riverside Homecare"}
    for last, days in zip(
        column(workers, "Last visit"), column(workers, "Days since"), strict=True
    ):
        assert (last == DASH) == (days == DASH), (last, days)
        if last != DASH:
            assert DATE_SHOWN.fullmatch(last) and int(days) >= 0, (last, days)
    for status, late in zip(statuses, column(workers, "Days overdue"), strict=True):
        assert (status == "Overdue") == (late != DASH), (status, late)

    figures = headline(page)
    assert figures["Care workers"] == str(len(workers["rows"]))
    assert figures["Overdue"] == str(statuses.count("Overdue"))
    assert figures["Never checked"] == str(statuses.count("Never checked"))
    assert figures["Re-checks due after red"] == str(statuses.count("Re-check due after red"))

    types = tables["types"]
    total = sum(int(c) for c in column(types, "Visits"))
    assert total > 0
    expect(page.locator("#section-types .hint")).to_have_text(f"{total} visits in the period.")
    assert {row[0] for row in types["rows"]} == {"Announced", "Unannounced", "Responsive"}
    weekdays = tables["weekdays"]
    assert [row[0] for row in weekdays["rows"]][:2] == ["Monday", "Tuesday"]
    assert len(weekdays["rows"]) == 7 and len(tables["hours"]["rows"]) == 24
    assert sum(int(c) for c in column(weekdays, "Visits")) == sum(
        int(c) for c in column(tables["hours"], "Visits")
    )


# --- 5. offline --------------------------------------------------------------------------------

CACHED = """async (path) => {
  const cache = await caches.open("careobs-pages");
  return Boolean(await cache.match(path)) && Boolean(await cache.match("/api/v1" + path));
}"""


def controlled_dashboard(context, path: str) -> Page:
    """Open a dashboard online, then reload it under the service worker's control, so that the
    page and its JSON are in the worker's cache (the first load is not controlled)."""
    page = context.new_page()
    open_dashboard(page, path)
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.reload()
    charts_drawn(page)
    assert page.evaluate("() => navigator.serviceWorker.controller !== null")
    wait_until(page, CACHED, path)
    return page


def test_the_last_dashboard_viewed_stays_readable_offline(open_app):
    context = open_app(1280, 900, as_user="manager")
    page = controlled_dashboard(context, "/dashboards/visits")
    online = all_tables(page)
    as_of = page.locator(".as-of time").get_attribute("datetime")
    expect(page.locator(".offline-note")).to_be_hidden()

    context.set_offline(True)
    # The page that stays open says so at once.
    expect(page.locator(".offline-note")).to_be_visible()
    expect(page.locator(".offline-note")).to_contain_text("You are offline")

    response = page.reload()
    assert response is not None and response.from_service_worker, "not served by the worker"
    assert page.evaluate("() => navigator.onLine") is False
    charts_drawn(page)
    assert all_tables(page) == online
    expect(page.locator(".as-of time")).to_have_attribute("datetime", as_of)
    note = page.locator(".offline-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text("You are offline. These are the figures as of ")
    for key in page.evaluate(CHART_KEYS):
        assert assert_chart_matches_table(page, key), key

    # A new tab on the same dashboard, still offline.
    again = context.new_page()
    response = again.goto("/dashboards/visits")
    assert response is not None and response.from_service_worker
    charts_drawn(again)
    assert all_tables(again) == online
    expect(again.locator(".offline-note")).to_contain_text("You are offline")
    assert again.evaluate(READ_CHART, "scores") is not None

    # A dashboard never viewed is not there: the offline page says so.
    other = context.new_page()
    other.goto("/dashboards/coverage")
    expect(other.get_by_role("heading", level=1)).to_have_text("You are offline")


def test_logging_out_forgets_the_cached_dashboards(open_app, live_server):
    context = open_app(1280, 900)
    page = context.new_page()
    live_server.login(page, "manager")
    page = controlled_dashboard(context, "/dashboards/quis")
    with page.expect_navigation(url=re.compile(r"/login$")):
        page.get_by_role("button", name="Log out").click()
    wait_until(page, "async (path) => !(await caches.match(path))", "/dashboards/quis")
    wait_until(page, "async (path) => !(await caches.match(path))", "/api/v1/dashboards/quis")
    context.set_offline(True)
    page.goto("/dashboards/quis")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
    expect(page.locator("table.dash-table")).to_have_count(0)


# --- 6. the keyboard ---------------------------------------------------------------------------

FOCUSED = "() => document.activeElement.id || document.activeElement.className"


def tab_to(page: Page, selector: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}; stopped at {page.evaluate(FOCUSED)}")


@pytest.mark.parametrize("width", [390, 600])
def test_the_filters_and_tables_work_with_the_keyboard_only(open_page, width):
    # A phone and a small tablet: the filters are folded into their summary on both; the
    # tablet's tables are still tables that scroll sideways, the phone's are stacked as cards.
    page = open_page(width, 844, as_user="manager")
    open_dashboard(page, "/dashboards/quis")
    # Chromium orders the date's parts by its own UI language, not the page's locale; a day
    # equal to the month types the same as dd/mm/yyyy and mm/dd/yyyy.
    month = date.today().replace(day=1) - timedelta(days=100)
    start = date(month.year, month.month, month.month)

    tab_to(page, ".filters-fold > summary")
    page.keyboard.press("Enter")  # unfolds the filters
    tab_to(page, "#date_from")
    page.keyboard.type(f"{start:%d%m%Y}")  # each part moves on to the next when typed
    expect(page.locator("#date_from")).to_have_value(start.isoformat())
    tab_to(page, "#date_to", limit=5)  # Chromium tabs through the date's parts
    tab_to(page, "#grouping", limit=5)
    page.keyboard.type("W")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == "context"
    page.keyboard.type("M")  # Mealtime, the first context starting with M
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == "area"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Show"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    charts_drawn(page)
    query = dict(re.findall(r"[?&]([^=&]+)=([^&]*)", page.url))
    assert query.get("date_from") == start.isoformat(), page.url
    assert query.get("grouping") == "week" and query.get("context") == "mealtime", page.url
    assert read_table(page, "trend")["head"][0] == "Week"

    # Every table is a named, focusable scroll region, reached by Tab after the form.
    regions = page.locator(".table-wrap")
    assert regions.count() == len(page.evaluate(TABLE_KEYS))
    for i in range(regions.count()):
        region = regions.nth(i)
        expect(region).to_have_attribute("tabindex", "0")
        expect(region).to_have_attribute("role", "region")
        title = region.locator("xpath=ancestor::section[1]/h2").inner_text()
        expect(region).to_have_accessible_name(f"{title}: table")
    tab_to(page, ".filters-fold > summary")
    tab_to(page, ".table-wrap")
    if width < 576:
        return  # cards: nothing scrolls sideways (tests/e2e/test_dashboards_phone.py)
    wrap = page.locator(".table-wrap:focus")
    expect(wrap).to_have_css("outline-style", re.compile("solid|auto"))
    sizes = wrap.evaluate("(el) => [el.scrollWidth, el.clientWidth]")
    assert sizes[0] > sizes[1], f"the table fits a phone, nothing to scroll: {sizes}"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    page.wait_for_function("() => document.activeElement.scrollLeft > 0")


# --- 7. a care worker's own page ---------------------------------------------------------------


def test_a_care_worker_sees_their_own_page_and_no_dashboard(open_page, live_server):
    page = open_page(as_user="staff")
    page.goto("/")
    page.get_by_role("link", name="My practice over time").click()
    expect(page).to_have_url(re.compile(r"/dashboards/workers/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My practice")
    charts_drawn(page)
    expect(page.get_by_text("Only you and your managers can see this page.")).to_be_visible()
    expect(page.locator(".as-of time")).to_be_visible()
    own = page.url.rsplit("/", 1)[1]

    with Session(live_server.app.extensions["careobs.engine"]) as db:
        sam = db.scalar(sa.select(StaffMember).where(StaffMember.name == "Sam Okafor"))
        released = db.scalar(
            sa.select(sa.func.count())
            .select_from(Feedback)
            .where(Feedback.staff_id == sam.id, Feedback.status == "released")
        )
        # The demo gives Sam (in the care home) no visit; tests/e2e/test_push_and_feedback.py
        # records one and releases its feedback, and may have run first in this server.
        shown = db.scalar(
            sa.select(sa.func.count())
            .select_from(MonitoringVisit)
            .where(
                MonitoringVisit.staff_id == sam.id,
                MonitoringVisit.status == "submitted",
                visits_on_worker_page(sam.user, sam),
            )
        )
        assert str(sam.uuid) == own

    visits = page.locator("#section-scores")
    expect(visits.get_by_role("heading", name="Monitoring visit scores")).to_be_visible()
    if shown:
        assert len(read_table(page, "scores")["rows"]) == shown
    else:
        expect(visits.locator(".empty")).to_have_text("No monitoring visits yet.")
    feedback = read_table(page, "feedback")
    assert released >= 1 and len(feedback["rows"]) == released
    assert feedback["head"] == ["Released", "From", "Written by", "Status"]
    assert all(DATE_SHOWN.fullmatch(row[0]) for row in feedback["rows"]), feedback
    assert_csv_matches_table(page, "feedback")
    # Each row opens that feedback.
    page.locator("table[data-table=feedback] tbody th a").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Feedback for Sam Okafor")

    for path in ("/dashboards/quis", "/dashboards/visits", "/dashboards/coverage"):
        response = page.goto(path)
        assert response is not None and response.status == 403, path
    for path in ("/api/v1/dashboards/quis", "/dashboards/quis.csv?table=trend"):
        assert page.request.get(path).status == 403, path
    other = homecare_worker_uuid(live_server)
    for path in (
        f"/dashboards/workers/{other}",
        f"/api/v1/dashboards/workers/{other}",
        f"/dashboards/workers/{other}.csv?table=scores",
    ):
        assert page.request.get(path).status == 404, path


def test_a_worker_page_without_visits_says_so_and_draws_no_empty_chart(open_page, live_server):
    """Megan Lloyd works in the care home: the demo gives her no monitoring visit, nor does
    any test (Sam's page, above, may have one by the time it is opened)."""

    with Session(live_server.app.extensions["careobs.engine"]) as db:
        megan = db.scalar(sa.select(StaffMember.uuid).where(StaffMember.name == "Megan Lloyd"))
    page = open_page(as_user="manager")
    open_dashboard(page, f"/dashboards/workers/{megan}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Megan Lloyd")
    visits = page.locator("#section-scores")
    expect(visits.get_by_role("heading", name="Monitoring visit scores")).to_be_visible()
    expect(visits.locator(".empty")).to_have_text("No monitoring visits yet.")
    expect(visits.locator("figure")).to_have_count(0)
    expect(visits.locator("table")).to_have_count(0)


def test_a_manager_sees_a_workers_page_with_their_visit_scores(open_page, live_server):
    page = open_page(1280, 900, as_user="manager")
    open_dashboard(page, f"/dashboards/workers/{homecare_worker_uuid(live_server)}")
    name = page.get_by_role("heading", level=1).inner_text()
    expect(page.get_by_text(f"Only {name} and their managers can see this page.")).to_be_visible()
    scores = read_table(page, "scores")
    assert len(scores["rows"]) >= 2
    assert assert_chart_matches_table(page, "scores") == ["Score"]
    assert_csv_matches_table(page, "scores")
