"""Delivering queued pushes with ``send_due`` to a real (loopback) push service: what arrives,
what it may contain, and what happens on every kind of answer a push service can give."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.db import utcnow
from careobs.feedback.models import Feedback
from careobs.notifications.models import Notification
from careobs.push.delivery import GIVE_UP_AFTER_FAILURES, MAX_ATTEMPTS, TTL_SECONDS, send_due
from careobs.push.models import PushMessage, PushSubscription
from careobs.visits.models import MonitoringVisit
from tests.support.database import stored
from tests.support.push import about, messages, subscription_row, supervisor_sync, via_notice


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- delivery -------------------------------------------------------------------------------


def test_a_notification_is_delivered_encrypted_and_signed(
    push_service, keys, org, subscribe, tell, deliver, db
):
    subscribe(org.supervisor, push_service.subscription("sue"))
    tell(org.supervisor, "feedback_acknowledged", "/feedback/0b7e1a2c")

    report = deliver()

    assert (report.sent, report.retry, report.failed) == (1, 0, 0)
    [push] = push_service.to("sue")
    assert via_notice(db, [push.payload]) == [
        {
            "title": "Feedback acknowledged",
            "url": "/feedback/0b7e1a2c",
            "tag": "feedback_acknowledged",
        }
    ]
    assert push.vapid_public_key == keys.public_key
    assert push.claims["aud"] == push_service.origin
    assert push.claims["sub"] == keys.subject
    assert push.headers["Content-Encoding"] == "aes128gcm"
    assert push.headers["Urgency"] == "normal"
    assert push.body != push.plaintext
    [message] = messages(db)
    assert message.status == "sent"
    assert message.attempts == 1
    assert about(message.sent_at, utcnow(), timedelta(seconds=30))
    row = subscription_row(db, push_service.endpoint("sue"))
    assert row.last_success_at == message.sent_at
    assert row.failure_count == 0


def test_the_ttl_is_a_day(push_service, keys, org, subscribe, tell, deliver):
    subscribe(org.supervisor, push_service.subscription("sue"))
    tell(org.supervisor)

    deliver()

    [push] = push_service.to("sue")
    assert push.ttl == TTL_SECONDS == 86400
    assert push.headers["TTL"] == "86400"


def test_every_device_of_the_user_gets_it_and_nobody_else(
    push_service, keys, org, subscribe, tell, deliver, db
):
    subscribe(org.supervisor, push_service.subscription("sue-phone"))
    subscribe(org.supervisor, push_service.subscription("sue-laptop"))
    subscribe(org.manager, push_service.subscription("mo"))
    tell(org.supervisor, "visits_due", "/visits/")

    assert deliver().sent == 2

    expected = [{"title": "Monitoring visits due", "url": "/visits/", "tag": "visits_due"}]
    assert via_notice(db, push_service.delivered("sue-phone")) == expected
    assert via_notice(db, push_service.delivered("sue-laptop")) == expected
    assert push_service.delivered("sue-phone") == push_service.delivered("sue-laptop")
    assert push_service.to("mo") == []


def test_the_payload_carries_no_personal_data(
    push_service, keys, org, subscribe, tell, deliver, db
):
    hal = org.staff_members["Hal Homecare"]
    subscribe(org.supervisor, push_service.subscription("sue"))
    tell(
        org.supervisor,
        "safeguarding",
        "/visits/5f0c",
        body=f"{hal.name} at H01: {org.supervisor.display_name} <{org.supervisor.email}>",
    )

    deliver()

    [push] = push_service.to("sue")
    assert set(push.payload) == {"title", "url", "tag"}
    assert via_notice(db, [push.payload]) == [
        {
            "title": "Possible safeguarding concern",
            "url": "/visits/5f0c",
            "tag": "safeguarding",
        }
    ]
    for personal in (
        "Hal",
        "Homecare",
        "H01",
        "Sue",
        "Supervisor",
        org.supervisor.email,
        "acme.test",
        "@",
    ):
        assert personal.encode() not in push.plaintext, personal


def test_the_push_send_command_delivers(push_service, keys, org, subscribe, tell, runner, db):
    subscribe(org.supervisor, push_service.subscription("sue"))
    tell(org.supervisor, "feedback_replied", "/feedback/77")

    result = runner.invoke(args=["push", "send"])

    assert result.exit_code == 0, result.output
    assert "sent 1," in result.output
    assert via_notice(db, push_service.delivered("sue")) == [
        {"title": "Reply to your feedback", "url": "/feedback/77", "tag": "feedback_replied"}
    ]


def test_running_twice_sends_nothing_twice(push_service, keys, org, subscribe, tell, deliver, db):
    subscribe(org.supervisor, push_service.subscription("sue"))
    tell(org.supervisor, link="/feedback/1")
    tell(org.supervisor, link="/feedback/2")

    assert deliver().sent == 2
    assert deliver().sent == 0

    assert [p["url"] for p in via_notice(db, push_service.delivered("sue"))] == [
        "/feedback/1",
        "/feedback/2",
    ]
    assert [m.status for m in messages(db)] == ["sent", "sent"]


def test_two_senders_at_once_send_each_message_once(
    app, push_service, keys, org, subscribe, tell, db
):
    subscribe(org.supervisor, push_service.subscription("sue"))
    for n in range(6):
        tell(org.supervisor, link=f"/feedback/{n}")
    sessions = [app.extensions["careobs.sessionmaker"]() for _ in range(2)]
    reports, errors = [], []

    def run(session):
        try:
            with app.app_context():  # as cron and the background thread run it
                reports.append(send_due(session, keys))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            session.close()

    threads = [threading.Thread(target=run, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(r.sent for r in reports) == 6
    urls = [p["url"] for p in via_notice(db, push_service.delivered("sue"))]
    assert sorted(urls) == [f"/feedback/{n}" for n in range(6)]
    assert {m.status for m in messages(db)} == {"sent"}


# -- gone subscriptions --------------------------------------------------------------------


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_subscription_is_removed_with_its_messages(
    status, push_service, keys, org, subscribe, tell, deliver, db
):
    subscribe(org.supervisor, push_service.subscription("old-phone"))
    subscribe(org.supervisor, push_service.subscription("new-phone"))
    tell(org.supervisor, link="/feedback/1")
    assert deliver().sent == 2
    push_service.respond("old-phone", status)
    tell(org.supervisor, link="/feedback/2")
    tell(org.supervisor, link="/feedback/3")

    report = deliver()

    assert report.removed_subscriptions == 1
    assert len(push_service.to("old-phone")) == 2  # one success, then one "gone"; no more
    assert subscription_row(db, push_service.endpoint("old-phone")) is None
    new_phone = subscription_row(db, push_service.endpoint("new-phone"))
    assert new_phone is not None
    remaining = messages(db)
    assert {m.subscription_id for m in remaining} == {new_phone.id}
    assert [m.status for m in remaining] == ["sent", "sent", "sent"]
    assert [p["url"] for p in via_notice(db, push_service.delivered("new-phone"))] == [
        "/feedback/1",
        "/feedback/2",
        "/feedback/3",
    ]
    # The in-app notifications stay; later ones queue nothing for the removed device.
    assert db.scalar(sa.select(sa.func.count()).select_from(Notification)) == 3
    tell(org.supervisor, link="/feedback/4")
    assert len(messages(db, PushMessage.status == "pending")) == 1


# -- backoff -------------------------------------------------------------------------------


def test_429_waits_as_long_as_retry_after_says(
    push_service, keys, org, subscribe, tell, deliver, db
):
    subscribe(org.supervisor, push_service.subscription("sue"))
    push_service.respond("sue", 429, {"Retry-After": "120"})
    tell(org.supervisor)

    report = deliver()

    assert (report.sent, report.retry, report.failed) == (0, 1, 0)
    [message] = messages(db)
    assert message.status == "pending"
    assert message.attempts == 1
    assert message.last_error.startswith("429")
    assert about(message.next_attempt_at, utcnow() + timedelta(seconds=120))
    assert subscription_row(db, push_service.endpoint("sue")).failure_count == 0

    assert deliver().retry == 0  # not due yet: the service is not asked again
    assert len(push_service.to("sue")) == 1

    push_service.respond("sue", 201)
    assert deliver(now=message.next_attempt_at + timedelta(seconds=1)).sent == 1
    [message] = messages(db)
    assert (message.status, message.attempts) == ("sent", 2)
    assert len(push_service.delivered("sue")) == 1


def test_429_without_retry_after_backs_off_exponentially(
    push_service, keys, org, subscribe, tell, deliver, db
):
    subscribe(org.supervisor, push_service.subscription("sue"))
    push_service.respond("sue", 429)
    tell(org.supervisor)

    deliver()

    [message] = messages(db)
    assert message.status == "pending"
    assert about(message.next_attempt_at, utcnow() + timedelta(minutes=1))


def test_500_retries_with_exponential_backoff_then_fails(
    push_service, keys, org, subscribe, tell, deliver, db
):
    subscribe(org.supervisor, push_service.subscription("sue"))
    push_service.respond("sue", 500)
    tell(org.supervisor)

    now = None
    for attempt in range(1, MAX_ATTEMPTS):
        report = deliver(now=now)
        assert report.retry == 1, attempt
        [message] = messages(db)
        assert (message.status, message.attempts) == ("pending", attempt)
        assert message.last_error.startswith("500")
        sent_at = now or utcnow()  # the backoff counts from the sender's clock
        assert about(message.next_attempt_at, sent_at + timedelta(minutes=2 ** (attempt - 1)))
        assert deliver(now=message.next_attempt_at - timedelta(seconds=10)).retry == 0
        now = message.next_attempt_at + timedelta(seconds=1)

    report = deliver(now=now)

    assert (report.retry, report.failed) == (0, 1)
    [message] = messages(db)
    assert (message.status, message.attempts) == ("failed", MAX_ATTEMPTS)
    assert len(push_service.to("sue")) == MAX_ATTEMPTS
    assert deliver(now=now + timedelta(hours=5)).failed == 0  # given up: never sent again
    assert len(push_service.to("sue")) == MAX_ATTEMPTS
    # A struggling push service is no reason to drop the device.
    assert subscription_row(db, push_service.endpoint("sue")).failure_count == 0


def test_a_network_error_is_retried_later(push_service, keys, org, subscribe, tell, deliver, db):
    unreachable = {
        **push_service.subscription("unused"),
        "endpoint": f"http://127.0.0.1:{closed_port()}/push/sue",
    }
    subscribe(org.supervisor, unreachable)
    tell(org.supervisor)

    report = deliver()

    assert (report.sent, report.retry, report.failed) == (0, 1, 0)
    [message] = messages(db)
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.last_error.startswith("network")
    assert about(message.next_attempt_at, utcnow() + timedelta(minutes=1))
    assert subscription_row(db, unreachable["endpoint"]) is not None


# -- pushes that can never be accepted ---------------------------------------------------


@pytest.mark.parametrize("status", [400, 413])
def test_a_refused_push_fails_and_three_refusals_remove_the_device(
    status, push_service, keys, org, subscribe, tell, deliver, db
):
    subscribe(org.supervisor, push_service.subscription("sue"))
    push_service.respond("sue", status)
    endpoint = push_service.endpoint("sue")

    for failures in range(1, GIVE_UP_AFTER_FAILURES):
        tell(org.supervisor, link=f"/feedback/{failures}")
        report = deliver()
        assert (report.failed, report.retry, report.removed_subscriptions) == (1, 0, 0)
        assert report.errors and report.errors[0].startswith(str(status))
        assert messages(db)[-1].status == "failed"
        assert subscription_row(db, endpoint).failure_count == failures
        assert deliver().failed == 0  # a failed message is not tried again

    tell(org.supervisor, link="/feedback/last")
    report = deliver()

    assert report.removed_subscriptions == 1
    assert subscription_row(db, endpoint) is None
    assert messages(db) == []
    assert len(push_service.to("sue")) == GIVE_UP_AFTER_FAILURES


def test_a_success_forgives_earlier_refusals(push_service, keys, org, subscribe, tell, deliver, db):
    subscribe(org.supervisor, push_service.subscription("sue"))
    push_service.respond("sue", 400)
    tell(org.supervisor)
    tell(org.supervisor)
    deliver()
    assert subscription_row(db, push_service.endpoint("sue")).failure_count == 2

    push_service.respond("sue", 201)
    tell(org.supervisor)
    deliver()

    assert subscription_row(db, push_service.endpoint("sue")).failure_count == 0


# -- expiry --------------------------------------------------------------------------------


def test_a_message_older_than_a_day_expires_unsent(
    push_service, keys, org, subscribe, tell, deliver, db
):
    subscribe(org.supervisor, push_service.subscription("sue"))
    tell(org.supervisor, link="/feedback/stale")
    tell(org.supervisor, link="/feedback/fresh")
    stale, fresh = messages(db)
    db.execute(
        sa.update(PushMessage)
        .where(PushMessage.id == stale.id)
        .values(created_at=utcnow() - timedelta(hours=24, minutes=1))
    )
    db.execute(
        sa.update(PushMessage)
        .where(PushMessage.id == fresh.id)
        .values(created_at=utcnow() - timedelta(hours=23, minutes=50))
    )
    db.commit()

    report = deliver()

    assert (report.expired, report.sent) == (1, 1)
    stale, fresh = messages(db)
    assert (stale.status, stale.attempts, stale.sent_at) == ("expired", 0, None)
    assert fresh.status == "sent"
    assert [p["url"] for p in via_notice(db, push_service.delivered("sue"))] == ["/feedback/fresh"]
    assert deliver().expired == 0


def test_a_message_retried_past_a_day_expires(
    push_service, keys, org, subscribe, tell, deliver, db
):
    subscribe(org.supervisor, push_service.subscription("sue"))
    push_service.respond("sue", 503)
    tell(org.supervisor)
    deliver()
    push_service.respond("sue", 201)

    report = deliver(now=utcnow() + timedelta(hours=25))

    assert (report.expired, report.sent) == (1, 0)
    [message] = messages(db)
    assert (message.status, message.attempts) == ("expired", 1)
    assert push_service.delivered("sue") == []


# -- never inside the request --------------------------------------------------------------


def test_releasing_feedback_queues_the_push_without_sending_it(
    app, push_service, keys, org, hal_user, subscribe, visit_doc, deliver, db
):
    subscribe(hal_user, push_service.subscription("hal"))
    document = visit_doc(release_feedback=True)

    assert supervisor_sync(app, org)(document)[0]["status"] == "created"

    visit = stored(db, MonitoringVisit, document)
    feedback = db.scalar(sa.select(Feedback).where(Feedback.staff_id == visit.staff_id))
    assert feedback.status == "released"
    [message] = messages(db)
    assert (message.status, message.attempts) == ("pending", 0)
    assert push_service.received == []

    assert deliver().sent == 1

    [push] = push_service.to("hal")
    assert via_notice(db, [push.payload]) == [
        {
            "title": "New feedback",
            "url": f"/feedback/{feedback.uuid}",
            "tag": "feedback_released",
        }
    ]
    for personal in ("Hal", "Homecare", "H01", "hal@acme.test", "Sue", "Supervisor", "Acme"):
        assert personal.encode() not in push.plaintext, personal


def test_a_critical_item_not_met_alerts_managers_after_the_request(
    app, push_service, keys, org, homecare_manager, subscribe, visit_doc, checklist, deliver, db
):
    subscribe(homecare_manager, push_service.subscription("mina"))
    subscribe(org.manager, push_service.subscription("mo"))  # manages the care home only
    document = visit_doc(ratings={checklist.critical[0]: "not_met"})

    assert supervisor_sync(app, org)(document)[0]["status"] == "created"

    [message] = messages(db)
    assert message.status == "pending"
    assert push_service.received == []
    assert deliver().sent == 1
    assert via_notice(db, push_service.delivered("mina")) == [
        {
            "title": "Possible safeguarding concern",
            "url": f"/visits/{uuid.UUID(document['id'])}",
            "tag": "safeguarding",
        }
    ]
    assert push_service.to("mo") == []


def test_with_the_delivery_thread_on_it_is_sent_after_the_response(
    app, push_service, keys, org, homecare_manager, subscribe, visit_doc, checklist, db
):
    subscribe(homecare_manager, push_service.subscription("mina"))
    app.config["PUSH_DELIVERY_THREAD"] = True
    document = visit_doc(ratings={checklist.critical[0]: "not_met"})
    sync = supervisor_sync(app, org)

    response = sync.post(document)
    assert response.status_code == 200
    response.close()  # what the WSGI server does once the response has gone

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not push_service.received:
        time.sleep(0.02)
    for thread in threading.enumerate():
        if thread.name == "careobs-push":
            thread.join(timeout=10)
    assert [p["tag"] for p in push_service.delivered("mina")] == ["safeguarding"]
    assert [m.status for m in messages(db)] == ["sent"]


def test_a_browser_that_changes_hands_does_not_get_the_last_users_pushes(
    push_service, keys, org, subscribe, tell, deliver, db
):
    shared_phone = push_service.subscription("shared")
    subscribe(org.supervisor, shared_phone)
    tell(org.supervisor, "safeguarding", "/visits/for-sue")

    subscribe(org.staff, shared_phone, expected=(200,))  # Stan logs in on the same phone
    tell(org.staff, "feedback_released", "/feedback/for-stan")
    deliver()

    assert [p["url"] for p in via_notice(db, push_service.delivered("shared"))] == [
        "/feedback/for-stan"
    ]
    row = subscription_row(db, shared_phone["endpoint"])
    assert row.user_id == org.staff.id
    assert db.scalar(sa.select(sa.func.count()).select_from(Notification)) == 2


def test_an_inactive_user_is_not_notified(push_service, keys, org, subscribe, tell, deliver, db):
    subscribe(org.supervisor, push_service.subscription("sue"))
    db.get(User, org.supervisor.id).active = False
    db.commit()

    assert tell(org.supervisor) is None
    assert deliver().sent == 0
    assert push_service.received == []
    assert db.scalar(sa.select(sa.func.count()).select_from(PushSubscription)) == 1
