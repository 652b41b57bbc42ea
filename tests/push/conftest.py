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

from datetime import datetime

import pytest

from careobs.accounts.models import User
from careobs.db import get_session
from careobs.notifications.models import Notification
from careobs.notifications.service import notify
from careobs.push import keys as vapid
from careobs.push.delivery import Report, send_due
from tests.push.fake_push_service import FakePushService
from tests.support import fixtures
from tests.support.push import (
    SUBJECT,
    SUBSCRIPTIONS_URL,
    TEST_PUSH_ORIGINS,
    ok_status,
)
from tests.support.web import Auth

# The shared fixtures this package uses (tests/support/fixtures.py); pytest finds them by name.
checklist = fixtures.checklist
hal_user = fixtures.hal_user
homecare_manager = fixtures.homecare_manager
org = fixtures.org
visit_doc = fixtures.visit_doc


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
