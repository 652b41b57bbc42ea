"""Fixtures for Web Push tests: a real push service on loopback, real VAPID keys in the app's
instance folder, subscriptions stored through the API, and delivery run as cron runs it.

``push_service.subscription("sue")`` makes a browser subscription at ``/push/sue``;
``subscribe(user, subscription)`` stores it through ``POST /api/v1/push/subscriptions`` as that
user; ``tell(user)`` creates a notification with ``careobs.notifications.service.notify``; and
``deliver()`` runs ``send_due`` in a fresh app context and session, like ``careobs push send``.

careobs only sends to public https push services unless told otherwise, so the app here allows
the loopback push service (any port) and the made-up ``https://push.example.test`` of the
request examples, as an administrator would with CAREOBS_PUSH_ALLOWED_ORIGINS.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.db import get_session
from careobs.notifications.models import Notification, PushMessage, PushSubscription
from careobs.notifications.service import notify
from careobs.push import keys as vapid
from careobs.push.delivery import Report, send_due
from tests.conftest import Auth
from tests.push.fake_push_service import FakePushService
from tests.spotchecks.conftest import checklist, org, visit_doc  # noqa: F401 (fixtures)

SUBSCRIPTIONS_URL = "/api/v1/push/subscriptions"
SUBJECT = "mailto:push-admin@acme.test"
TEST_PUSH_ORIGINS = ("http://127.0.0.1", "https://push.example.test")


@pytest.fixture
def app(app):
    """The suite's app, sending to the test push services (test_endpoint_safety sets its own)."""
    app.config["PUSH_ALLOWED_ORIGINS"] = TEST_PUSH_ORIGINS
    return app


@pytest.fixture(autouse=True)
def _no_vapid_environment(monkeypatch):
    """Keys come from the test's instance folder, never from the developer's environment."""
    for name in ("VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY", "VAPID_SUBJECT"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def push_service():
    """A push service on 127.0.0.1:<free port>, stopped after the test.

    The test fails when any push it received was malformed (bad headers, VAPID or encryption).
    """
    service = FakePushService().start()
    try:
        yield service
    finally:
        service.stop()
    assert service.problems == [], service.problems


@pytest.fixture
def keys(app) -> vapid.VapidKeys:
    """careobs's VAPID key pair, saved in the app's instance folder as ``push keys`` does."""
    generated = vapid.generate(SUBJECT)
    vapid.save(app.instance_path, generated)
    return generated


def ok_status(response, *statuses) -> None:
    assert response.status_code in statuses, response.get_data(as_text=True)[:500]


@pytest.fixture
def subscribe(app):
    """``subscribe(user, subscription)``: store it as that user, on a client of its own."""

    def store(user, subscription: dict, expected=(201,)):
        client = app.test_client()
        Auth(client).login(user)
        response = client.post(SUBSCRIPTIONS_URL, json=subscription)
        ok_status(response, *expected)
        return client

    return store


@pytest.fixture
def tell(app, db):
    """``tell(user, kind=..., link=..., body=...)``: one notification, committed."""

    def make(
        user, kind: str = "feedback_released", link: str = "/feedback/1", body: str = ""
    ) -> Notification | None:
        with app.app_context():
            notice = notify(db, db.get(User, user.id), kind, link, body=body)
            db.commit()
        return notice

    return make


@pytest.fixture
def deliver(app, keys):
    """``deliver(now=None)``: one run of ``send_due`` in a fresh session, as cron runs it."""

    def run(now: datetime | None = None) -> Report:
        with app.app_context():
            return send_due(get_session(), keys, now=now)

    return run


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
