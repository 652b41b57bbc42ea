"""Lists answer hostile query strings with a page and a note, and error pages survive a failed
statement.

A page number too large for the database, negative or not a number shows the nearest page with a
note saying so; a date at the calendar's ends (year 1, year 9999) is a filter error in words, the
same on every list and dashboard. An error page is built after the request's transaction is
rolled back, so on PostgreSQL, where a failed statement aborts the transaction, the error page
can still read the user and their notifications instead of failing into the bare server error.
"""

from __future__ import annotations

import gc
import html
import inspect

import pytest
import sqlalchemy as sa
from flask import abort
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import NotFound

from careobs import create_app, errors
from careobs.db import get_session, opened_request_session
from careobs.org.models import Person
from tests.support.web import Auth, CsrfClient

HUGE = "99999999999999999999999"

# Every list that pages with careobs.pagination.paginate, and the roles that may open it.
LISTS = {
    "/quis/": ("admin", "manager", "supervisor"),
    "/visits/": ("admin", "manager", "supervisor", "staff"),
    "/audits/": ("admin", "manager", "supervisor", "staff"),
    "/actions/": ("admin", "manager", "supervisor"),
    "/actions/mine": ("supervisor", "staff"),
    "/feedback/": ("manager", "supervisor", "staff"),
    "/feedback/mine": ("staff",),
    "/admin/people/": ("admin", "manager"),
    "/admin/staff/": ("admin", "manager"),
    "/admin/audit/": ("admin",),
    "/notifications/": ("admin", "staff"),
    "/sync/quarantine/": ("admin", "manager"),
    "/selection/history": ("manager", "supervisor"),
    "/compliments/": ("admin", "manager", "supervisor"),
    "/self-assessments/": ("admin", "manager", "supervisor"),
}

# The lists and dashboards filtered by a From/To range of local days (careobs.days).
DATE_RANGED = {
    "/quis/": ("manager", "supervisor"),
    "/visits/": ("manager", "staff"),
    "/admin/audit/": ("admin",),
    "/dashboards/quis": ("manager",),
    "/dashboards/visits": ("admin",),
    "/dashboards/compliments": ("manager",),
}
OUT_OF_RANGE = "Pick a date between 1900 and 2999."

# ?page= value → the note shown above the list (None: page 1, no note).
BAD_PAGES = {
    HUGE: f"There is no page {HUGE}; this is the only page.",
    "9" * 5000: f"There is no page {'9' * 40}…; this is the only page.",  # too long for int()
    "-1": "There is no page -1; this is page 1.",
    "0": "There is no page 0; this is page 1.",
    "1e5": "“1e5” is not a page number; this is page 1.",
    "two": "“two” is not a page number; this is page 1.",
    "<b>2</b>": "“<b>2</b>” is not a page number; this is page 1.",
    "": None,
}


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_lists_here_are_every_list_that_pages(app):
    """A new paged list must join LISTS, so its hostile page numbers are tried too."""
    paged = set()
    for rule in app.url_map.iter_rules():
        view = inspect.unwrap(app.view_functions[rule.endpoint])
        if "GET" in rule.methods and "paginate(" in inspect.getsource(view):
            paged.add(rule.rule)
    assert paged == set(LISTS)


@pytest.mark.parametrize(
    ("url", "role"), [(url, role) for url, roles in LISTS.items() for role in roles]
)
def test_a_bad_page_number_shows_a_page_and_says_so(data, login_as, url, role):
    acme = data.organisation()
    client = login_as(getattr(acme, role))
    assert client.get(url).status_code == 200
    for value, note in BAD_PAGES.items():
        response = client.get(url, query_string={"page": value})
        assert response.status_code == 200, (url, value)
        page = text_of(response)
        if note is None:
            assert "There is no page" not in page and "not a page number" not in page
        else:
            assert f"Note:</span> {note}" in page, (url, value)
            assert "<b>2</b>" not in response.get_data(as_text=True), "the value is escaped"


def test_a_page_past_the_end_shows_the_last_page(data, db, login_as):
    acme = data.organisation()
    db.add_all(
        Person(organisation_id=acme.org.id, service_id=acme.care_home.id, code=f"P{n:03}")
        for n in range(1, 61)
    )
    db.commit()  # 64 people: H01, H02, P001..P048 on page 1; P049..P060, R01, R02 on page 2
    client = login_as(acme.admin)

    last = text_of(client.get("/admin/people/", query_string={"page": HUGE}))
    assert f"There is no page {HUGE}; this is the last page, 2." in last
    assert "Page 2 of 2" in last
    assert ">R02</a>" in last and ">P049</a>" in last and ">P048</a>" not in last

    first = text_of(client.get("/admin/people/", query_string={"page": "-5"}))
    assert "There is no page -5; this is page 1." in first and "Page 1 of 2" in first
    assert ">H01</a>" in first and ">R02</a>" not in first

    second = text_of(client.get("/admin/people/", query_string={"page": "2"}))
    assert "Page 2 of 2" in second and "There is no page" not in second


@pytest.mark.parametrize(
    ("url", "role"), [(url, role) for url, roles in DATE_RANGED.items() for role in roles]
)
@pytest.mark.parametrize(
    "dates",
    [
        {"date_from": "0001-01-01", "date_to": "9999-12-31"},
        {"date_from": "0001-01-01"},
        {"date_to": "9999-12-31"},
        {"date_from": "9999-12-31"},
        {"date_from": "1899-12-31", "date_to": "3000-01-01"},
    ],
)
def test_a_date_at_the_calendars_ends_is_a_filter_error_in_words(data, login_as, url, role, dates):
    acme = data.organisation()
    client = login_as(getattr(acme, role))
    response = client.get(url, query_string=dates)
    assert response.status_code in (200, 400), (url, dates)
    page = text_of(response)
    assert page.count(OUT_OF_RANGE) >= len(dates), (url, dates)


@pytest.mark.parametrize("url", ["/quis/", "/visits/", "/admin/audit/"])
def test_the_ends_of_the_date_range_are_still_accepted(data, login_as, url):
    acme = data.organisation()
    client = login_as(acme.admin)
    response = client.get(url, query_string={"date_from": "1900-01-01", "date_to": "2999-12-31"})
    assert response.status_code == 200
    assert OUT_OF_RANGE not in text_of(response)


# -- error pages after a failed statement -------------------------------------------------------


def test_each_error_handler_rolls_back_the_requests_session(app):
    handlers = {
        "http": lambda: errors._handle_http(NotFound()),
        "csrf": lambda: errors._handle_csrf(CSRFError()),
        "unexpected": lambda: errors._handle_unexpected(RuntimeError("boom")),
    }
    for name, handle in handlers.items():
        with app.test_request_context("/somewhere"):
            session = get_session()
            session.execute(sa.text("SELECT 1"))
            assert session.in_transaction()
            handle()
            assert not session.in_transaction(), name


def test_an_error_handler_opens_no_session_just_to_roll_it_back(app):
    with app.test_request_context("/somewhere"):
        _body, status = errors._handle_http(NotFound())
        assert status == 404
        assert opened_request_session() is None


@pytest.fixture
def served_app(app, tmp_path):
    """The app as served (not in testing mode, so every error gets the styled page), on the
    test database, with routes whose statement fails in the database."""
    served = create_app(
        {
            **{k: app.config[k] for k in ("DATABASE_URL", "SECRET_KEY", "PASSWORD_HASH_METHOD")},
            "TESTING": False,
            "SERVER_NAME": "careobs.test",
            "PUSH_DELIVERY_THREAD": False,
        }
    )
    gc.unfreeze()  # create_app froze the collector for a long-lived server process
    served.test_client_class = CsrfClient

    def failed_statement():
        get_session().execute(sa.text("SELECT * FROM no_such_table"))

    def failed_statement_then_not_found():
        try:
            failed_statement()
        except sa.exc.DBAPIError:
            abort(404)

    served.add_url_rule("/test/failed-statement", view_func=failed_statement)
    served.add_url_rule("/test/failed-then-404", view_func=failed_statement_then_not_found)
    yield served
    served.extensions["careobs.engine"].dispose()


@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [
        ("/test/failed-statement", 500, "Something went wrong"),
        ("/test/failed-then-404", 404, "Not found"),
    ],
)
def test_the_error_page_after_a_failed_statement_is_the_styled_page(
    served_app, data, url, status, heading
):
    acme = data.organisation()
    client = served_app.test_client()
    Auth(client).login(acme.manager)
    response = client.get(url)
    assert response.status_code == status
    page = text_of(response)
    assert f"<h1>{heading}</h1>" in page
    # The header lists the user's pages and unread notices: both read the database.
    assert 'class="bell"' in page and "Log out" in page
    assert client.get("/notifications/").status_code == 200
