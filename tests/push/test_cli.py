"""The push and reminder commands: ``careobs push keys``, ``careobs push send``, the key made by
``careobs init``, and ``careobs notify due`` (monitoring visits and actions coming due).

Targeted re-check reminders are tested in tests/actions/test_rechecks.py."""

from __future__ import annotations

import json
import os
import stat
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from careobs.accounts.models import Membership
from careobs.actions.models import Action
from careobs.db import get_session
from careobs.notifications.due import due_summary, remind, visits_due
from careobs.notifications.models import Notification
from careobs.org.models import OrganisationSettings, Service, StaffMember
from careobs.push import keys as vapid
from careobs.push.models import PushSubscription
from tests.support.push import messages
from tests.support.sync import SyncApi
from tests.support.visits import action
from tests.support.web import PASSWORD, Auth

# -- careobs push keys -------------------------------------------------------------------


def key_file(app):
    return vapid.key_path(app.instance_path)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def subscription_count(db) -> int:
    db.expire_all()
    return db.scalar(sa.select(sa.func.count()).select_from(PushSubscription))


def test_push_keys_creates_a_private_key_file(app, runner, client, auth, org):
    result = runner.invoke(args=["push", "keys", "--subject", "mailto:it@acme.test"])

    assert result.exit_code == 0, result.output
    path = key_file(app)
    assert mode(path) == 0o600
    saved = json.loads(path.read_text())
    assert set(saved) == {"private_key", "public_key", "subject"}
    assert saved["subject"] == "mailto:it@acme.test"
    assert saved["public_key"] in result.output
    assert saved["private_key"] not in result.output
    auth.login(org.supervisor)
    assert client.get("/api/v1/push/key").get_json() == {"public_key": saved["public_key"]}


def test_push_keys_again_keeps_the_same_key(app, runner):
    runner.invoke(args=["push", "keys"])
    before = key_file(app).read_text()

    result = runner.invoke(args=["push", "keys"])

    assert result.exit_code == 0, result.output
    assert "already exists" in result.output
    assert key_file(app).read_text() == before


def test_push_keys_refuses_a_subject_push_services_reject(app, runner):
    result = runner.invoke(args=["push", "keys", "--subject", "admin@acme.test"])

    assert result.exit_code != 0
    assert "mailto:" in result.output
    assert not key_file(app).exists()


def test_a_lost_key_is_not_silently_replaced(app, runner, org, subscribe, push_service, db):
    runner.invoke(args=["push", "keys"])
    subscribe(org.supervisor, push_service.subscription("sue"))
    key_file(app).unlink()

    result = runner.invoke(args=["push", "keys"])

    assert result.exit_code != 0
    assert "1 devices subscribed" in result.output
    assert "--force" in result.output
    assert str(key_file(app)) in result.output
    assert not key_file(app).exists()
    assert subscription_count(db) == 1


def test_demo_does_not_replace_a_lost_key_either(app, runner, org, subscribe, push_service, db):
    """``careobs demo`` makes the key when there is none, but not in place of a lost one."""
    runner.invoke(args=["push", "keys"])
    subscribe(org.supervisor, push_service.subscription("sue"))
    key_file(app).unlink()

    result = runner.invoke(args=["demo"])

    assert result.exit_code != 0
    assert "1 devices subscribed" in result.output
    assert "careobs push keys --force" in result.output
    assert str(key_file(app)) in result.output
    assert not key_file(app).exists()
    assert subscription_count(db) == 1


def test_force_starts_again_and_drops_the_old_subscriptions(
    app, runner, org, subscribe, push_service, tell, db
):
    runner.invoke(args=["push", "keys"])
    subscribe(org.supervisor, push_service.subscription("sue"))
    subscribe(org.staff, push_service.subscription("stan"))
    tell(org.supervisor)
    key_file(app).unlink()

    result = runner.invoke(args=["push", "keys", "--force"])

    assert result.exit_code == 0, result.output
    assert "Removed 2 subscriptions" in result.output
    assert mode(key_file(app)) == 0o600
    assert subscription_count(db) == 0
    assert messages(db) == []


def test_force_replaces_an_existing_key(app, runner, org, subscribe, push_service, db):
    runner.invoke(args=["push", "keys"])
    old = vapid.load(app.instance_path)
    subscribe(org.supervisor, push_service.subscription("sue"))

    result = runner.invoke(args=["push", "keys", "--force"])

    assert result.exit_code == 0, result.output
    new = vapid.load(app.instance_path)
    assert new.private_key != old.private_key
    assert new.public_key in result.output
    assert subscription_count(db) == 0


def test_a_replaced_key_file_is_private_whatever_the_old_files_mode(app, runner):
    runner.invoke(args=["push", "keys"])
    os.chmod(key_file(app), 0o644)  # e.g. restored from a backup carelessly

    result = runner.invoke(args=["push", "keys", "--force"])

    assert result.exit_code == 0, result.output
    assert mode(key_file(app)) == 0o600


# -- careobs push send -------------------------------------------------------------------


def test_push_send_without_a_key_fails_clearly(app, runner, org, tell):
    tell(org.supervisor)

    result = runner.invoke(args=["push", "send"])

    assert result.exit_code != 0
    assert "No Web Push key" in result.output
    assert "careobs push keys" in result.output
    assert not key_file(app).exists()  # and none was made behind the admin's back


def test_push_send_reports_what_happened(runner, keys, org, subscribe, push_service, tell):
    subscribe(org.supervisor, push_service.subscription("sue"))
    subscribe(org.staff, push_service.subscription("stan"))
    push_service.respond("stan", 410)
    tell(org.supervisor)
    tell(org.staff)

    result = runner.invoke(args=["push", "send"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "sent 1, retry later 0, failed 0, expired 0, subscriptions removed 1"
    )


# -- careobs init --------------------------------------------------------------------------


STRONG = "a long and strong passphrase 42"
INIT = [
    "init",
    "--organisation",
    "Hillside Care",
    "--admin-email",
    "boss@hillside.test",
    "--admin-name",
    "Bea Boss",
    "--admin-password",
    STRONG,
]


def test_init_creates_the_push_key(app, runner, client):
    result = runner.invoke(args=INIT)

    assert result.exit_code == 0, result.output
    keys = vapid.load(app.instance_path)
    assert keys is not None
    assert keys.subject == "mailto:boss@hillside.test"
    assert mode(key_file(app)) == 0o600
    assert "Back it up" in result.output
    logged_in = client.post("/login", data={"email": "boss@hillside.test", "password": STRONG})
    assert logged_in.status_code == 302
    assert client.get("/api/v1/push/key").get_json() == {"public_key": keys.public_key}


def test_init_keeps_an_existing_key(app, runner):
    existing = vapid.generate("mailto:it@hillside.test")
    vapid.save(app.instance_path, existing)

    result = runner.invoke(args=INIT)

    assert result.exit_code == 0, result.output
    assert vapid.load(app.instance_path) == existing


# -- careobs notify due: monitoring visits -------------------------------------------------


def message_notice(db, message) -> Notification:
    """The notice a queued push is about."""
    return db.get(Notification, message.notification_id)


def notices(db, user=None, kind=None) -> list[Notification]:
    db.expire_all()
    stmt = sa.select(Notification).order_by(Notification.id)
    if user is not None:
        stmt = stmt.where(Notification.user_id == user.id)
    if kind is not None:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.scalars(stmt))


def reminders(db, user=None) -> list[Notification]:
    """Action reminders only (not the notice sent when an action is assigned)."""
    return [
        n
        for n in notices(db, user, "action_due")
        if n.dedupe_key.startswith(("action-due-", "action-overdue-"))
    ]


def run_remind(app, today: date) -> dict[str, int]:
    with app.app_context():
        sent = remind(get_session(), today)
        get_session().commit()
    return sent


def due_in(app, service, today: date) -> list[tuple[str, date, bool, str]]:
    with app.app_context():
        db = get_session()
        return [
            (d.staff.name, d.due_on, d.overdue, d.reason)
            for d in visits_due(db, db.get(Service, service.id), today)
        ]


def set_active(db, member: StaffMember, active: bool) -> None:
    db.get(StaffMember, member.id).active = active
    db.commit()


def test_notify_due_reminds_supervisors_and_managers_of_homecare_once_a_day(
    runner, org, homecare_manager, subscribe, push_service, keys, db
):
    subscribe(org.supervisor, push_service.subscription("sue"))
    # Hal Homecare started on 6 January 2025 and was never checked: overdue.

    first = runner.invoke(args=["notify", "due"])
    second = runner.invoke(args=["notify", "due"])

    assert first.exit_code == 0, first.output
    assert "visits due reminders 2," in first.output
    assert "visits due reminders 0," in second.output
    for user in (org.supervisor, homecare_manager):
        [notice] = notices(db, user)
        assert notice.kind == "visits_due"
        assert notice.title == "Monitoring visits due"
        assert notice.link == f"/visits/?service={org.homecare.uuid.hex}"
        assert notice.body == "1 care worker due a monitoring visit this week (1 overdue)."
    for user in (org.manager, org.staff, org.admin, org.outsider):  # care home or no service
        assert notices(db, user) == []
    # The push is queued for cron's ``push send``; nothing is sent from here.
    [message] = messages(db)
    assert message.status == "pending"
    assert message.payload == {
        "title": "Monitoring visits due",
        "url": f"/notifications/{message_notice(db, message).uuid}",
        "tag": "visits_due",
    }
    assert message_notice(db, message).user_id in (org.supervisor.id, homecare_manager.id)
    assert push_service.received == []


def test_one_reminder_per_service_per_day(app, data, org, db):
    north = Service(organisation_id=org.org.id, name="Acme North Homecare", kind="homecare")
    db.add(north)
    db.flush()
    db.add(
        StaffMember(
            organisation_id=org.org.id,
            service_id=north.id,
            name="Noor North",
            job_role="Care worker",
        )
    )
    db.add(
        Membership(
            organisation_id=org.org.id,
            user_id=org.supervisor.id,
            service_id=north.id,
            role="supervisor",
        )
    )
    db.commit()
    today = date(2026, 11, 27)

    assert run_remind(app, today)["visits_due"] == 2
    assert run_remind(app, today)["visits_due"] == 0
    assert run_remind(app, today + timedelta(days=1))["visits_due"] == 2

    links = [n.link for n in notices(db, org.supervisor, "visits_due")]
    assert sorted(set(links)) == sorted(
        {f"/visits/?service={org.homecare.uuid.hex}", f"/visits/?service={north.uuid.hex}"}
    )
    assert len(links) == 4


def test_nobody_is_reminded_when_nobody_is_due(app, org, db):
    set_active(db, org.staff_members["Hal Homecare"], False)

    assert run_remind(app, date(2026, 11, 27)) == {
        "visits_due": 0,
        "action_due": 0,
        "recheck_due": 0,
        "audits_due": 0,
    }
    assert notices(db) == []


def supervisor_sync(app, org) -> SyncApi:
    client = app.test_client()
    Auth(client).login(org.supervisor, PASSWORD)
    return SyncApi(client)


def test_after_a_red_visit_the_worker_is_due_on_the_recheck_date(
    app, org, checklist, visit_doc, db
):
    # Visited on 20 November 2026 with a critical item not met: red, re-check in 28 days.
    red = visit_doc(ratings={checklist.critical[0]: "not_met"})
    assert supervisor_sync(app, org)(red)[0]["status"] == "created"
    recheck = date(2026, 11, 20) + timedelta(days=28)

    assert due_in(app, org.homecare, recheck - timedelta(days=8)) == []
    assert due_in(app, org.homecare, recheck - timedelta(days=7)) == [
        ("Hal Homecare", recheck, False, "re-check after red")
    ]
    assert due_in(app, org.homecare, recheck + timedelta(days=1)) == [
        ("Hal Homecare", recheck, True, "re-check after red")
    ]
    assert run_remind(app, recheck - timedelta(days=8))["visits_due"] == 0
    assert run_remind(app, recheck - timedelta(days=7))["visits_due"] == 1
    [notice] = notices(db, org.supervisor, "visits_due")
    assert notice.body == (
        "1 care worker due a monitoring visit this week (0 overdue, 1 re-check after red)."
    )


def test_after_a_green_visit_the_worker_is_not_due_for_months(app, org, visit_doc, db):
    assert supervisor_sync(app, org)(visit_doc())[0]["status"] == "created"
    next_check = date(2026, 11, 20) + timedelta(days=90)

    assert run_remind(app, date(2026, 12, 18))["visits_due"] == 0
    assert due_in(app, org.homecare, next_check) == [
        ("Hal Homecare", next_check, False, "regular interval")
    ]


def test_the_latest_visit_decides(app, org, checklist, visit_doc):
    sync = supervisor_sync(app, org)
    red = visit_doc(ratings={checklist.critical[0]: "not_met"})
    later = visit_doc(
        planned_at="2026-11-25T09:00:00+00:00",
        arrived_at="2026-11-25T09:02:00+00:00",
        left_at="2026-11-25T09:32:00+00:00",
    )
    assert [r["status"] for r in sync(red, later)] == ["created", "created"]

    assert due_in(app, org.homecare, date(2026, 12, 18)) == []


def test_a_new_starter_never_checked_is_due_after_the_new_starter_days(app, data, org, db):
    set_active(db, org.staff_members["Hal Homecare"], False)
    start = date(2026, 11, 2)
    db.add(
        StaffMember(
            organisation_id=org.org.id,
            service_id=org.homecare.id,
            name="Nia New",
            job_role="Care worker",
            start_date=start,
        )
    )
    db.commit()
    due = start + timedelta(days=28)  # the default new_starter_days

    assert due_in(app, org.homecare, due - timedelta(days=8)) == []
    assert due_in(app, org.homecare, due - timedelta(days=7)) == [
        ("Nia New", due, False, "first check (new starter)")
    ]
    assert run_remind(app, due - timedelta(days=8))["visits_due"] == 0
    assert run_remind(app, due - timedelta(days=7))["visits_due"] == 1

    db.add(OrganisationSettings(organisation_id=org.org.id, new_starter_days=14))
    db.commit()
    assert due_in(app, org.homecare, due - timedelta(days=7)) == [
        ("Nia New", start + timedelta(days=14), True, "first check (new starter)")
    ]


def test_a_worker_without_a_start_date_never_checked_is_due_now(app, org, db):
    set_active(db, org.staff_members["Hal Homecare"], False)
    db.add(
        StaffMember(
            organisation_id=org.org.id,
            service_id=org.homecare.id,
            name="Una Undated",
            job_role="Care worker",
        )
    )
    db.commit()
    today = date(2026, 11, 27)

    assert due_in(app, org.homecare, today) == [
        ("Una Undated", today, False, "never checked (no start date)")
    ]
    # Not "0 overdue" alone: coverage lists a worker never checked as urgent as an overdue one.
    with app.app_context():
        db = get_session()
        found = visits_due(db, db.get(Service, org.homecare.id), today)
    assert due_summary(found) == (
        "1 care worker due a monitoring visit this week (0 overdue, 1 never checked)."
    )


# -- careobs notify due: actions -----------------------------------------------------------


@pytest.fixture
def no_login(org, db):
    member = StaffMember(
        organisation_id=org.org.id,
        service_id=org.homecare.id,
        name="Nell Nologin",
        job_role="Care worker",
        start_date=date.today(),
    )
    db.add(member)
    db.commit()
    return member


def test_action_owners_with_a_login_are_reminded_once(
    app, runner, org, hal_user, no_login, visit_doc, db
):
    soon = (date.today() + timedelta(days=2)).isoformat()
    later = (date.today() + timedelta(days=10)).isoformat()
    document = visit_doc(
        actions=[
            action(org.staff_members["Hal Homecare"], due_on=soon),
            action(org.supervisor, due_on=soon),
            action(no_login, due_on=soon),
            action(None, due_on=soon),
            action(org.manager, due_on=later),
        ],
        release_feedback=True,  # Hal sees the visit's actions once its feedback is released
    )
    assert supervisor_sync(app, org)(document)[0]["status"] == "created"

    first = runner.invoke(args=["notify", "due"])
    second = runner.invoke(args=["notify", "due"])

    assert first.exit_code == 0, first.output
    assert "action reminders 2" in first.output
    assert "action reminders 0" in second.output
    actions = {
        a.owner_user_id or a.owner_staff.user_id: a
        for a in db.scalars(sa.select(Action).where(Action.due_on == date.fromisoformat(soon)))
        if a.owner_user_id or (a.owner_staff and a.owner_staff.user_id)
    }
    for user in (hal_user, org.supervisor):
        [notice] = reminders(db, user)
        assert notice.title == "Action due"
        assert notice.link == f"/actions/{actions[user.id].uuid}"
    assert reminders(db, org.manager) == []
    assert len(reminders(db)) == 2


def test_actions_are_reminded_from_three_days_before_until_a_day_after(app, org, visit_doc, db):
    base = date(2026, 12, 10)
    document = visit_doc(
        actions=[
            action(org.supervisor, due_on=(base + timedelta(days=offset)).isoformat())
            for offset in (-2, -1, 0, 3, 4)
        ]
    )
    assert supervisor_sync(app, org)(document)[0]["status"] == "created"
    set_active(db, org.staff_members["Hal Homecare"], False)

    # Due within three days (0, +3), or overdue (-2, -1): one reminder each.
    assert run_remind(app, base)["action_due"] == 4
    assert run_remind(app, base)["action_due"] == 0
    # The next day the +4 one comes due and the 0 one is overdue: one more reminder each.
    assert run_remind(app, base + timedelta(days=1))["action_due"] == 2
    assert len(reminders(db, org.supervisor)) == 6


def test_done_and_cancelled_actions_are_not_reminded(app, org, visit_doc, db):
    document = visit_doc(actions=[action(org.supervisor, due_on="2026-12-10")])
    assert supervisor_sync(app, org)(document)[0]["status"] == "created"
    set_active(db, org.staff_members["Hal Homecare"], False)
    db.execute(sa.update(Action).values(status="done"))
    db.commit()

    assert run_remind(app, date(2026, 12, 11))["action_due"] == 0
