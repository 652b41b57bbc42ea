"""Creating notifications: the in-app list first, then a push to each of the user's devices.

Pushes are only queued here; careobs.push.delivery sends them after the response (or from
``careobs push send``), so a slow or failing push service never slows or fails a request.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

import sqlalchemy as sa
from flask import current_app, g, has_request_context
from sqlalchemy.orm import Session

from careobs.accounts.models import Membership, User
from careobs.db import utcnow
from careobs.notifications.models import KINDS, Notification, PushMessage, PushSubscription


def notify(
    db: Session, user: User, kind: str, link: str, *, body: str = "", dedupe_key: str | None = None
) -> Notification | None:
    """Tell one user; with a ``dedupe_key`` the same notice is never given twice."""
    if not user.active:
        return None
    if dedupe_key and db.scalar(
        sa.select(Notification.id).where(
            Notification.user_id == user.id, Notification.dedupe_key == dedupe_key
        )
    ):
        return None
    notice = Notification(
        organisation_id=user.organisation_id,
        user_id=user.id,
        kind=kind,
        title=KINDS[kind],
        body=body,
        link=link,
        dedupe_key=dedupe_key,
    )
    db.add(notice)
    db.flush()
    subscriptions = db.scalars(
        sa.select(PushSubscription.id).where(PushSubscription.user_id == user.id)
    ).all()
    _queue_pushes(db, notice.id, notice.uuid, kind, subscriptions)
    return notice


def push_link(notice_uuid: uuid.UUID) -> str:
    """Where a push leads: the notice itself, which is marked read and redirects to its link
    (opening the record straight away would leave the bell counting it)."""
    return f"/notifications/{notice_uuid}"


def _queue_pushes(
    db: Session, notification_id: int, notice_uuid: uuid.UUID, kind: str, subscription_ids
):
    """A push of a stored notification to each of its user's subscribed devices."""
    # The payload is what a lock screen may show: a generic title and a link, nothing personal.
    payload = {"title": KINDS[kind], "url": push_link(notice_uuid), "tag": kind}
    for subscription_id in subscription_ids:
        db.add(
            PushMessage(
                subscription_id=subscription_id,
                notification_id=notification_id,
                payload=payload,
                next_attempt_at=utcnow(),
            )
        )
    if subscription_ids and has_request_context():
        g.careobs_push_queued = True


def mark_read_for_link(db: Session, user: User, link: str) -> None:
    """Opening the thing a notification is about counts as reading the notification."""
    db.execute(
        sa.update(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.link == link,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
    )


def _managers_select(service_ids) -> sa.Select:
    """(service id, user) for the active managers of these services."""
    return (
        sa.select(Membership.service_id, User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.service_id.in_(service_ids),
            Membership.role == "manager",
            User.active.is_(True),
        )
    )


def managers_of(db: Session, service_id: int) -> list[User]:
    """The active managers of a service: who hears about possible safeguarding concerns."""
    return [user for _, user in db.execute(_managers_select([service_id]))]


SAFEGUARDING_BODY = "A submitted record may show a safeguarding concern. Open it to review."
_DEFERRED_ALERTS = "careobs.deferred_safeguarding_alerts"


def alert_safeguarding(db: Session, service_id: int, link: str, dedupe_key: str) -> int:
    """Alert the service's managers to a record that may show a safeguarding concern.

    Returns how many managers were alerted; inside ``alerts_deferred`` the alert is only queued
    (and 0 returned) until the block ends.
    """
    pending = db.info.get(_DEFERRED_ALERTS)
    if pending is not None:
        pending.append((service_id, link, dedupe_key))
        return 0
    return _send_alerts(db, [(service_id, link, dedupe_key)])


@contextmanager
def alerts_deferred(db: Session) -> Iterator[None]:
    """Collect the block's safeguarding alerts and send them together when it ends.

    A sync batch may hold a hundred sessions that each need an alert: sent together they cost a
    handful of queries instead of four per document (measured by bench/sync_ingest.py). When
    the block raises, nothing is sent (the caller rolls the batch back).
    """
    if _DEFERRED_ALERTS in db.info:  # already collecting for an outer block
        yield
        return
    pending: list[tuple[int, str, str]] = []
    db.info[_DEFERRED_ALERTS] = pending
    try:
        yield
    finally:
        del db.info[_DEFERRED_ALERTS]
    _send_alerts(db, pending)


def _send_alerts(db: Session, alerts: list[tuple[int, str, str]]) -> int:
    """Notify each alert's active managers once per dedupe key, as ``notify`` would one by one.

    Managers, notices already given and push subscriptions are each read with one query for
    all the alerts, and the new notices go in with one INSERT (the unit of work would insert
    them one by one to read back their ids, which only pushes need).
    """
    if not alerts:
        return 0
    managers: dict[int, list[User]] = {}
    service_ids = sorted({service_id for service_id, _, _ in alerts})
    for service_id, user in db.execute(_managers_select(service_ids)):
        managers.setdefault(service_id, []).append(user)
    user_ids = sorted({user.id for users in managers.values() for user in users})
    if not user_ids:
        return 0
    keys = sorted({key for _, _, key in alerts})
    given = {
        (user_id, key)
        for user_id, key in db.execute(
            sa.select(Notification.user_id, Notification.dedupe_key).where(
                Notification.user_id.in_(user_ids), Notification.dedupe_key.in_(keys)
            )
        )
    }
    notices = []
    for service_id, link, dedupe_key in alerts:
        for manager in managers.get(service_id, ()):
            if (manager.id, dedupe_key) in given:
                continue
            given.add((manager.id, dedupe_key))
            notices.append(
                {
                    "organisation_id": manager.organisation_id,
                    "user_id": manager.id,
                    "kind": "safeguarding",
                    "title": KINDS["safeguarding"],
                    "body": SAFEGUARDING_BODY,
                    "link": link,
                    "dedupe_key": dedupe_key,
                }
            )
    if not notices:
        return 0
    db.execute(sa.insert(Notification), notices)
    subscriptions: dict[int, list[int]] = {}
    for user_id, subscription_id in db.execute(
        sa.select(PushSubscription.user_id, PushSubscription.id).where(
            PushSubscription.user_id.in_(sorted({notice["user_id"] for notice in notices}))
        )
    ):
        subscriptions.setdefault(user_id, []).append(subscription_id)
    if subscriptions:
        # (user, dedupe key) is unique, so it finds each new notice's id.
        stored = {
            (user_id, key): (notification_id, notice_uuid)
            for notification_id, notice_uuid, user_id, key in db.execute(
                sa.select(
                    Notification.id,
                    Notification.uuid,
                    Notification.user_id,
                    Notification.dedupe_key,
                ).where(
                    Notification.user_id.in_(sorted(subscriptions)),
                    Notification.dedupe_key.in_(keys),
                )
            )
        }
        for notice in notices:
            if notice["user_id"] in subscriptions:
                _queue_pushes(
                    db,
                    *stored[notice["user_id"], notice["dedupe_key"]],
                    "safeguarding",
                    subscriptions[notice["user_id"]],
                )
    return len(notices)


def unread_count(db: Session, user: User) -> int:
    """How many notifications the user has not opened (the number on the bell)."""
    return (
        db.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


def deliver_after_response(response):
    """Start delivering queued pushes once the response has gone (never inside the request)."""
    if g.pop("careobs_push_queued", False) and current_app.config.get("PUSH_DELIVERY_THREAD"):
        from careobs.push.delivery import deliver_in_background

        app = current_app._get_current_object()
        response.call_on_close(partial(deliver_in_background, app))
    return response
