"""Creating notifications: the in-app list first, then a push to each of the user's devices.

Pushes are only queued here; careobs.push.delivery sends them after the response (or from
``careobs push send``), so a slow or failing push service never slows or fails a request.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from careobs.accounts.models import Membership, User
from careobs.db import utcnow
from careobs.deferral import collecting
from careobs.notifications.models import KINDS, Notification
from careobs.push.models import PushMessage, PushSubscription


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


SAFEGUARDING_BODY = "A submitted record may show a safeguarding concern. Open it to review."
_DEFERRED_ALERTS = "careobs.deferred_safeguarding_alerts"
_MANAGERS = "careobs.managers_by_service"


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


def alert_after_visit(_kind_name: str, *, db: Session, record, **_) -> None:
    """A submitted visit with a critical item not met alerts the service's managers (a
    receiver of careobs.capture.events.record_submitted)."""
    if record.critical_failures:
        alert_safeguarding(
            db,
            record.service_id,
            f"/visits/{record.uuid}",
            dedupe_key=f"safeguarding-visit-{record.uuid}",
        )


def alert_after_quis(_kind_name: str, *, db: Session, record, **_) -> None:
    """A submitted QUIS session with a negative restrictive interaction alerts the service's
    managers (a receiver of careobs.capture.events.record_submitted). The two sessions of a
    paired observation saw the same period: whichever is submitted first alerts, once for the
    pair, so one incident seen by both observers is not two alerts."""
    if record.n_nr:
        key = f"pair-{record.pair_id}" if record.pair_id is not None else str(record.uuid)
        alert_safeguarding(
            db,
            record.service_id,
            f"/quis/sessions/{record.uuid}",
            dedupe_key=f"safeguarding-quis-{key}",
        )


@contextmanager
def alerts_deferred(db: Session) -> Iterator[None]:
    """Collect the block's safeguarding alerts and send them together when it ends.

    A sync batch may hold a hundred sessions that each need an alert: sent together they cost a
    handful of queries instead of four per document (measured by bench/sync_ingest.py). When
    the block raises, nothing is sent (the caller rolls the batch back). A nested block's
    alerts are dropped when it raises, as its writes are rolled back to a savepoint.
    """
    with collecting(db.info, _DEFERRED_ALERTS) as pending:
        yield
    if pending:
        _send_alerts(db, pending)


@contextmanager
def managers_remembered(db: Session) -> Iterator[None]:
    """Within the block, read each service's managers once for all the alerts sent.

    A sync batch applies each document in a transaction of its own, alerts included; the
    managers of its few services need reading only once (membership changes made while a batch
    is applied take effect from the next).
    """
    db.info[_MANAGERS] = {"managers": {}, "subscriptions": {}}
    try:
        yield
    finally:
        db.info.pop(_MANAGERS, None)


def _managers_by_service(db: Session, service_ids: list[int]) -> dict[int, list[tuple[int, int]]]:
    """(user id, organisation id) of the active managers of each service."""
    remembered = db.info.get(_MANAGERS, {}).get("managers")
    missing = [s for s in service_ids if remembered is None or s not in remembered]
    found: dict[int, list[tuple[int, int]]] = {s: [] for s in missing}
    if missing:
        rows = db.execute(
            sa.select(Membership.service_id, User.id, User.organisation_id)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.service_id.in_(missing),
                Membership.role == "manager",
                User.active.is_(True),
            )
        )
        for service_id, user_id, organisation_id in rows:
            found[service_id].append((user_id, organisation_id))
    if remembered is None:
        return found
    remembered.update(found)
    return {s: remembered[s] for s in service_ids}


def _send_alerts(db: Session, alerts: list[tuple[int, str, str]]) -> int:
    """Notify each alert's active managers once per dedupe key, as ``notify`` would one by one.

    The notices go in with one INSERT that skips those already given ((user, dedupe key) is
    unique) and returns the new ones' ids for their pushes; managers and push subscriptions are
    read once for all the alerts (and, within ``managers_remembered``, once for a whole batch).
    """
    if not alerts:
        return 0
    managers = _managers_by_service(db, sorted({service_id for service_id, _, _ in alerts}))
    notices = {}
    for service_id, link, dedupe_key in alerts:
        for manager_id, organisation_id in managers.get(service_id, ()):
            notices.setdefault(
                (manager_id, dedupe_key),
                {
                    "organisation_id": organisation_id,
                    "user_id": manager_id,
                    "kind": "safeguarding",
                    "title": KINDS["safeguarding"],
                    "body": SAFEGUARDING_BODY,
                    "link": link,
                    "dedupe_key": dedupe_key,
                },
            )
    if not notices:
        return 0
    connection = db.connection()
    new = connection.execute(
        _new_notices_insert(connection.dialect.name), [notices[key] for key in sorted(notices)]
    ).all()
    subscriptions = _subscriptions_by_user(db, sorted({user_id for _, _, user_id in new}))
    for notification_id, notice_uuid, user_id in new:
        if subscriptions.get(user_id):
            _queue_pushes(db, notification_id, notice_uuid, "safeguarding", subscriptions[user_id])
    return len(new)


@cache
def _new_notices_insert(dialect_name: str):
    """INSERT of notices that skips those already given, returning the new ones (Core, built
    once: a sync batch runs it once per document)."""
    table = Notification.__table__
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return (
        dialect.insert(table)
        .on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"])
        .returning(table.c.id, table.c.uuid, table.c.user_id)
    )


def _subscriptions_by_user(db: Session, user_ids: list[int]) -> dict[int, list[int]]:
    """The push subscription ids of each user (remembered with the managers, see above)."""
    cache = db.info.get(_MANAGERS, {}).get("subscriptions", {})
    missing = [u for u in user_ids if u not in cache]
    if missing:
        cache.update({u: [] for u in missing})
        rows = db.execute(
            sa.select(PushSubscription.user_id, PushSubscription.id).where(
                PushSubscription.user_id.in_(missing)
            )
        )
        for user_id, subscription_id in rows:
            cache[user_id].append(subscription_id)
    return {u: cache[u] for u in user_ids}


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
