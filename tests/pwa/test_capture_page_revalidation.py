"""Capture pages and the service worker are revalidated, not downloaded again: each carries an
ETag that holds while the page and the login are the same, so a repeat load (by the browser or
the service worker's warm-up) is answered 304 with no body. A capture page's tag changes with
what the page shows and with the session (the page embeds the session's CSRF token), so a copy
rendered for one login never validates another.
"""

from __future__ import annotations

import time

import pytest
from itsdangerous.timed import TimestampSigner

from careobs.notifications.service import notify
from careobs.pwa.views import CAPTURE_PAGES
from tests.support.web import Auth


@pytest.fixture
def supervisor_client(app, org):
    client = app.test_client()
    Auth(client).login(org.supervisor)
    return client


@pytest.mark.parametrize("path", CAPTURE_PAGES)
def test_a_repeat_load_of_an_unchanged_capture_page_is_answered_304(supervisor_client, path):
    first = supervisor_client.get(path)
    assert first.status_code == 200
    tag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"

    again = supervisor_client.get(path, headers={"If-None-Match": tag})

    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == tag


def test_the_tag_holds_although_the_csrf_token_is_signed_anew_on_every_render(
    supervisor_client, monkeypatch
):
    """The page is signed again each time (itsdangerous puts the time in the token): only the
    session's raw token counts."""
    first = supervisor_client.get("/quis/record")
    later = int(time.time()) + 5  # the next render, five seconds on
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _self: later)
    second = supervisor_client.get("/quis/record")

    assert first.get_data() != second.get_data()
    assert first.headers["ETag"] == second.headers["ETag"]


def test_a_new_login_or_a_changed_page_gets_a_new_tag_and_the_whole_page(
    app, db, org, supervisor_client
):
    tag = supervisor_client.get("/visits/record").headers["ETag"]

    # The same user in another session (another device, or after logging in again).
    elsewhere = app.test_client()
    Auth(elsewhere).login(org.supervisor)
    fresh = elsewhere.get("/visits/record", headers={"If-None-Match": tag})
    assert fresh.status_code == 200
    assert fresh.headers["ETag"] != tag
    assert b"<main" in fresh.get_data()

    # What the page shows changed: the bell now counts one unread notice.
    with app.app_context():
        notify(db, org.supervisor, "visits_due", "/coverage")
        db.commit()
    changed = supervisor_client.get("/visits/record", headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != tag


def test_only_capture_pages_are_tagged(supervisor_client):
    assert "ETag" not in supervisor_client.get("/").headers
    assert supervisor_client.get("/login").status_code == 302  # logged in: sent home


def test_an_unchanged_service_worker_is_answered_304(client):
    """The browser checks /sw.js for updates on every navigation: unchanged, that costs no body."""
    first = client.get("/sw.js")
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "no-cache"

    again = client.get("/sw.js", headers={"If-None-Match": first.headers["ETag"]})

    assert again.status_code == 304
    assert again.get_data() == b""
