"""Creating notifications: the in-app list first, then a push to each of the user's devices.

Pushes are only queued here; careobs.push.delivery sends them after the response (or from
``careobs push send``), so a slow or failing push service never slows or fails a request.
"""

from __future__ import annotations

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
    # The payload is what a lock screen may show: a generic title and a link, nothing personal.
    payload = {"title": notice.title, "url": link, "tag": kind}
    subscriptions = db.scalars(
        sa.select(PushSubscription.id).where(PushSubscription.user_id == user.id)
    ).all()
    for subscription_id in subscriptions:
        db.add(
            PushMessage(
                subscription_id=subscription_id,
                notification_id=notice.id,
                payload=payload,
                next_attempt_at=utcnow(),
            )
        )
    if subscriptions and has_request_context():
        g.careobs_push_queued = True
    return notice


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


def managers_of(db: Session, service_id: int) -> list[User]:
    """The active managers of a service: who hears about possible safeguarding concerns."""
    return list(
        db.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.service_id == service_id,
                Membership.role == "manager",
                User.active.is_(True),
            )
        )
    )


def alert_safeguarding(db: Session, service_id: int, link: str, dedupe_key: str) -> int:
    """Alert the service's managers to a record that may show a safeguarding concern."""
    sent = 0
    for manager in managers_of(db, service_id):
        if notify(
            db,
            manager,
            "safeguarding",
            link,
            dedupe_key=dedupe_key,
            body="A submitted record may show a safeguarding concern. Open it to review.",
        ):
            sent += 1
    return sent


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
