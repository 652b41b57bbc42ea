"""Sending queued Web Push messages with pywebpush, outside any request.

Each message is claimed before it is sent, so a background thread and ``careobs push send`` run
by cron never send the same message twice. Push services answer with status codes that decide
what happens next: 404/410 mean the subscription is gone (removed), 429, 5xx and timeouts mean
try later (with the service's Retry-After or an exponential backoff), other 4xx mean this message
can never be delivered (and three of them in a row, 401/403 from a replaced VAPID key above all,
remove the subscription). An endpoint that is no longer allowed (endpoints.py: its name now
resolves to a private address, say) is not sent to and counts as a refusal too; a name that does
not resolve at all is tried again later, as after a network error. One message that breaks in any
other way is failed and logged; it never stops the others, and one left ``sending`` by a sender
that died is put back in the queue.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

import requests
import sqlalchemy as sa
from flask import current_app, g
from pywebpush import WebPushException, webpush
from sqlalchemy.orm import Session

from careobs.db import get_session, utcnow
from careobs.push import endpoints
from careobs.push.endpoints import NameNotFound, RefusedEndpoint
from careobs.push.keys import VapidKeys, load
from careobs.push.models import PushMessage, PushSubscription
from careobs.push.transport import PushSession

TTL_SECONDS = 24 * 60 * 60
TIMEOUT_SECONDS = 10
MAX_ATTEMPTS = 8
GIVE_UP_AFTER_FAILURES = 3
# A message still ``sending`` this long after it was claimed lost its sender (a crash, a killed
# cron run): it goes back in the queue. Well above TIMEOUT_SECONDS, so a live send is not doubled.
STUCK_AFTER = timedelta(minutes=5)

log = logging.getLogger(__name__)


@dataclass
class Report:
    sent: int = 0
    retry: int = 0
    failed: int = 0
    expired: int = 0
    removed_subscriptions: int = 0
    errors: list[str] = field(default_factory=list)


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** (attempts - 1), 240))


def _retry_after(response, attempts: int) -> timedelta:
    value = response.headers.get("Retry-After", "") if response is not None else ""
    return timedelta(seconds=int(value)) if value.isdigit() else _backoff(attempts)


def _claim(db: Session, message_id: int) -> bool:
    """Take the message for this sender; the attempt is counted now, so a message whose send
    kills its sender every time still runs out of attempts. While it is ``sending``,
    ``next_attempt_at`` is when it counts as stuck: measured from this claim, not from the start
    of the run, which can be longer than STUCK_AFTER (500 messages, 10 s timeout each)."""
    claimed = db.execute(
        sa.update(PushMessage)
        .where(PushMessage.id == message_id, PushMessage.status == "pending")
        .values(
            status="sending",
            attempts=PushMessage.attempts + 1,
            next_attempt_at=utcnow() + STUCK_AFTER,
        )
    )
    db.commit()
    return claimed.rowcount == 1


def requeue_stuck(db: Session, now: datetime) -> int:
    """Put back in the queue the messages a sender claimed and never finished."""
    stuck = sa.and_(PushMessage.status == "sending", PushMessage.next_attempt_at <= now)
    given_up = db.execute(
        sa.update(PushMessage)
        .where(stuck, PushMessage.attempts >= MAX_ATTEMPTS)
        .values(status="failed", last_error="stuck while sending")
    ).rowcount
    requeued = db.execute(
        sa.update(PushMessage).where(stuck).values(status="pending", next_attempt_at=now)
    ).rowcount
    db.commit()
    if given_up or requeued:
        log.warning("Push messages stuck while sending: %d requeued, %d failed", requeued, given_up)
    return requeued


def send_one(
    keys: VapidKeys,
    subscription: PushSubscription,
    payload: dict,
    timeout: float = TIMEOUT_SECONDS,
    allowed_origins: Iterable[str] = (),
):
    """One push through pywebpush; raises RefusedEndpoint (an endpoint careobs must not send
    to, checked again now as DNS answers change), WebPushException or a requests error."""
    parts = endpoints.check(subscription.endpoint, allowed_origins)
    public_only = not endpoints.is_allowed(parts, allowed_origins)
    with PushSession(public_only=public_only) as session:
        return webpush(
            subscription_info={
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            },
            data=json.dumps(payload),
            vapid_private_key=keys.private_key,
            vapid_claims={"sub": keys.subject},  # a fresh dict each time: webpush() changes it
            ttl=TTL_SECONDS,
            timeout=timeout,
            headers={"Urgency": "normal"},
            requests_session=session,
        )


def send_due(
    db: Session,
    keys: VapidKeys,
    *,
    now: datetime | None = None,
    limit: int = 500,
    timeout: float = TIMEOUT_SECONDS,
) -> Report:
    """Send every message that is due at ``now`` (the start of the run); returns what happened.

    Runs in an app context: its PUSH_ALLOWED_ORIGINS say which endpoints need no address check.
    """
    now = now or utcnow()
    allowed_origins = tuple(current_app.config.get("PUSH_ALLOWED_ORIGINS", ()))
    db.expire_all()  # another sender may have changed rows since this session last read them
    report = Report()
    requeue_stuck(db, now)
    due = db.scalars(
        sa.select(PushMessage.id)
        .where(PushMessage.status == "pending", PushMessage.next_attempt_at <= now)
        .order_by(PushMessage.id)
        .limit(limit)
    ).all()
    for message_id in due:
        if not _claim(db, message_id):
            continue
        try:
            _deliver(db, keys, message_id, report, now, timeout, allowed_origins)
            db.commit()
        except Exception as exc:  # one broken message must never stop the queue
            db.rollback()
            log.exception("Push message %s could not be sent", message_id)
            _broken(db, message_id, f"{type(exc).__name__}: {exc}", report)
    return report


def _deliver(
    db: Session,
    keys: VapidKeys,
    message_id: int,
    report: Report,
    now: datetime,
    timeout: float,
    allowed_origins: Iterable[str],
) -> None:
    message = db.get(PushMessage, message_id, populate_existing=True)
    subscription = message.subscription
    if now - message.created_at > timedelta(seconds=TTL_SECONDS):
        message.status = "expired"
        message.attempts -= 1  # claimed, never tried
        report.expired += 1
        return
    try:
        send_one(keys, subscription, message.payload, timeout, allowed_origins)
    except NameNotFound as exc:  # like a network error: the resolver may be back soon
        _failed(db, message, subscription, None, f"NameNotFound: {exc}", report, now)
    except RefusedEndpoint as exc:
        _refused(db, message, subscription, str(exc), report)
    except WebPushException as exc:
        _failed(db, message, subscription, exc.response, str(exc), report, now)
    except requests.RequestException as exc:
        _failed(db, message, subscription, None, f"{type(exc).__name__}: {exc}", report, now)
    else:
        message.status = "sent"
        message.sent_at = utcnow()
        subscription.last_success_at = message.sent_at
        subscription.failure_count = 0
        report.sent += 1


def _broken(db: Session, message_id: int, error: str, report: Report) -> None:
    """A message that raised something unexpected: failed for good, and counted against its
    subscription (a row pywebpush cannot encrypt to fails every time)."""
    message = db.get(PushMessage, message_id, populate_existing=True)
    if message is None:
        return
    message.status = "failed"
    message.last_error = f"error: {error}"[:300]
    report.failed += 1
    report.errors.append(message.last_error)
    _count_refusal(db, message.subscription, report)
    db.commit()


def _refused(
    db: Session, message: PushMessage, subscription: PushSubscription, why: str, report: Report
) -> None:
    """An endpoint careobs must not send to: the message fails unsent, and the subscription is
    removed after three of these (or other refusals) in a row."""
    log.warning("Push message %s not sent (subscription %s): %s", message.id, subscription.id, why)
    message.status = "failed"
    message.last_error = f"refused endpoint: {why}"[:300]
    report.failed += 1
    report.errors.append(message.last_error)
    _count_refusal(db, subscription, report)


def _failed(
    db: Session,
    message: PushMessage,
    subscription: PushSubscription,
    response,
    error: str,
    report: Report,
    now: datetime,
) -> None:
    status = response.status_code if response is not None else None
    message.last_error = f"{status or 'network'}: {error}"[:300]
    if status in (404, 410):
        db.delete(subscription)  # the browser unsubscribed; its queued messages go with it
        report.removed_subscriptions += 1
        return
    if status == 429 or status is None or status >= 500:
        if message.attempts >= MAX_ATTEMPTS:
            message.status = "failed"
            report.failed += 1
        else:
            message.status = "pending"
            message.next_attempt_at = now + (
                _retry_after(response, message.attempts)
                if status == 429
                else _backoff(message.attempts)
            )
            report.retry += 1
        return
    # 400, 401, 403 (VAPID key mismatch), 413...: this message will never be accepted.
    message.status = "failed"
    report.failed += 1
    report.errors.append(message.last_error)
    _count_refusal(db, subscription, report)


def _count_refusal(db: Session, subscription: PushSubscription, report: Report) -> None:
    """Three refusals in a row (no success between) and the subscription is removed."""
    subscription.failure_count += 1
    if subscription.failure_count >= GIVE_UP_AFTER_FAILURES:
        db.delete(subscription)
        report.removed_subscriptions += 1


_lock = threading.Lock()


def deliver_in_background(app) -> None:
    """Drain the queue in a daemon thread (one at a time per process)."""

    def run():
        if not _lock.acquire(blocking=False):
            return
        try:
            with app.app_context():
                keys = load(app.instance_path)
                if keys is not None:
                    timeout = app.config.get("PUSH_TIMEOUT_SECONDS", TIMEOUT_SECONDS)
                    send_due(get_session(), keys, timeout=timeout)
        except Exception:  # the thread must never take the app down; cron retries
            app.logger.exception("Background push delivery failed")
        finally:
            _lock.release()

    threading.Thread(target=run, name="careobs-push", daemon=True).start()


def deliver_after_response(response):
    """Start delivering queued pushes once the response has gone (never inside the request);
    careobs.notifications.service.notify marks the request as having queued some."""
    if g.pop("careobs_push_queued", False) and current_app.config.get("PUSH_DELIVERY_THREAD"):
        app = current_app._get_current_object()
        response.call_on_close(partial(deliver_in_background, app))
    return response
