"""A paired observation counts once, as its lead recorded it: the second observer's session
changes no figure on the QUIS dashboard, in an action's measure or in the evidence pack; the
lead's does (it is an ordinary session of the service)."""

from __future__ import annotations

from datetime import date

from careobs.actions import measures
from careobs.actions.models import Action
from tests.dashboards.test_action_measures import add_action
from tests.support.calibration import make_pair, session_by_doc
from tests.support.dashboards import headline as headline_of
from tests.support.dashboards import local, session_doc, table_of, write

RANGE = {"date_from": "2026-10-05", "date_to": "2026-11-01", "grouping": "week"}
API = "/api/v1/dashboards/quis"


def figures(client) -> tuple[dict, list]:
    payload = client.get(API, query_string=RANGE).get_json()
    return headline_of(payload), table_of(payload, "categories")["rows"]


def test_the_second_observers_session_changes_no_dashboard_figure(
    app, db, acme, admin_sync, client_as
):
    home = acme.care_home
    base = session_doc(home, local(2026, 10, 6, 10), 30, ["PS", "PC", "NP"])
    lead = session_doc(home, local(2026, 10, 20, 12), 30, ["PS", "PS", "N"], people=("R01",))
    second = session_doc(home, local(2026, 10, 20, 12), 30, ["PS", "NR", "NR", "NR"])
    write(admin_sync, base, lead, second)
    manager = client_as(acme.manager)
    all_three = figures(manager)
    assert all_three[0]["Sessions"] == "3"

    make_pair(db, session_by_doc(db, lead), session_by_doc(db, second))

    headline, categories = figures(manager)
    assert headline["Sessions"] == "2"
    assert headline["Interactions (n)"] == "6"  # 3 + the lead's 3; the second's 4 left out
    assert headline["Negative"].startswith("16.7%")  # 1 of 6
    assert [row[1:3] for row in categories] == [[1, 3], [0, 0], [1, 3], [0, 0]]

    # Unpaired, the second's session is an ordinary one again: the pair alone left it out.
    paired = session_by_doc(db, second)
    paired.pair_id = paired.pair_role = None
    db.commit()
    assert figures(manager) == all_three


def test_a_lead_alone_in_a_pair_counts_like_any_session(app, db, acme, admin_sync, client_as):
    lead = session_doc(acme.care_home, local(2026, 10, 20, 12), 30, ["PS", "NR"])
    write(admin_sync, lead)
    make_pair(db, session_by_doc(db, lead), None)

    headline, _ = figures(client_as(acme.manager))

    assert (headline["Sessions"], headline["Interactions (n)"]) == ("1", "2")


def test_an_actions_measure_reads_the_leads_record_only(app, db, acme, admin_sync):
    home = acme.care_home
    lead = session_doc(home, local(2026, 10, 1, 12), 30, ["PS", "PS", "PC", "NP"])
    second = session_doc(home, local(2026, 10, 1, 12), 30, ["NR", "NR", "NR", "PS"])
    write(admin_sync, lead, second)
    make_pair(db, session_by_doc(db, lead), session_by_doc(db, second))
    action_id = add_action(app, db, acme, {"kind": "quis_negative", "days": 91})

    with app.app_context():
        from careobs.db import get_session

        session = get_session()
        result = measures.before_after(session, session.get(Action, action_id), date(2026, 11, 27))

    assert (result.after.value, result.after.n) == (1 / 4, 4)


def test_the_sessions_list_says_which_session_is_the_second_observers(
    app, db, acme, admin_sync, client_as
):
    home = acme.care_home
    lead = session_doc(home, local(2026, 10, 20, 12), 30, ["PS"], people=("R01",))
    second = session_doc(home, local(2026, 10, 20, 12), 30, ["PS"])
    write(admin_sync, lead, second)
    make_pair(db, session_by_doc(db, lead), session_by_doc(db, second))

    page = client_as(acme.manager).get("/quis/").get_data(as_text=True)

    assert page.count("Second observer (calibration): not in the figures") == 1
    assert page.count("Paired (lead)") == 1
