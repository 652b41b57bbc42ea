"""Monitoring visit pages: who sees which visits in the list and on a visit's page, the list's
filters, addenda to submitted visits, and the offline visit form."""

from __future__ import annotations

import html
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.audit.models import AuditEvent
from careobs.capture.addenda import Addendum
from careobs.checklists import service as checklists
from careobs.feedback.models import Feedback
from careobs.org.models import StaffMember
from careobs.visits.models import MonitoringVisit
from tests.support.database import count, stored
from tests.support.shown import shown
from tests.support.sync import iso
from tests.support.visits import ChecklistInfo, checklist_info, spot_check


def when(day: int, hour: int = 9) -> dict:
    """Planned, arrival and departure times on a day of November 2026."""
    planned = datetime(2026, 11, day, hour, 0, tzinfo=UTC)
    return {
        "planned_at": iso(planned),
        "arrived_at": iso(planned + timedelta(minutes=3)),
        "left_at": iso(planned + timedelta(minutes=33)),
    }


@dataclass
class Scene:
    """Acme's visits and the people who may or may not see them."""

    org: object
    other: object
    sid: User  # a second supervisor, homecare only
    hana: User  # manager of the homecare service
    wyn: StaffMember  # a second homecare worker
    a: dict  # Sue's visit of Hal (homecare), green, unannounced, 2 Nov, feedback released
    b: dict  # Sue's visit of Wyn (homecare), red, announced, 10 Nov, feedback released
    c: dict  # Sid's visit of Hal (homecare), amber, responsive, 16 Nov, feedback held back
    d: dict  # Sue's visit of Carla (care home), green, announced, 18 Nov
    draft: dict  # Sue's draft visit of Wyn, 20 Nov
    e: dict  # Other Org's visit of their Hal

    @property
    def all_acme(self) -> list[dict]:
        return [self.a, self.b, self.c, self.d, self.draft]


@pytest.fixture
def scene(app, data, db, org, other, checklist, client_as) -> Scene:
    sid = data.user(org.org, "sid@acme.test", "Sid Second", roles={org.homecare: "supervisor"})
    hana = data.user(org.org, "hana@acme.test", "Hana Homecare", roles={org.homecare: "manager"})
    wyn = StaffMember(
        organisation_id=org.org.id,
        service_id=org.homecare.id,
        name="Wyn Worker",
        job_role="Senior care worker",
    )
    db.add(wyn)
    # The factory care worker's login is Hal Homecare's.
    org.staff_members["Hal Homecare"].user_id = org.staff.id
    db.commit()
    hal, carla = org.staff_members["Hal Homecare"], org.staff_members["Carla Carer"]

    def doc(service, staff, **fields):
        return spot_check(service, staff, checklist, **fields)

    a = doc(org.homecare, hal, visit_type="unannounced", release_feedback=True, **when(2))
    b = doc(
        org.homecare,
        wyn,
        visit_type="announced",
        ratings={9: "not_met"},
        release_feedback=True,
        **when(10),
    )
    c = doc(
        org.homecare,
        hal,
        visit_type="responsive",
        ratings=dict.fromkeys(range(10), "partly"),  # 48 of 58: 82.8%
        to_develop="Wait for an answer before starting personal care.",
        release_feedback=False,  # the supervisor unticked "Send the feedback"
        **when(16),
    )
    d = doc(
        org.care_home,
        carla,
        person_code="R01",
        consent="obtained_today",
        visit_type="announced",
        **when(18),
    )
    draft = doc(org.homecare, wyn, status="draft", **when(20))
    sue = client_as(org.supervisor)
    assert [r["status"] for r in sue(a, b, d, draft)] == ["created"] * 4
    assert client_as(sid)(c)[0]["status"] == "created"

    with app.app_context():
        theirs = checklists.create_default(db, other.org.id)
        db.commit()
        their_checklist: ChecklistInfo = checklist_info(db, theirs.uuid)
    e = spot_check(
        other.homecare,
        other.staff_members["Hal Homecare"],
        their_checklist,
        person_code="H01",
        consent="obtained_today",
        **when(3),
    )
    assert client_as(other.supervisor)(e)[0]["status"] == "created"
    return Scene(org, other, sid, hana, wyn, a, b, c, d, draft, e)


def listed(client, query: str = "") -> set[str]:
    """The document ids of the visits on the list page."""
    response = client.get(f"/visits/{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    page = response.get_data(as_text=True)
    ids = set()
    for part in page.split('href="/visits/')[1:]:
        candidate = part.split('"', 1)[0]
        try:
            ids.add(str(uuid.UUID(candidate)))
        except ValueError:
            continue
    return ids


def ids(*documents) -> set[str]:
    return {d["id"] for d in documents}


# --- list scoping ----------------------------------------------------------------------------


def test_supervisor_sees_their_own_visits(client, auth, scene):
    auth.login(scene.org.supervisor)

    assert listed(client) == ids(scene.a, scene.b, scene.d, scene.draft)


def test_second_supervisor_sees_only_their_own(client, auth, scene):
    auth.login(scene.sid)

    assert listed(client) == ids(scene.c)


def test_manager_sees_every_visit_of_the_services_they_manage(client, auth, scene):
    auth.login(scene.hana)

    assert listed(client) == ids(scene.a, scene.b, scene.c, scene.draft)


def test_care_home_manager_sees_only_care_home_visits(client, auth, scene):
    auth.login(scene.org.manager)

    assert listed(client) == ids(scene.d)


def test_admin_sees_the_whole_organisation(client, auth, scene):
    auth.login(scene.org.admin)

    assert listed(client) == ids(*scene.all_acme)


def test_care_worker_sees_only_visits_about_their_own_practice(client, auth, scene):
    auth.login(scene.org.staff)

    assert listed(client) == ids(scene.a)
    page = client.get("/visits/").get_data(as_text=True)
    assert "Wyn Worker" not in page
    assert "Carla Carer" not in page
    assert "New monitoring visit" not in page


def test_care_worker_without_a_staff_record_sees_none(client, auth, db, scene):
    scene.org.staff_members["Hal Homecare"].user_id = None
    db.commit()
    auth.login(scene.org.staff)

    assert listed(client) == set()


def test_outsider_sees_none(client, auth, scene):
    auth.login(scene.org.outsider)

    assert listed(client) == set()
    assert "No visits match." in client.get("/visits/").get_data(as_text=True)


def test_another_organisation_never_sees_acme_visits(client, auth, scene):
    auth.login(scene.other.admin)

    assert listed(client) == ids(scene.e)


def test_acme_never_sees_another_organisations_visits(client, auth, scene):
    auth.login(scene.org.admin)

    page = client.get("/visits/").get_data(as_text=True)
    assert scene.e["id"] not in page
    assert "Other Org" not in page


def test_logged_out_is_sent_to_login(client, scene):
    response = client.get("/visits/")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# --- filters ---------------------------------------------------------------------------------


def test_filter_by_service(client, auth, scene):
    auth.login(scene.org.admin)

    assert listed(client, f"?service={scene.org.homecare.uuid.hex}") == ids(
        scene.a, scene.b, scene.c, scene.draft
    )
    assert listed(client, f"?service={scene.org.care_home.uuid.hex}") == ids(scene.d)


def test_filter_by_worker(client, auth, scene):
    auth.login(scene.org.admin)
    hal = scene.org.staff_members["Hal Homecare"]

    assert listed(client, f"?worker={hal.uuid.hex}") == ids(scene.a, scene.c)
    assert listed(client, f"?worker={scene.wyn.uuid.hex}") == ids(scene.b, scene.draft)


def test_filter_by_supervisor(client, auth, scene):
    auth.login(scene.org.admin)

    assert listed(client, f"?supervisor={scene.sid.uuid.hex}") == ids(scene.c)
    assert listed(client, f"?supervisor={scene.org.supervisor.uuid.hex}") == ids(
        scene.a, scene.b, scene.d, scene.draft
    )


def test_filter_by_type(client, auth, scene):
    auth.login(scene.org.admin)

    assert listed(client, "?visit_type=announced") == ids(scene.b, scene.d)
    assert listed(client, "?visit_type=responsive") == ids(scene.c)
    assert listed(client, "?visit_type=unannounced") == ids(scene.a, scene.draft)


def test_filter_by_band(client, auth, scene):
    auth.login(scene.org.admin)

    assert listed(client, "?band=red") == ids(scene.b)
    assert listed(client, "?band=amber") == ids(scene.c)
    assert listed(client, "?band=green") == ids(scene.a, scene.d, scene.draft)


def test_filter_by_dates_includes_both_days(client, auth, scene):
    auth.login(scene.org.admin)

    assert listed(client, "?date_from=2026-11-10&date_to=2026-11-16") == ids(scene.b, scene.c)
    assert listed(client, "?date_from=2026-11-17") == ids(scene.d, scene.draft)
    assert listed(client, "?date_to=2026-11-02") == ids(scene.a)


def test_filters_combine(client, auth, scene):
    auth.login(scene.org.admin)
    hal = scene.org.staff_members["Hal Homecare"]

    assert listed(client, f"?worker={hal.uuid.hex}&band=amber") == ids(scene.c)
    assert listed(client, f"?worker={hal.uuid.hex}&band=red") == set()


def test_filters_stay_within_what_the_user_may_see(client, auth, scene):
    hal = scene.org.staff_members["Hal Homecare"]
    auth.login(scene.org.supervisor)

    # Hal is offered to Sue (she visited him too), and Sid's visit of Hal matches the filter,
    # but it is not Sue's to see.
    assert listed(client, f"?worker={hal.uuid.hex}") == ids(scene.a)
    assert listed(client, f"?worker={hal.uuid.hex}&date_from=2026-11-16") == set()
    # The only responsive visit is Sid's.
    assert listed(client, "?visit_type=responsive") == set()
    # Sid is not offered to Sue: naming him is an error next to the filter, and shows nothing.
    response = client.get(f"/visits/?supervisor={scene.sid.uuid.hex}")
    page = html.unescape(response.get_data(as_text=True))
    assert 'id="supervisor-error"' in page
    assert "Choose a supervisor from the list" in page
    assert scene.c["id"] not in page
    assert listed(client, f"?supervisor={scene.sid.uuid.hex}") == set()


def test_a_manager_filtering_by_supervisor_sees_only_their_services(client, auth, scene):
    auth.login(scene.hana)

    # Sue visits both services; Hana manages homecare only, so Sue's care home visit stays hidden.
    assert listed(client, f"?supervisor={scene.org.supervisor.uuid.hex}") == ids(
        scene.a, scene.b, scene.draft
    )
    # The care home is not offered to Hana, and naming it reveals nothing.
    response = client.get(f"/visits/?service={scene.org.care_home.uuid.hex}")
    page = html.unescape(response.get_data(as_text=True))
    assert 'id="service-error"' in page
    assert scene.d["id"] not in page
    assert "Carla Carer" not in page


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("band=purple", "band", "Choose green, amber or red."),
        ("visit_type=surprise", "visit_type", "Choose announced, unannounced or responsive."),
        ("date_from=2026-13-01", "date_from", "Enter a real date as year-month-day"),
        ("date_to=yesterday", "date_to", "Enter a real date as year-month-day"),
        ("date_from=2026-11-16&date_to=2026-11-10", "date_to", "must be on or after the “From”"),
        ("worker=" + "0" * 32, "worker", "Choose a care worker from the list"),
    ],
)
def test_a_bad_filter_shows_an_error_next_to_it_and_no_visits(
    client, auth, scene, query, field, message
):
    auth.login(scene.org.admin)
    kept, selected = (
        ("band=green", '<option selected value="green">')
        if field == "visit_type"
        else ("visit_type=announced", '<option selected value="announced">')
    )

    response = client.get(f"/visits/?{kept}&{query}")

    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert f'id="{field}-error"' in page
    assert message in page
    assert 'aria-invalid="true"' in page
    assert "No visits are shown until the filter marked below is corrected." in page
    assert listed(client, f"?{kept}&{query}") == set()
    assert listed(client, f"?{kept}") != set()  # the same search without the bad filter finds some
    # The valid filter keeps its value, so only the bad one needs correcting.
    assert selected in page


# --- a visit's page --------------------------------------------------------------------------


def test_supervisor_sees_their_visit(client, auth, scene):
    auth.login(scene.org.supervisor)

    response = client.get(f"/visits/{scene.b['id']}")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Wyn Worker" in page
    assert "Not yet competent — re-check required" in page
    assert "Hand hygiene before contact" in page


@pytest.mark.parametrize(
    ("who", "visit", "status"),
    [
        ("supervisor", "c", 404),  # Sid's visit
        ("sid", "a", 404),
        ("manager", "a", 404),  # care home manager, homecare visit
        ("hana", "d", 404),  # homecare manager, care home visit
        ("staff", "b", 404),  # about Wyn
        ("staff", "d", 404),
        ("outsider", "a", 404),
        ("other_admin", "a", 404),
        ("staff", "c", 404),  # about Hal, but the feedback is not released yet
        ("staff", "a", 200),
        ("hana", "c", 200),
        ("manager", "d", 200),
        ("admin", "c", 200),
    ],
)
def test_a_visit_page_is_only_for_those_who_may_see_it(client, auth, scene, who, visit, status):
    users = {
        "sid": scene.sid,
        "hana": scene.hana,
        "other_admin": scene.other.admin,
    }
    auth.login(users.get(who) or getattr(scene.org, who))

    response = client.get(f"/visits/{getattr(scene, visit)['id']}")

    assert response.status_code == status


def test_an_unknown_visit_is_404(client, auth, scene):
    auth.login(scene.org.admin)

    assert client.get(f"/visits/{uuid.uuid4()}").status_code == 404
    assert client.get(f"/visits/{scene.e['id']}").status_code == 404


# --- addenda ---------------------------------------------------------------------------------


def visit_state(db, document: dict) -> dict:
    visit = stored(db, MonitoringVisit, document)
    return {c.key: getattr(visit, c.key) for c in sa.inspect(MonitoringVisit).column_attrs}


def addendum_events(db) -> list[AuditEvent]:
    db.expire_all()
    return list(
        db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "visit_addendum_added"))
    )


ADDENDUM = {"reason": "Wrong arrival time", "text": "Hal arrived at 09:01, not 09:03."}


def test_supervisor_adds_an_addendum_to_their_submitted_visit(client, auth, db, scene):
    before = visit_state(db, scene.a)
    auth.login(scene.org.supervisor)

    response = client.post(f"/visits/{scene.a['id']}", data=ADDENDUM)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/visits/{scene.a['id']}")
    assert visit_state(db, scene.a) == before
    addendum = db.scalar(sa.select(Addendum))
    visit = stored(db, MonitoringVisit, scene.a)
    assert addendum.visit_id == visit.id
    assert addendum.author_id == scene.org.supervisor.id
    assert (addendum.reason, addendum.text) == (ADDENDUM["reason"], ADDENDUM["text"])
    events = addendum_events(db)
    assert [(e.actor_id, e.entity_id, e.summary) for e in events] == [
        (scene.org.supervisor.id, scene.a["id"], f"addendum {addendum.id}")
    ]
    page = client.get(f"/visits/{scene.a['id']}").get_data(as_text=True)
    assert "Hal arrived at 09:01, not 09:03." in page
    assert "Warm greeting; explained each step." in page  # the original text is still there


def test_manager_adds_an_addendum_to_a_visit_in_their_service(client, auth, db, scene):
    before = visit_state(db, scene.c)
    auth.login(scene.hana)

    response = client.post(f"/visits/{scene.c['id']}", data=ADDENDUM)

    assert response.status_code == 302
    assert visit_state(db, scene.c) == before
    assert count(db, Addendum) == 1
    assert [e.actor_id for e in addendum_events(db)] == [scene.hana.id]


def test_care_worker_cannot_add_an_addendum(client, auth, db, scene):
    auth.login(scene.org.staff)

    page = client.get(f"/visits/{scene.a['id']}").get_data(as_text=True)
    response = client.post(f"/visits/{scene.a['id']}", data=ADDENDUM)

    assert "Add addendum" not in page
    assert response.status_code == 403
    assert count(db, Addendum) == 0
    assert addendum_events(db) == []


def test_another_supervisor_cannot_add_an_addendum(client, auth, db, scene):
    auth.login(scene.sid)

    assert client.post(f"/visits/{scene.a['id']}", data=ADDENDUM).status_code == 404
    assert count(db, Addendum) == 0


def test_no_addendum_on_a_draft(client, auth, db, scene):
    auth.login(scene.org.supervisor)

    page = client.get(f"/visits/{scene.draft['id']}").get_data(as_text=True)
    response = client.post(f"/visits/{scene.draft['id']}", data=ADDENDUM)

    assert "Add addendum" not in page
    assert response.status_code == 403
    assert count(db, Addendum) == 0


def test_an_addendum_needs_a_reason_and_text(client, auth, db, scene):
    auth.login(scene.org.supervisor)

    response = client.post(f"/visits/{scene.a['id']}", data={"reason": "", "text": "Only text"})

    assert response.status_code == 400
    assert 'id="reason-error"' in response.get_data(as_text=True)
    assert count(db, Addendum) == 0
    assert addendum_events(db) == []


def test_an_addendum_needs_the_csrf_token(client, auth, db, scene):
    auth.login(scene.org.supervisor)

    response = client.post(f"/visits/{scene.a['id']}", data=ADDENDUM, csrf=False)

    assert response.status_code == 400
    assert count(db, Addendum) == 0


# --- the visit form --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("supervisor", 200), ("manager", 200), ("admin", 200), ("staff", 403), ("outsider", 403)],
)
def test_record_page(client, auth, org, who, status):
    auth.login(getattr(org, who))

    assert client.get("/visits/record").status_code == status


def test_record_page_needs_login(client, org):
    response = client.get("/visits/record")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# --- feedback held back from the worker ------------------------------------------------------


def test_a_visit_reaches_the_worker_only_when_its_feedback_is_released(
    client, auth, db, scene, login_as
):
    auth.login(scene.org.staff)
    held = client.get(f"/visits/{scene.c['id']}")
    assert held.status_code == 404
    assert "Wait for an answer before starting personal care." not in held.get_data(as_text=True)
    assert listed(client) == ids(scene.a)
    # Sid, who wrote it, and Hana, who manages homecare, still see it.
    assert scene.c["id"] in {*listed(login_as(scene.sid)), *listed(login_as(scene.hana))}

    feedback = db.scalar(
        sa.select(Feedback).where(Feedback.visit_id == stored(db, MonitoringVisit, scene.c).id)
    )
    assert feedback.status == "draft"
    released = login_as(scene.sid).post(
        f"/feedback/{feedback.uuid}/edit",
        data={"went_well": "Kind and calm.", "to_develop": "", "actions": "", "release": "1"},
    )
    assert released.status_code == 302

    assert listed(client) == ids(scene.a, scene.c)
    page = client.get(f"/visits/{scene.c['id']}")
    assert page.status_code == 200
    assert "Wait for an answer before starting personal care." in page.get_data(as_text=True)


def test_a_draft_feedback_for_another_worker_does_not_open_the_visit(client, auth, db, scene):
    """Released feedback must be the feedback of the visit's own worker and visit."""
    auth.login(scene.org.staff)

    # Wyn's visit b has released feedback, but it is not about Hal.
    assert client.get(f"/visits/{scene.b['id']}").status_code == 404


# --- times on the organisation's clock -------------------------------------------------------


@pytest.fixture
def late_evening(scene, client_as, checklist):
    """Sue's visit of Hal planned at 23:30 UTC on 14 July 2026: 00:30 on 15 July in London."""
    planned = datetime(2026, 7, 14, 23, 30, tzinfo=UTC)
    document = spot_check(
        scene.org.homecare,
        scene.org.staff_members["Hal Homecare"],
        checklist,
        planned_at=iso(planned),
        arrived_at=iso(planned + timedelta(minutes=1)),
        left_at=iso(planned + timedelta(minutes=30)),
    )
    assert client_as(scene.org.supervisor)(document)[0]["status"] == "created"
    return document


def test_times_show_on_the_organisations_clock_in_summer_time(client, auth, scene, late_evening):
    auth.login(scene.org.admin)

    listing = html.unescape(client.get("/visits/?date_from=2026-07-01").get_data(as_text=True))
    page = html.unescape(client.get(f"/visits/{late_evening['id']}").get_data(as_text=True))

    assert "15 Jul 2026 00:30" in listing
    assert "14 Jul 2026 23:30" not in listing
    assert "(UTC)" not in listing
    assert "Europe/London" in listing
    assert "15 Jul 2026 00:30 for 30 minutes" in page
    assert "UTC" not in shown(page)
    assert "00:31 (1 minute after the planned time)" in page
    assert "01:00 (1 minute short)" in page
    assert "1 minutes" not in page


def test_the_date_filter_uses_the_organisations_days(client, auth, scene, late_evening):
    auth.login(scene.org.admin)

    assert listed(client, "?date_from=2026-07-15&date_to=2026-07-15") == ids(late_evening)
    assert listed(client, "?date_from=2026-07-14&date_to=2026-07-14") == set()
    assert listed(client, "?date_to=2026-07-14") == set()
    assert late_evening["id"] in listed(client, "?date_from=2026-07-15")


def test_times_follow_another_organisation_time_zone(client, auth, db, scene, late_evening):
    scene.org.org.timezone = "America/New_York"
    db.commit()
    auth.login(scene.org.admin)

    page = html.unescape(client.get(f"/visits/{late_evening['id']}").get_data(as_text=True))

    assert "14 Jul 2026 19:30 for 30 minutes" in page
    assert "America/New_York" in page
    assert listed(client, "?date_from=2026-07-14&date_to=2026-07-14") == ids(late_evening)
    assert listed(client, "?date_from=2026-07-15") == ids(*scene.all_acme)


def test_a_visit_crossing_midnight_shows_the_day_it_ended(
    client, auth, scene, client_as, checklist
):
    planned = datetime(2026, 11, 4, 23, 40, tzinfo=UTC)  # GMT: the same as UTC in November
    document = spot_check(
        scene.org.homecare,
        scene.org.staff_members["Hal Homecare"],
        checklist,
        planned_at=iso(planned),
        arrived_at=iso(planned - timedelta(minutes=2)),
        left_at=iso(planned + timedelta(minutes=28)),
    )
    assert client_as(scene.org.supervisor)(document)[0]["status"] == "created"
    auth.login(scene.org.admin)

    page = html.unescape(client.get(f"/visits/{document['id']}").get_data(as_text=True))

    assert "23:38 (2 minutes before the planned time)" in page
    assert "00:08 on 5 Nov 2026" in page
