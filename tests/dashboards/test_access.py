"""Who may open which dashboard, and what bad filters answer: every page, CSV and JSON route."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.dashboards import local, session_doc, table_of, write

DASHBOARDS = ("quis", "visits", "coverage")
TABLE = {"quis": "categories", "visits": "scores", "coverage": "workers"}


def dashboard_urls(name: str) -> dict[str, str]:
    return {
        "page": f"/dashboards/{name}",
        "csv": f"/dashboards/{name}.csv?table={TABLE[name]}",
        "json": f"/api/v1/dashboards/{name}",
    }


def worker_urls(member) -> dict[str, str]:
    return {
        "page": f"/dashboards/workers/{member.uuid}",
        "csv": f"/dashboards/workers/{member.uuid}.csv?table=scores",
        "json": f"/api/v1/dashboards/workers/{member.uuid}",
    }


ALL_DASHBOARD_URLS = [url for name in DASHBOARDS for url in dashboard_urls(name).values()]


# -- anonymous ----------------------------------------------------------------------------------


def test_anonymous_pages_go_to_the_login_and_the_api_answers_401(acme, client):
    carla = acme.staff_members["Carla Carer"]
    urls = [*ALL_DASHBOARD_URLS, *worker_urls(carla).values(), "/dashboards/", "/dashboards/me"]

    for url in urls:
        response = client.get(url)
        if url.startswith("/api/"):
            assert response.status_code == 401, url
            assert response.get_json()["error"]["code"] == "unauthorized"
        else:
            assert response.status_code == 302, url
            assert "/login" in response.headers["Location"], url


# -- care workers and supervisors ---------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "supervisor", "outsider"])
def test_staff_and_supervisors_may_not_open_the_dashboards(acme, client_as, role):
    client = client_as(getattr(acme, role))

    for url in [*ALL_DASHBOARD_URLS, "/dashboards/"]:
        response = client.get(url)
        assert response.status_code == 403, url
        if url.startswith("/api/"):
            assert response.get_json()["error"]["code"] == "forbidden"


def test_a_care_worker_sees_their_own_page_only(acme, client_as):
    client = client_as(acme.staff)
    carla = acme.staff_members["Carla Carer"]

    me = client.get("/dashboards/me")
    assert me.status_code == 302
    assert me.headers["Location"].endswith(f"/dashboards/workers/{carla.uuid}")
    own = worker_urls(carla)
    page = client.get(own["page"])
    assert page.status_code == 200
    assert "My practice" in page.get_data(as_text=True)
    assert client.get(own["csv"]).status_code == 200
    assert client.get(own["json"]).get_json()["worker"]["name"] == "Carla Carer"

    for member in (acme.staff_members["Hal Homecare"], acme.rita):
        for url in worker_urls(member).values():
            assert client.get(url).status_code == 404, url


def test_an_account_without_a_staff_record_has_no_page_of_its_own(acme, client_as):
    assert client_as(acme.outsider).get("/dashboards/me").status_code == 404


def test_a_supervisor_sees_no_worker_page(acme, client_as):
    client = client_as(acme.supervisor)

    for member in (acme.staff_members["Carla Carer"], acme.staff_members["Hal Homecare"]):
        for url in worker_urls(member).values():
            assert client.get(url).status_code == 404, url


def test_the_worker_page_shows_their_visits_and_feedback_only(
    acme, checklist, visit, admin_sync, client_as
):
    hal = acme.staff_members["Hal Homecare"]
    write(
        admin_sync,
        visit(local(2026, 10, 8, 9), visit_type="unannounced", ratings={10: "partly"}),
        visit(local(2026, 10, 9, 9), staff=acme.rita, service=acme.rural, person="X01"),
    )

    payload = client_as(acme.home_manager).get(worker_urls(hal)["json"]).get_json()

    scores = table_of(payload, "scores")
    assert scores["rows"] == [["2026-10-08", "Unannounced", 0.983, "Green", "Competent"]]
    assert payload["worker"] == {"id": str(hal.uuid), "name": "Hal Homecare"}


def test_a_worker_sees_a_visit_on_their_page_once_its_feedback_is_released(
    acme, checklist, visit, admin_sync, client_as, data, db
):
    hal = acme.staff_members["Hal Homecare"]
    hal.user_id = data.user(acme.org, "hal@acme.test", "Hal Homecare", roles={}).id
    db.commit()
    write(
        admin_sync,
        visit(local(2026, 10, 8, 9), release_feedback=True),
        visit(local(2026, 10, 9, 9), release_feedback=False),
    )

    own = client_as(hal.user).get(worker_urls(hal)["json"]).get_json()
    managed = client_as(acme.home_manager).get(worker_urls(hal)["json"]).get_json()

    assert [row[0] for row in table_of(own, "scores")["rows"]] == ["2026-10-08"]
    assert [row[0] for row in table_of(managed, "scores")["rows"]] == ["2026-10-08", "2026-10-09"]


# -- managers -----------------------------------------------------------------------------------


def test_managers_open_every_dashboard(acme, checklist, client_as):
    for user in (acme.manager, acme.home_manager, acme.admin):
        client = client_as(user)
        for name in DASHBOARDS:
            for kind, url in dashboard_urls(name).items():
                response = client.get(url)
                assert response.status_code == 200, (user.email, url)
                if kind == "json":
                    assert response.get_json()["dashboard"] == name
        assert client.get("/dashboards/").status_code == 302


def test_service_choices_follow_the_managers_services_and_the_dashboard_kind(acme, client_as):
    def choices(user, name):
        page = client_as(user).get(f"/dashboards/{name}").get_data(as_text=True)
        services = (acme.care_home, acme.annexe, acme.homecare, acme.rural)
        return [s.name for s in services if f'value="{s.uuid}"' in page]

    assert choices(acme.manager, "quis") == ["Acme Care House"]
    assert choices(acme.manager, "visits") == []
    assert choices(acme.home_manager, "visits") == ["Acme Care Homecare"]
    assert choices(acme.home_manager, "coverage") == ["Acme Care Homecare"]
    assert choices(acme.home_manager, "quis") == []
    assert choices(acme.admin, "quis") == ["Acme Care House", "Acme Annexe"]
    assert choices(acme.admin, "visits") == ["Acme Care Homecare", "Acme Rural"]


def test_a_manager_sees_nothing_when_they_manage_no_service_of_that_kind(
    acme, admin_sync, client_as
):
    write(admin_sync, session_doc(acme.care_home, local(2026, 10, 6, 10), 30, ["PS"]))
    client = client_as(acme.home_manager)

    page = client.get("/dashboards/quis").get_data(as_text=True)
    assert "You do not manage any care home" in page
    payload = client.get("/api/v1/dashboards/quis").get_json()
    assert payload["headline"][0] == {"label": "Sessions", "value": "0"}


@pytest.mark.parametrize("name", DASHBOARDS)
def test_a_service_the_manager_does_not_manage_cannot_be_chosen(acme, client_as, name):
    client = client_as(acme.manager if name == "quis" else acme.home_manager)
    for service in (acme.annexe, acme.rural, acme.homecare if name == "quis" else acme.care_home):
        query = f"service={service.uuid}"
        urls = dashboard_urls(name)

        page = client.get(f"{urls['page']}?{query}")
        assert page.status_code == 400
        assert "is not a valid choice" in page.get_data(as_text=True)
        api = client.get(f"{urls['json']}?{query}")
        assert api.status_code == 400
        error = api.get_json()["error"]
        assert error["code"] == "invalid_filters"
        assert error["message"].startswith("Services:")
        assert client.get(f"{urls['csv']}&{query}").status_code == 400


def test_an_unmanaged_services_data_never_appears(acme, admin_sync, client_as):
    write(
        admin_sync,
        session_doc(acme.annexe, local(2026, 10, 6, 10), 30, ["NR"] * 3, people=("A01",)),
        session_doc(acme.care_home, local(2026, 10, 6, 10), 30, ["PS"]),
    )
    range_ = {"date_from": "2026-10-01", "date_to": "2026-10-31"}

    payload = client_as(acme.manager).get("/api/v1/dashboards/quis", query_string=range_)
    assert [row[:3] for row in table_of(payload.get_json(), "categories")["rows"]] == [
        ["Oct 2026", 1, 1]
    ]
    # Trying to include the other service with one's own is refused as a whole.
    both = range_ | {"service": [str(acme.care_home.uuid), str(acme.annexe.uuid)]}
    assert (
        client_as(acme.manager).get("/api/v1/dashboards/quis", query_string=both).status_code == 400
    )
    admin = client_as(acme.admin).get("/api/v1/dashboards/quis", query_string=range_).get_json()
    assert table_of(admin, "categories")["rows"][0][:3] == ["Oct 2026", 2, 4]


def test_an_area_of_an_unmanaged_service_cannot_be_chosen(acme, client_as):
    response = client_as(acme.manager).get(
        "/api/v1/dashboards/quis", query_string={"area": str(acme.annexe_lounge.uuid)}
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["message"].startswith("Area:")


def test_managers_see_the_pages_of_workers_in_their_services_only(acme, client_as, data):
    carla, hal = acme.staff_members["Carla Carer"], acme.staff_members["Hal Homecare"]
    other = data.organisation("Other Org", prefix="other")
    stranger = other.staff_members["Hal Homecare"]

    care_home_manager = client_as(acme.manager)
    for url in worker_urls(carla).values():
        assert care_home_manager.get(url).status_code == 200, url
    for member in (hal, acme.rita, stranger):
        for url in worker_urls(member).values():
            assert care_home_manager.get(url).status_code == 404, url

    admin = client_as(acme.admin)
    for member in (carla, hal, acme.rita):
        assert admin.get(worker_urls(member)["page"]).status_code == 200
    for url in worker_urls(stranger).values():
        assert admin.get(url).status_code == 404, url
    # Nor does the other organisation's admin see Acme's workers.
    other_admin = client_as(other.admin)
    for url in worker_urls(carla).values():
        assert other_admin.get(url).status_code == 404, url


def test_unknown_worker_and_unknown_table(acme, client_as):
    admin = client_as(acme.admin)
    carla = acme.staff_members["Carla Carer"]

    assert admin.get("/dashboards/workers/00000000-0000-4000-8000-000000000000").status_code == 404
    assert admin.get(f"/dashboards/workers/{carla.uuid}.csv?table=nope").status_code == 404
    assert admin.get(f"/dashboards/workers/{carla.uuid}.csv").status_code == 404
    assert admin.get("/dashboards/not-a-dashboard").status_code == 404


# -- bad filters --------------------------------------------------------------------------------

BAD_FILTERS = [
    ({"date_from": "2026-10-01", "date_to": "2026-09-30"}, "To", "on or after the start date"),
    ({"date_from": "2020-01-01", "date_to": "2026-01-01"}, "To", "at most three years"),
    ({"date_from": "2026-13-01"}, "From", "Not a valid date"),
    ({"date_to": "yesterday"}, "To", "Not a valid date"),
    ({"grouping": "day"}, "Group by", "Not a valid choice"),
    ({"context": "bath_time"}, "Context", "Not a valid choice"),
    ({"visit_type": "surprise"}, "Visit type", "Not a valid choice"),
    ({"service": "not-a-uuid"}, "Services", "is not a valid choice"),
    ({"area": "not-a-uuid"}, "Area", "Not a valid choice"),
    # Near the calendar's end the period arithmetic would overflow.
    ({"date_from": "9999-06-01", "date_to": "9999-12-31"}, "From", "Pick a date between"),
    ({"date_to": "9999-12-31"}, "To", "Pick a date between"),
]


@pytest.mark.parametrize(("args", "label", "message"), BAD_FILTERS)
@pytest.mark.parametrize("name", DASHBOARDS)
def test_bad_filters_answer_400_with_the_error(acme, client_as, name, args, label, message):
    """Every filter is checked on every dashboard, even one that dashboard does not use."""
    client = client_as(acme.admin)
    urls = dashboard_urls(name)

    page = client.get(urls["page"], query_string=args)
    api = client.get(urls["json"], query_string=args)
    csv = client.get(f"/dashboards/{name}.csv", query_string=args | {"table": TABLE[name]})

    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert message.lower() in text.lower()
    assert api.status_code == 400
    error = api.get_json()["error"]
    assert error["code"] == "invalid_filters"
    assert error["message"].startswith(f"{label}:")
    assert message.lower() in error["message"].lower()
    assert csv.status_code == 400


@pytest.mark.parametrize("name", DASHBOARDS)
def test_an_unknown_csv_table_is_404(acme, client_as, name):
    client = client_as(acme.admin)

    assert client.get(f"/dashboards/{name}.csv?table=nope").status_code == 404
    assert client.get(f"/dashboards/{name}.csv").status_code == 404


def test_the_filters_stay_in_the_links(acme, client_as):
    args = {
        "date_from": "2026-09-01",
        "date_to": "2026-10-31",
        "grouping": "week",
        "context": "mealtime",
    }
    page = client_as(acme.manager).get("/dashboards/quis", query_string=args).get_data(as_text=True)

    links = re.findall(r'href="(/dashboards/quis\.csv\?[^"]+)"', page)
    endpoints = re.findall(r'data-dashboard-endpoint="([^"]+)"', page)
    # No sessions: the by-context and by-hour tables are empty, with no download.
    assert len(links) == 3 and len(endpoints) == 1
    for link in [*links, *endpoints]:
        query = parse_qs(urlsplit(html.unescape(link)).query)
        assert {k: v for k, v in query.items() if k != "table"} == {
            key: [value] for key, value in args.items()
        }
