"""Web Push in tests: the origins allowed, queued pushes and subscriptions read back, the API's
JSON errors, and syncing as the supervisor."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa

from careobs.notifications.models import Notification
from careobs.push.models import PushMessage, PushSubscription
from tests.support.sync import SyncApi
from tests.support.web import Auth

SUBSCRIPTIONS_URL = "/api/v1/push/subscriptions"


SUBJECT = "mailto:push-admin@acme.test"


TEST_PUSH_ORIGINS = ("http://127.0.0.1", "https://push.example.test")


def ok_status(response, *statuses) -> None:
    assert response.status_code in statuses, response.get_data(as_text=True)[:500]


def messages(db, *where) -> list[PushMessage]:
    """The queued pushes, freshly loaded, oldest first."""
    db.expire_all()
    return list(db.scalars(sa.select(PushMessage).where(*where).order_by(PushMessage.id)))


def subscription_row(db, endpoint: str) -> PushSubscription | None:
    db.expire_all()
    return db.scalar(sa.select(PushSubscription).where(PushSubscription.endpoint == endpoint))


def about(moment: datetime, expected: datetime, slack: timedelta = timedelta(seconds=5)) -> bool:
    """``moment`` is ``expected`` give or take a few seconds of test run time."""
    return abs(moment - expected) <= slack


NOTICE_URL = re.compile(r"/notifications/([0-9a-f-]{36})")


def via_notice(db, payloads: list[dict]) -> list[dict]:
    """The payloads with each ``url`` replaced by the link of the notice it opens.

    A push leads to ``/notifications/<uuid>`` (which marks the notice read and redirects to its
    link), never straight to the record; this checks that and gives back what the user reaches.
    """
    db.expire_all()
    resolved = []
    for payload in payloads:
        match = NOTICE_URL.fullmatch(payload["url"])
        assert match, f"a push must open its notice, not {payload['url']!r}"
        notice = db.scalar(sa.select(Notification).where(Notification.uuid == uuid.UUID(match[1])))
        assert notice is not None, payload
        resolved.append({**payload, "url": notice.link})
    return resolved


def assert_json_error(response, status: int, code: str | None = None) -> dict:
    """The API answered ``status`` with a JSON error (of ``code``, if given); returns its body."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body


def subscriptions(db) -> list[PushSubscription]:
    """Every stored push subscription, freshly loaded, oldest first."""
    db.expire_all()
    return list(db.scalars(sa.select(PushSubscription).order_by(PushSubscription.id)))


def supervisor_sync(app, org) -> SyncApi:
    """The sync API on a client of its own, logged in as the organisation's supervisor."""
    client = app.test_client()
    Auth(client).login(org.supervisor)
    return SyncApi(client)
