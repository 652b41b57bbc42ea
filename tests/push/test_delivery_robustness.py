"""What must never stop or stall the push queue: a replaced VAPID key, a subscription pywebpush
cannot encrypt to, a sender that died mid-send, and a push service that never answers."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from careobs.db import utcnow
from careobs.push import delivery
from careobs.push import keys as vapid
from careobs.push.delivery import (
    GIVE_UP_AFTER_FAILURES,
    MAX_ATTEMPTS,
    STUCK_AFTER,
    send_due,
)
from careobs.push.models import PushMessage, PushSubscription
from tests.support.push import (
    SUBSCRIPTIONS_URL,
    about,
    messages,
    subscription_row,
    supervisor_sync,
    via_notice,
)

# -- a replaced VAPID key ----------------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403])
def test_a_push_service_refusing_the_key_removes_the_subscription_after_three(
    status, push_service, keys, org, subscribe, tell, deliver, db
):
    push_service.respond("sue", status)
    subscription = push_service.subscription("sue")
    client = subscribe(org.supervisor, subscription)
    endpoint = subscription["endpoint"]

    for failures in range(1, GIVE_UP_AFTER_FAILURES):
        tell(org.supervisor)
        report = deliver()
        assert (report.failed, report.retry, report.removed_subscriptions) == (1, 0, 0)
        assert report.errors[0].startswith(str(status))
        assert subscription_row(db, endpoint).failure_count == failures
        # The device opens the app and sends the same subscription again: still refused.
        assert client.post(SUBSCRIPTIONS_URL, json=subscription).status_code == 200
        assert subscription_row(db, endpoint).failure_count == failures

    tell(org.supervisor)
    report = deliver()

    assert report.removed_subscriptions == 1
    assert subscription_row(db, endpoint) is None


def test_after_the_key_is_replaced_old_subscriptions_are_refused_and_removed(
    app, push_service, keys, org, subscribe, tell, db
):
    """A subscription made with the old key, sent again by the device after ``push keys
    --force``: the push service answers 403 to the new key until careobs drops it."""
    old = push_service.subscription("old-key", server_key=keys.public_key)
    client = subscribe(org.supervisor, old)
    new_keys = vapid.generate(keys.subject)
    vapid.save(app.instance_path, new_keys)
    fresh = push_service.subscription("new-key", server_key=new_keys.public_key)
    client.post(SUBSCRIPTIONS_URL, json=fresh)

    for _ in range(GIVE_UP_AFTER_FAILURES):
        client.post(SUBSCRIPTIONS_URL, json=old)  # every app start of the stale device
        tell(org.supervisor)
        with app.app_context():
            send_due(db, new_keys)

    db.expire_all()
    rows = db.scalars(sa.select(PushSubscription.endpoint)).all()
    assert rows == [fresh["endpoint"]]
    assert [r.status for r in push_service.to("old-key")] == [403] * GIVE_UP_AFTER_FAILURES
    assert len(push_service.delivered("new-key")) == GIVE_UP_AFTER_FAILURES


# -- a subscription pywebpush cannot encrypt to ---------------------------------------------


def stored_without_checks(db, user, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """A row as an older careobs stored it, before the keys were checked."""
    row = PushSubscription(user_id=user.id, endpoint=endpoint, p256dh=p256dh, auth=auth)
    db.add(row)
    db.commit()
    return row


def test_a_broken_subscription_fails_alone_and_the_queue_goes_on(
    push_service, keys, org, subscribe, tell, deliver, db, caplog
):
    stored_without_checks(
        db, org.supervisor, "https://push.example.test/broken", "A" * 87, "a" * 22
    )
    subscribe(org.supervisor, push_service.subscription("sue"))
    tell(org.supervisor, link="/feedback/1")
    tell(org.supervisor, link="/feedback/2")

    report = deliver()

    assert (report.sent, report.failed) == (2, 2)
    assert [p["url"] for p in via_notice(db, push_service.delivered("sue"))] == [
        "/feedback/1",
        "/feedback/2",
    ]
    broken = subscription_row(db, "https://push.example.test/broken")
    statuses = {m.subscription_id: set() for m in messages(db)}
    for message in messages(db):
        statuses[message.subscription_id].add(message.status)
    assert statuses[broken.id] == {"failed"}
    assert "sending" not in {m.status for m in messages(db)}
    assert all(m.last_error.startswith("error: ") for m in messages(db) if m.status == "failed")
    assert broken.failure_count == 2
    assert "could not be sent" in caplog.text

    tell(org.supervisor, link="/feedback/3")
    report = deliver()

    assert (report.sent, report.failed, report.removed_subscriptions) == (1, 1, 1)
    assert subscription_row(db, "https://push.example.test/broken") is None


# -- a sender that died mid-send -------------------------------------------------------------


def left_sending(db, message_id: int, claimed_ago: timedelta, attempts: int = 1) -> None:
    """As a sender leaves a message it claimed ``claimed_ago`` and then died."""
    db.execute(
        sa.update(PushMessage)
        .where(PushMessage.id == message_id)
        .values(
            status="sending",
            attempts=attempts,
            next_attempt_at=utcnow() - claimed_ago + STUCK_AFTER,
        )
    )
    db.commit()


def test_a_message_stuck_in_sending_is_sent_again(
    push_service, keys, org, subscribe, tell, deliver, db
):
    subscribe(org.supervisor, push_service.subscription("sue"))
    tell(org.supervisor, link="/feedback/stuck")
    tell(org.supervisor, link="/feedback/in-flight")
    tell(org.supervisor, link="/feedback/hopeless")
    stuck, in_flight, hopeless = messages(db)
    left_sending(db, stuck.id, STUCK_AFTER + timedelta(minutes=1))
    left_sending(db, in_flight.id, timedelta(seconds=30))  # another sender is on it now
    left_sending(db, hopeless.id, STUCK_AFTER + timedelta(minutes=1), attempts=MAX_ATTEMPTS)

    report = deliver()

    assert report.sent == 1
    assert [p["url"] for p in via_notice(db, push_service.delivered("sue"))] == ["/feedback/stuck"]
    stuck, in_flight, hopeless = messages(db)
    assert (stuck.status, stuck.attempts) == ("sent", 2)
    assert in_flight.status == "sending"
    assert (hopeless.status, hopeless.last_error) == ("failed", "stuck while sending")

    # Once it has been "sending" too long, it is sent too.
    report = deliver(now=utcnow() + STUCK_AFTER)
    assert report.sent == 1
    assert messages(db)[1].status == "sent"


def test_a_message_claimed_late_in_a_long_run_is_not_taken_by_another_sender(
    app, push_service, keys, org, subscribe, tell, deliver, db, monkeypatch
):
    """A run of 500 messages with a 10 s timeout each can outlast STUCK_AFTER: a message it
    claims late must still count as freshly claimed, or cron would send it a second time."""
    subscribe(org.supervisor, push_service.subscription("sue"))
    tell(org.supervisor, link="/feedback/late")
    (message,) = messages(db)
    run_started = utcnow() - STUCK_AFTER - timedelta(minutes=1)
    db.execute(
        sa.update(PushMessage)
        .where(PushMessage.id == message.id)
        .values(next_attempt_at=run_started - timedelta(minutes=1))  # due when the run began
    )
    db.commit()
    other_sender = []
    send_one = delivery.send_one

    def send_while_cron_runs(*args, **kwargs):
        """Cron starts a second sender while this run is sending the message."""
        if not other_sender:
            other_sender.append(send_due(db, keys))
            [sending] = messages(db)
            assert sending.status == "sending"
        return send_one(*args, **kwargs)

    monkeypatch.setattr(delivery, "send_one", send_while_cron_runs)

    report = deliver(now=run_started)

    assert report.sent == 1
    assert [r.sent for r in other_sender] == [0]
    assert [p["url"] for p in via_notice(db, push_service.delivered("sue"))] == ["/feedback/late"]
    [sent] = messages(db)
    assert (sent.status, sent.attempts) == ("sent", 1)


# -- a push service that never answers -------------------------------------------------------


def test_a_push_service_that_hangs_times_out_and_is_retried(
    app, push_service, keys, org, subscribe, tell, db
):
    subscribe(org.supervisor, push_service.subscription("slow"))
    subscribe(org.supervisor, push_service.subscription("sue"))
    push_service.hang("slow")
    tell(org.supervisor, link="/feedback/1")

    started = time.monotonic()
    with app.app_context():
        report = send_due(db, keys, timeout=0.5)
    took = time.monotonic() - started

    assert took < 5, took
    assert (report.sent, report.retry) == (1, 1)
    slow = subscription_row(db, push_service.endpoint("slow"))
    [waiting] = messages(db, PushMessage.subscription_id == slow.id)
    assert (waiting.status, waiting.attempts) == ("pending", 1)
    assert waiting.last_error.startswith("network: ReadTimeout")
    assert about(waiting.next_attempt_at, utcnow() + timedelta(minutes=1))
    assert slow.failure_count == 0  # a slow service is not the subscription's fault

    # Later the service answers again: the message goes.
    push_service.answer_again("slow")
    with app.app_context():
        report = send_due(db, keys, now=utcnow() + timedelta(minutes=2), timeout=0.5)
    assert report.sent == 1
    assert [p["url"] for p in via_notice(db, push_service.delivered("slow"))] == ["/feedback/1"]


def test_a_hanging_push_service_never_holds_up_the_request(
    app,
    push_service,
    keys,
    org,
    hal_user,
    subscribe,
    visit_doc,
    db,
):
    subscribe(hal_user, push_service.subscription("hal"))
    push_service.hang("hal")
    app.config["PUSH_DELIVERY_THREAD"] = True
    app.config["PUSH_TIMEOUT_SECONDS"] = 0.5
    sync = supervisor_sync(app, org)

    started = time.monotonic()
    response = sync.post(visit_doc(release_feedback=True))
    assert response.status_code == 200
    response.close()  # the response has gone: delivery starts now, in its own thread
    assert time.monotonic() - started < 3

    for thread in threading.enumerate():
        if thread.name == "careobs-push":
            thread.join(timeout=10)
            assert not thread.is_alive()
    [message] = messages(db)
    assert (message.status, message.attempts) == ("pending", 1)
    assert "Timeout" in message.last_error
    assert message.next_attempt_at > utcnow()
