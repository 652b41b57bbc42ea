"""The QUIS dashboard's "Calibration of observers": managers and admins see each observer of
their services with their pairs, last kappa and reminder, and each pair links to its result."""

from __future__ import annotations

import html
import re

import pytest

from careobs.quis import calibration
from tests.support.calibration import complete, make_pair, session_by_doc, table_for
from tests.support.dashboards import html_tables, local, session_doc, write
from tests.support.sync import SyncApi

PAGE = "/dashboards/quis"


@pytest.fixture
def paired(app, db, acme, admin_sync, client_as, frozen_today):
    home = acme.care_home

    def observe(user, when, service=home, people=("R01",)):
        doc = session_doc(service, when, 30, ["PS"], people=people)
        write(SyncApi(client_as(user)), doc)
        return session_by_doc(db, doc)

    when = local(2026, 10, 20, 11)
    pair = make_pair(db, observe(acme.supervisor, when), observe(acme.manager, when))
    complete(db, pair, table_for(11, 9), lead_only=2, second_only=1)
    # The admin observed in the Annexe only, which the care home's manager does not manage.
    observe(acme.admin, local(2026, 10, 1, 11), acme.annexe, ("A01",))
    return pair


def section_of(page: str) -> str:
    start = page.index('id="calibration"')
    return html.unescape(page[start : page.index("</section>", start)])


def test_a_manager_sees_their_services_observers_with_kappa_and_reminder(acme, paired, client_as):
    response = client_as(acme.manager).get(PAGE)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    section = section_of(page)

    kappa = calibration.kappa(table_for(11, 9), calibration.A4)
    interval = f"κ = 0.54 (95% {kappa.low:.2f}–{kappa.high:.2f}), moderate"
    reminder = (
        "Due: Last agreement κ = 0.54 (moderate), below 0.60: pair again after refresher training."
    )
    # Not a dashboard table (no JSON, no CSV), but found like one.
    rows = html_tables(page)["calibration"]
    assert rows == [
        ["Mo Manager", "1", "20 Oct 2026", interval, "0.54", reminder],
        ["Sue Supervisor", "1", "20 Oct 2026", interval, "0.54", reminder],
    ]
    assert "2 of 2 observers are due to pair again." in section
    assert "Ada Admin" not in section  # she observed in the Annexe only
    assert "below 0.60" in section and "fewer than 20 matched interactions" in section
    assert f'href="/quis/pairs/{paired.uuid}"' in page
    assert "20 matched, 3 seen by one observer only" in section


def test_the_table_is_named_and_each_pair_link_says_which_pair(acme, paired, client_as):
    section = section_of(client_as(acme.manager).get(PAGE).get_data(as_text=True))

    assert re.search(
        r'<table[^>]*data-table="calibration"[^>]*aria-labelledby="title-calibration"', section
    )
    assert '<h2 id="title-calibration">Calibration of observers</h2>' in section
    links = re.findall(r'<a href="/quis/pairs/([0-9a-f-]{36})">([^<]*)</a>', section)
    # Each observer's list links the pair by its date and the other observer.
    assert links == [
        (str(paired.uuid), "20 Oct 2026 with Sue Supervisor"),
        (str(paired.uuid), "20 Oct 2026 with Mo Manager"),
    ]
    assert "Mo Manager: 1 pair</summary>" in section


def test_a_completed_pair_without_a_stored_table_is_left_out(acme, db, paired, client_as):
    paired.confusion = None  # never written so; the page must not fail on it
    db.commit()

    response = client_as(acme.manager).get(PAGE)

    assert response.status_code == 200
    rows = html_tables(response.get_data(as_text=True))["calibration"]
    assert [row[:3] for row in rows] == [
        ["Mo Manager", "0", "Never"],
        ["Sue Supervisor", "0", "Never"],
    ]


def test_an_admin_sees_every_services_observers(acme, paired, client_as):
    section = section_of(client_as(acme.admin).get(PAGE).get_data(as_text=True))

    assert "3 observers" in section
    assert "Never paired: pair with an experienced observer." in section


def test_the_service_filter_narrows_the_section(acme, paired, client_as):
    page = client_as(acme.admin).get(PAGE, query_string={"service": str(acme.annexe.uuid)})
    section = section_of(page.get_data(as_text=True))

    assert "0 of 1 observer" not in section
    assert "1 of 1 observer is due to pair again." in section
    assert "Mo Manager" not in section and "Ada Admin" in section


def test_no_observers_says_so(acme, client_as, frozen_today):
    section = section_of(client_as(acme.manager).get(PAGE).get_data(as_text=True))

    assert "Nobody has recorded a QUIS session here in the last 12 months." in section


@pytest.mark.parametrize("role", ["staff", "supervisor", "outsider"])
def test_others_never_see_the_section(acme, paired, client_as, role):
    assert client_as(getattr(acme, role)).get(PAGE).status_code == 403


def test_another_organisation_sees_none_of_it(acme, paired, data, client_as):
    other = data.organisation("Other Org", prefix="other")
    page = client_as(other.manager).get(PAGE).get_data(as_text=True)

    assert "Sue Supervisor" not in page and str(paired.uuid) not in page


def test_the_json_and_csv_are_unchanged(acme, paired, client_as):
    client = client_as(acme.manager)
    payload = client.get("/api/v1/dashboards/quis").get_json()

    page = client.get(PAGE).get_data(as_text=True)
    csv = client.get("/dashboards/quis.csv", query_string={"table": "calibration"})

    assert "calibration" in html_tables(page)  # on the page, as a table
    assert "calibration" not in {t["key"] for t in payload["tables"]}  # but not in the JSON
    assert str(paired.uuid) not in str(payload) and "Sue Supervisor" not in str(payload)
    assert csv.status_code == 404
