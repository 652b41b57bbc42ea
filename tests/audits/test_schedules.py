"""Audit schedules: the per-service page (add, change, stop, restart; audited), who reaches it,
hostile input (never a 5xx), "Audits due", the home page, the daily reminders, and the same
schedule added at the same instant from two sessions (one schedule)."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.audits.due import organisation_today
from careobs.audits.schedules import AuditSchedule
from careobs.checklists.models import Checklist
from careobs.db import get_session
from careobs.notifications.due import remind
from careobs.notifications.models import Notification
from tests.support.audits import CARE_PLAN, MAR, audit_doc, person
from tests.support.sync import iso


def template_of(db, org, name=CARE_PLAN) -> Checklist:
    return db.scalar(
        sa.select(Checklist).where(Checklist.organisation_id == org.org.id, Checklist.name == name)
    )


def page(service) -> str:
    return f"/audits/services/{service.uuid}/schedules"


def all_schedules(db) -> list[AuditSchedule]:
    db.expire_all()
    return list(db.scalars(sa.select(AuditSchedule)))


def events(db, prefix: str) -> list[AuditEvent]:
    db.expire_all()
    return list(
        db.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.action.startswith(prefix))
            .order_by(AuditEvent.id)
        )
    )


@pytest.fixture
def manager(org, login_as, templates):
    return login_as(org.manager)


def add(client, service, template, **fields):
    return client.post(page(service), data={"template": template.uuid.hex, **fields})


# --- adding, changing, stopping -------------------------------------------------------------------


def test_a_manager_schedules_changes_and_stops_an_audit_each_audited(app, db, org, manager):
    template = template_of(db, org)

    response = add(manager, org.care_home, template, frequency_days="14", starts_on="2026-12-01")

    assert response.status_code == 302
    [schedule] = all_schedules(db)
    assert (schedule.frequency_days, schedule.starts_on) == (14, date(2026, 12, 1))
    assert schedule.service_id == org.care_home.id and schedule.checklist_id == template.id
    page_text = manager.get(page(org.care_home)).get_data(as_text=True)
    assert "Care plan audit" in page_text and "every 14 days" in page_text

    assert (
        manager.post(
            f"/audits/schedules/{schedule.uuid}/frequency", data={"frequency_days": "28"}
        ).status_code
        == 302
    )
    assert all_schedules(db)[0].frequency_days == 28
    assert manager.post(f"/audits/schedules/{schedule.uuid}/stop").status_code == 302
    assert all_schedules(db)[0].stopped_at is not None

    logged = events(db, "audit_schedule.")
    assert [e.action for e in logged] == [
        "audit_schedule.add",
        "audit_schedule.change",
        "audit_schedule.stop",
    ]
    assert all(e.actor_id == org.manager.id for e in logged)
    assert "every 14 days → every 28 days" in logged[1].summary


def test_defaults_are_the_templates_frequency_from_today(app, db, org, manager):
    mar = template_of(db, org, MAR)

    assert add(manager, org.care_home, mar).status_code == 302

    [schedule] = all_schedules(db)
    with app.app_context():
        today = organisation_today(get_session(), org.org.id)
    assert (schedule.frequency_days, schedule.starts_on) == (mar.frequency_days, today)


def test_adding_again_changes_nothing_and_a_stopped_schedule_restarts(app, db, org, manager):
    template = template_of(db, org)
    add(manager, org.care_home, template, frequency_days="30")
    again = add(manager, org.care_home, template, frequency_days="7")
    assert again.status_code == 302
    assert [s.frequency_days for s in all_schedules(db)] == [30]

    schedule = all_schedules(db)[0]
    manager.post(f"/audits/schedules/{schedule.uuid}/stop")
    add(manager, org.care_home, template, frequency_days="7", starts_on="2027-01-04")

    [restarted] = all_schedules(db)
    assert restarted.id == schedule.id and restarted.stopped_at is None
    assert (restarted.frequency_days, restarted.starts_on) == (7, date(2027, 1, 4))
    assert events(db, "audit_schedule.")[-1].action == "audit_schedule.restart"


# --- who reaches the pages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [("admin", 200), ("manager", 200), ("supervisor", 403), ("staff", 403), ("outsider", 403)],
)
def test_who_plans_audits(org, login_as, templates, role, expected):
    client = login_as(getattr(org, role))
    assert client.get(page(org.care_home)).status_code == expected
    assert client.get("/audits/plan").status_code == expected
    posted = client.post(page(org.care_home), data={"template": "0" * 32})
    assert posted.status_code == (400 if expected == 200 else expected)


def test_a_manager_of_one_service_cannot_plan_another(db, org, manager):
    assert manager.get(page(org.homecare)).status_code == 403
    assert add(manager, org.homecare, template_of(db, org)).status_code == 403
    assert all_schedules(db) == []


def test_another_organisation_is_not_found(db, org, other, login_as, templates):
    client = login_as(other.admin)
    assert client.get(page(org.care_home)).status_code == 404
    template = template_of(db, org)
    assert add(client, org.care_home, template).status_code == 404
    add(login_as(org.manager), org.care_home, template)
    schedule = all_schedules(db)[0]
    assert client.post(f"/audits/schedules/{schedule.uuid}/stop").status_code == 404
    assert (
        client.post(
            f"/audits/schedules/{schedule.uuid}/frequency", data={"frequency_days": "3"}
        ).status_code
        == 404
    )
    assert all_schedules(db)[0].stopped_at is None


def test_anonymous_users_are_sent_to_log_in(client, org):
    for url in (page(org.care_home), "/audits/plan", "/audits/due"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "fields",
    [
        {"template": "not-a-template"},
        {"template": uuid.uuid5(uuid.NAMESPACE_URL, "unknown").hex},
        {"frequency_days": "0"},
        {"frequency_days": "367"},
        {"frequency_days": "-5"},
        {"frequency_days": "weekly"},
        {"frequency_days": "1e9"},
        {"starts_on": "31/12/2026"},
        {"starts_on": "2026-02-30"},
        {"starts_on": "0001-01-01"},  # a year of one-day slots per subject on every page
        {"starts_on": "9999-12-31"},
        {"starts_on": (date.today() - timedelta(days=400)).isoformat()},
        {"template": "x" * 5000},
    ],
)
def test_bad_schedule_input_is_refused_with_the_form(db, org, manager, fields):
    data = {"template": template_of(db, org).uuid.hex, **fields}
    response = manager.post(page(org.care_home), data=data)
    assert response.status_code == 400
    assert "Please check the form" in response.get_data(as_text=True)
    assert all_schedules(db) == []


@pytest.mark.parametrize("value", ["", "0", "400", "seven", "3.5"])
def test_a_bad_frequency_change_changes_nothing(db, org, manager, value):
    add(manager, org.care_home, template_of(db, org), frequency_days="30")
    schedule = all_schedules(db)[0]
    response = manager.post(
        f"/audits/schedules/{schedule.uuid}/frequency", data={"frequency_days": value}
    )
    assert response.status_code == 400
    assert all_schedules(db)[0].frequency_days == 30


@pytest.mark.parametrize(
    "url",
    [
        "/audits/services/not-a-uuid/schedules",
        f"/audits/services/{uuid.uuid5(uuid.NAMESPACE_URL, 'unknown')}/schedules",
        f"/audits/schedules/{uuid.uuid5(uuid.NAMESPACE_URL, 'unknown')}/stop",
        f"/audits/schedules/{uuid.uuid5(uuid.NAMESPACE_URL, 'unknown')}/frequency",
        f"/audits/champions/{uuid.uuid5(uuid.NAMESPACE_URL, 'unknown')}/remove",
        f"/audits/services/{uuid.uuid5(uuid.NAMESPACE_URL, 'unknown')}/champions",
    ],
)
def test_unknown_records_are_not_found(org, manager, url):
    assert manager.post(url, data={"frequency_days": "3"}).status_code == 404


def test_a_form_without_its_token_changes_nothing(db, org, manager):
    response = manager.post(
        page(org.care_home), data={"template": template_of(db, org).uuid.hex}, csrf=False
    )
    assert response.status_code == 400
    assert all_schedules(db) == []


# --- audits due, the home page and the reminders --------------------------------------------------


@pytest.fixture
def care_plans_due(db, org, manager):
    """The care plan audit scheduled at the care home from a week ago: R01 and R02 overdue."""
    with manager.application.app_context():
        today = organisation_today(get_session(), org.org.id)
    add(
        manager,
        org.care_home,
        template_of(db, org),
        frequency_days="30",
        starts_on=(today - timedelta(days=7)).isoformat(),
    )
    return today


def test_audits_due_lists_each_subject_worst_first(org, login_as, care_plans_due, templates):
    supervisor = login_as(org.supervisor)
    doc = audit_doc(
        org.care_home,
        templates[CARE_PLAN],
        person("R02"),
        started_at=iso(datetime.now(UTC) - timedelta(minutes=30)),
        ended_at=iso(datetime.now(UTC) - timedelta(minutes=5)),
    )
    assert supervisor.post("/api/v1/sync", json={"documents": [doc]}).status_code == 200

    response = supervisor.get(
        "/audits/due", query_string={"service": org.care_home.uuid.hex, "status": "all"}
    )

    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 overdue" in text
    assert text.index("Care plan audit: R01") < text.index("Care plan audit: R02")
    assert "Done late" in text and "7 days ago" in text  # R02: done, 7 days after its due
    assert (
        f"/audits/record?template={templates[CARE_PLAN].id}"
        f"&amp;service={org.care_home.uuid}&amp;subject=R01"
    ) in text
    # One fell due in the last 90 days and was not done; R02 was done 7 days late.
    assert "Done on time in the last 90 days: 0 of 2 scheduled audits that fell due (0%)" in text
    to_do = supervisor.get("/audits/due").get_data(as_text=True)  # overdue and due soon
    assert "Care plan audit: R01" in to_do and "Care plan audit: R02" not in to_do
    done = supervisor.get("/audits/due", query_string={"status": "done"}).get_data(as_text=True)
    assert "Care plan audit: R01" not in done and "Care plan audit: R02" in done


@pytest.mark.parametrize(
    "query",
    [
        {"service": "nope"},
        {"service": uuid.uuid5(uuid.NAMESPACE_URL, "unknown").hex},
        {"service": "'; DROP TABLE audits; --"},
    ],
)
def test_audits_due_for_a_service_not_yours_is_not_found(org, login_as, care_plans_due, query):
    assert login_as(org.supervisor).get("/audits/due", query_string=query).status_code == 404


def test_audits_due_ignores_an_unknown_status_and_refuses_care_workers(
    org, login_as, care_plans_due
):
    ok = login_as(org.supervisor).get("/audits/due", query_string={"status": "<script>"})
    assert ok.status_code == 200 and "Care plan audit: R01" in ok.get_data(as_text=True)
    assert login_as(org.staff).get("/audits/due").status_code == 403
    assert login_as(org.outsider).get("/audits/due").status_code == 403


def test_the_home_page_counts_audits_due(org, login_as, care_plans_due):
    supervisor_home = login_as(org.supervisor).get("/").get_data(as_text=True)
    assert "Audits due" in supervisor_home and "2 overdue" in supervisor_home
    assert "Care plan audit: R01" in supervisor_home
    manager_home = login_as(org.manager).get("/").get_data(as_text=True)
    assert "Audit schedules and champions" in manager_home
    staff_home = login_as(org.staff).get("/").get_data(as_text=True)
    assert "Audits due" not in staff_home


def test_the_daily_reminder_counts_audits_overdue_once_a_day(app, db, org, care_plans_due):
    with app.app_context():
        sent = remind(get_session(), care_plans_due)
        get_session().commit()
        again = remind(get_session(), care_plans_due)
        get_session().commit()

    assert sent["audits_due"] == 2 and again["audits_due"] == 0  # the manager, the supervisor
    db.expire_all()
    notices = db.scalars(sa.select(Notification).where(Notification.kind == "audits_due")).all()
    assert {n.user_id for n in notices} == {org.manager.id, org.supervisor.id}
    assert {n.body for n in notices} == {"Scheduled audits at Acme Care House: 2 overdue."}
    assert {n.link for n in notices} == {f"/audits/due?service={org.care_home.uuid.hex}"}


# --- the same schedule from two sessions at once --------------------------------------------------


def test_the_same_schedule_added_at_once_from_two_sessions_is_one(app, db, org, templates):
    """Two managers' browsers post the same schedule at the same instant to a threaded server:
    one schedule, one audit event, both answered with a redirect (never a 5xx)."""
    from werkzeug.serving import make_server

    from tests.sync.census import Ledger
    from tests.sync.devices import SyncClient

    app.config["SERVER_NAME"] = None  # served on 127.0.0.1, not careobs.test
    template = template_of(db, org)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    clients = []
    try:
        for _ in range(2):
            client = SyncClient(httpd.server_port, Ledger())
            client.log_in(org.manager.email)
            clients.append(client)
        barrier = threading.Barrier(len(clients))
        replies: list = [None] * len(clients)

        def post(index: int, client: SyncClient) -> None:
            body = f"template={template.uuid.hex}&frequency_days=30&csrf_token={client.token}"
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": client.token,
            }
            barrier.wait(30)
            replies[index] = client.request("POST", page(org.care_home), body.encode(), headers)

        threads = [threading.Thread(target=post, args=(n, c)) for n, c in enumerate(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        for client in clients:
            client.close()
        httpd.shutdown()
        thread.join(10)
        httpd.server_close()

    assert [r.status for r in replies] == [302, 302], replies
    assert len(all_schedules(db)) == 1
    assert len(events(db, "audit_schedule.add")) == 1


# --- the demo's part ------------------------------------------------------------------------------


def test_the_demo_schedules_and_champion_load_once(app, db, login_as):
    """What the lead wires into careobs/demo.py: Rosewood's four schedules, Riverside's care plan
    schedule and its champion, whose home page shows what is due for him; loading twice adds
    nothing."""
    from careobs import demo
    from careobs.accounts.models import User
    from careobs.audits import schedules_demo
    from careobs.audits.schedules import AuditChampion
    from careobs.org.models import Organisation, Service

    def load() -> list:
        with app.app_context():
            session = get_session()
            demo.load_demo(session, date(2026, 12, 6))
            org = session.scalar(sa.select(Organisation).where(Organisation.name == demo.DEMO_ORG))
            services = {s.name: s for s in session.scalars(sa.select(Service))}
            manager = session.scalar(sa.select(User).where(User.email == "manager@demo.test"))
            logins = schedules_demo.load(
                session,
                org,
                services[demo.ROSEWOOD],
                services[demo.RIVERSIDE],
                manager,
                date(2026, 12, 6),
                password=demo.DEMO_PASSWORD,
            )
            session.commit()
            return logins

    assert load() == [("champion@demo.test", "Audit champion at Riverside Homecare")]
    load()

    db.expire_all()
    by_service = sorted(
        (s.service.name, s.checklist.name, s.frequency_days) for s in all_schedules(db)
    )
    assert by_service == [
        ("Riverside Homecare", "Care plan audit", 30),
        ("Rosewood House", "Behaviour and incidents review", 30),
        ("Rosewood House", "Care plan audit", 30),
        ("Rosewood House", "Infection prevention and control and environment audit", 30),
        ("Rosewood House", "Medicines administration records audit", 42),
    ]
    assert len(db.scalars(sa.select(AuditChampion)).all()) == 2
    champion = db.scalar(sa.select(User).where(User.email == "champion@demo.test"))
    client = app.test_client()
    from tests.support.web import Auth

    Auth(client).login(champion, demo.DEMO_PASSWORD)
    home = client.get("/").get_data(as_text=True)
    assert "Your audits" in home and "Care plan audit: H01" in home
    templates = client.get("/api/v1/bootstrap").get_json()["audit_templates"]
    assert sorted(t["name"] for t in templates) == [
        "Care plan audit",
        "Medicines administration records audit",
    ]


def test_two_managers_changing_a_frequency_at_once_leave_one_consistent_history(
    app, db, org, templates
):
    """Two managers' browsers change the same schedule's frequency at the same instant (to 14
    and to 21 days) on a threaded server: both answered with a redirect, never a 5xx; one
    history row for today, whose frequency is the schedule's; two change events, the second
    from the first one's value."""
    from werkzeug.serving import make_server

    from careobs.audits.schedules import AuditScheduleFrequency, add_schedule
    from tests.sync.census import Ledger
    from tests.sync.devices import SyncClient

    template = template_of(db, org)
    with app.app_context():
        session = get_session()
        schedule, _ = add_schedule(
            session,
            session.get(type(org.care_home), org.care_home.id),
            session.get(Checklist, template.id),
            30,
            date(2026, 1, 5),
            org.manager,
        )
        session.commit()
        today = organisation_today(session, org.org.id)
    app.config["SERVER_NAME"] = None  # served on 127.0.0.1, not careobs.test
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    clients = []
    try:
        for _ in range(2):
            client = SyncClient(httpd.server_port, Ledger())
            client.log_in(org.manager.email)
            clients.append(client)
        barrier = threading.Barrier(len(clients))
        replies: list = [None] * len(clients)

        def post(index: int, client: SyncClient, days: int) -> None:
            body = f"frequency_days={days}&csrf_token={client.token}"
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": client.token,
            }
            barrier.wait(30)
            replies[index] = client.request(
                "POST", f"/audits/schedules/{schedule.uuid}/frequency", body.encode(), headers
            )

        threads = [
            threading.Thread(target=post, args=(n, c, days))
            for n, (c, days) in enumerate(zip(clients, (14, 21), strict=True))
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        for client in clients:
            client.close()
        httpd.shutdown()
        thread.join(10)
        httpd.server_close()

    assert [r.status for r in replies] == [302, 302], replies
    [current] = all_schedules(db)
    rows = db.execute(
        sa.select(AuditScheduleFrequency.from_on, AuditScheduleFrequency.frequency_days)
        .where(AuditScheduleFrequency.schedule_id == current.id)
        .order_by(AuditScheduleFrequency.from_on)
    ).all()
    assert current.frequency_days in (14, 21)
    assert rows == [(date(2026, 1, 5), 30), (today, current.frequency_days)]
    summaries = [e.summary for e in events(db, "audit_schedule.change")]
    first = 14 if current.frequency_days == 21 else 21
    assert [s.split(": ")[1] for s in summaries] == [
        f"every 30 days → every {first} days",
        f"every {first} days → every {current.frequency_days} days",
    ]
