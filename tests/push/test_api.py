"""The Web Push endpoints of design §3.1: the public key, storing and removing subscriptions."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization

from careobs.push.models import PushMessage, PushSubscription
from tests.push.fake_push_service import Browser, b64url
from tests.support.push import SUBSCRIPTIONS_URL, assert_json_error, subscription_row, subscriptions

KEY_URL = "/api/v1/push/key"


# -- the public key ----------------------------------------------------------------------


def test_without_keys_the_key_is_a_json_404(client, auth, org):
    auth.login(org.supervisor)

    response = client.get(KEY_URL)

    body = assert_json_error(response, 404, "push_not_configured")
    assert "careobs push keys" in body["error"]["message"]


def test_the_public_key_once_there_are_keys(client, auth, org, keys):
    auth.login(org.staff)

    response = client.get(KEY_URL)

    assert response.status_code == 200
    assert response.get_json() == {"public_key": keys.public_key}
    assert len(keys.public_key) == 87  # base64url of the 65-byte uncompressed point
    assert keys.private_key not in response.get_data(as_text=True)


def test_the_key_needs_a_login(client, org, keys):
    assert_json_error(client.get(KEY_URL), 401, "unauthorized")


# -- storing a subscription ------------------------------------------------------------------


def test_a_new_subscription_is_201_then_200(client, auth, org, push_service, db):
    subscription = push_service.subscription("sue")
    auth.login(org.supervisor)

    first = client.post(
        SUBSCRIPTIONS_URL, json=subscription, headers={"User-Agent": "Firefox/130.0"}
    )
    again = client.post(SUBSCRIPTIONS_URL, json=subscription)

    assert first.status_code == 201
    assert first.get_json() == {"endpoint": subscription["endpoint"]}
    assert again.status_code == 200
    [row] = subscriptions(db)
    assert row.user_id == org.supervisor.id
    assert row.endpoint == subscription["endpoint"]
    assert (row.p256dh, row.auth) == (subscription["keys"]["p256dh"], subscription["keys"]["auth"])
    assert row.failure_count == 0


def test_sending_it_again_updates_the_keys(client, auth, org, push_service, db):
    subscription = push_service.subscription("sue")
    auth.login(org.supervisor)
    client.post(SUBSCRIPTIONS_URL, json=subscription)
    renewed = {**push_service.subscription("sue"), "endpoint": subscription["endpoint"]}

    assert client.post(SUBSCRIPTIONS_URL, json=renewed).status_code == 200

    [row] = subscriptions(db)
    assert (row.p256dh, row.auth) == (renewed["keys"]["p256dh"], renewed["keys"]["auth"])


def test_the_same_browser_follows_the_next_login(client, auth, org, push_service, db):
    subscription = push_service.subscription("shared-phone")
    auth.login(org.supervisor)
    assert client.post(SUBSCRIPTIONS_URL, json=subscription).status_code == 201
    auth.logout()
    auth.login(org.staff)

    response = client.post(SUBSCRIPTIONS_URL, json=subscription)

    assert response.status_code == 200
    [row] = subscriptions(db)
    assert row.user_id == org.staff.id


def test_a_user_may_have_several_devices(client, auth, org, push_service, db):
    auth.login(org.supervisor)
    for name in ("phone", "tablet"):
        assert (
            client.post(SUBSCRIPTIONS_URL, json=push_service.subscription(name)).status_code == 201
        )

    assert [r.user_id for r in subscriptions(db)] == [org.supervisor.id] * 2


# A real browser's keys: p256dh an uncompressed P-256 point, auth 16 bytes.
BROWSER = Browser.new()
# A 65-byte string that starts like an uncompressed point (0x04) but is not on the curve.
OFF_CURVE = b64url(b"\x04" + bytes(range(1, 65)))
# The same point, compressed (33 bytes): pywebpush needs it uncompressed.
COMPRESSED = b64url(
    BROWSER.private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
    )
)


def _valid():
    return {
        "endpoint": "https://push.example.test/send/abc",
        "keys": {"p256dh": BROWSER.p256dh, "auth": BROWSER.auth},
    }


def _without(*path):
    body = _valid()
    target = body
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return body


def _with(value, *path):
    body = _valid()
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


INVALID = {
    "no endpoint": _without("endpoint"),
    "no keys": _without("keys"),
    "no p256dh": _without("keys", "p256dh"),
    "no auth": _without("keys", "auth"),
    "keys not an object": _with("B" * 87, "keys"),
    "endpoint not a string": _with(["https://push.example.test/x"], "endpoint"),
    "endpoint javascript:": _with("javascript:alert(1)", "endpoint"),
    "endpoint ftp": _with("ftp://push.example.test/x", "endpoint"),
    "endpoint without host": _with("https:///x", "endpoint"),
    "endpoint relative": _with("/push/x", "endpoint"),
    "huge endpoint": _with("https://push.example.test/" + "x" * 5000, "endpoint"),
    "p256dh too short": _with("B", "keys", "p256dh"),
    "auth not a string": _with(123, "keys", "auth"),
    "huge p256dh": _with("B" * 5000, "keys", "p256dh"),
    "p256dh 87 As (zero bytes)": _with("A" * 87, "keys", "p256dh"),
    "p256dh 87 Bs (not a point)": _with("B" * 87, "keys", "p256dh"),
    "p256dh off the curve": _with(OFF_CURVE, "keys", "p256dh"),
    "p256dh compressed": _with(COMPRESSED, "keys", "p256dh"),
    "p256dh 64 bytes": _with(b64url(b"\x04" + bytes(63)), "keys", "p256dh"),
    "p256dh standard base64": _with(
        BROWSER.p256dh.replace("-", "+").replace("_", "/") + "+/", "keys", "p256dh"
    ),
    "p256dh not base64": _with("!" * 87, "keys", "p256dh"),
    "auth 15 bytes": _with(b64url(bytes(15)), "keys", "auth"),
    "auth 17 bytes": _with(b64url(bytes(17)), "keys", "auth"),
    "auth short": _with("a" * 8, "keys", "auth"),
}


@pytest.mark.parametrize("body", INVALID.values(), ids=INVALID.keys())
def test_an_invalid_subscription_is_a_json_400_and_writes_nothing(client, auth, org, db, body):
    auth.login(org.supervisor)

    response = client.post(SUBSCRIPTIONS_URL, json=body)

    assert_json_error(response, 400, "invalid_subscription")
    assert subscriptions(db) == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"data": "endpoint=https://push.example.test/x", "content_type": "text/plain"},
        {"data": "{not json", "content_type": "application/json"},
        {"json": ["https://push.example.test/x"]},
        {"json": "https://push.example.test/x"},
    ],
    ids=["text", "broken json", "a list", "a string"],
)
def test_a_body_that_is_not_a_json_object_is_a_json_400(client, auth, org, db, kwargs):
    auth.login(org.supervisor)

    response = client.post(SUBSCRIPTIONS_URL, **kwargs)

    assert_json_error(response, 400, "malformed_json")
    assert subscriptions(db) == []


def test_the_valid_example_is_accepted(client, auth, org, db):
    """The invalid bodies above differ from this one in one field each."""
    auth.login(org.supervisor)

    assert client.post(SUBSCRIPTIONS_URL, json=_valid()).status_code == 201


def test_keys_with_base64_padding_are_accepted_and_stored_without(client, auth, org, db):
    body = _valid()
    body["keys"] = {"p256dh": BROWSER.p256dh + "=", "auth": BROWSER.auth + "=="}
    auth.login(org.supervisor)

    assert client.post(SUBSCRIPTIONS_URL, json=body).status_code == 201

    [row] = subscriptions(db)
    assert (row.p256dh, row.auth) == (BROWSER.p256dh, BROWSER.auth)


def test_sending_the_same_subscription_again_keeps_its_refusals(
    client, auth, org, push_service, db
):
    """Every app start may send it again; that must not forgive a subscription that push
    services refuse (one made with a replaced VAPID key), or it would never be removed."""
    subscription = push_service.subscription("sue")
    auth.login(org.supervisor)
    client.post(SUBSCRIPTIONS_URL, json=subscription)
    db.execute(sa.update(PushSubscription).values(failure_count=2))
    db.commit()

    assert client.post(SUBSCRIPTIONS_URL, json=subscription).status_code == 200
    assert subscriptions(db)[0].failure_count == 2

    renewed = {**push_service.subscription("sue"), "endpoint": subscription["endpoint"]}
    assert client.post(SUBSCRIPTIONS_URL, json=renewed).status_code == 200
    assert subscriptions(db)[0].failure_count == 0


def test_without_a_csrf_token_it_is_refused(client, auth, org, push_service, db):
    auth.login(org.supervisor)

    response = client.post(SUBSCRIPTIONS_URL, json=push_service.subscription("sue"), csrf=False)

    assert_json_error(response, 400, "csrf_failed")
    assert subscriptions(db) == []


def test_logged_out_is_a_json_401(client, org, push_service, db):
    response = client.post(SUBSCRIPTIONS_URL, json=push_service.subscription("sue"))

    assert_json_error(response, 401, "unauthorized")
    assert "Location" not in response.headers
    assert subscriptions(db) == []


# -- removing a subscription ---------------------------------------------------------------


def test_delete_removes_the_callers_subscription(client, auth, org, push_service, db):
    phone, tablet = push_service.subscription("phone"), push_service.subscription("tablet")
    auth.login(org.supervisor)
    client.post(SUBSCRIPTIONS_URL, json=phone)
    client.post(SUBSCRIPTIONS_URL, json=tablet)

    response = client.delete(SUBSCRIPTIONS_URL, json={"endpoint": phone["endpoint"]})

    assert response.status_code == 204
    assert response.get_data() == b""
    assert [r.endpoint for r in subscriptions(db)] == [tablet["endpoint"]]
    # Already gone: still 204 (the browser may unsubscribe twice).
    assert client.delete(SUBSCRIPTIONS_URL, json={"endpoint": phone["endpoint"]}).status_code == 204


def test_delete_cannot_remove_someone_elses(client, auth, subscribe, org, push_service, db):
    sues = push_service.subscription("sue")
    subscribe(org.supervisor, sues)
    auth.login(org.staff)

    response = client.delete(SUBSCRIPTIONS_URL, json={"endpoint": sues["endpoint"]})

    assert response.status_code == 204
    assert subscription_row(db, sues["endpoint"]).user_id == org.supervisor.id


def test_delete_removes_its_queued_pushes(client, auth, org, push_service, tell, db):
    sues = push_service.subscription("sue")
    auth.login(org.supervisor)
    client.post(SUBSCRIPTIONS_URL, json=sues)
    tell(org.supervisor)

    client.delete(SUBSCRIPTIONS_URL, json={"endpoint": sues["endpoint"]})

    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(PushMessage)) == 0


@pytest.mark.parametrize(
    "kwargs",
    [{"json": {}}, {"json": {"endpoint": 5}}, {"data": "x", "content_type": "text/plain"}],
    ids=["no endpoint", "endpoint not a string", "not json"],
)
def test_delete_with_a_bad_body_is_a_json_400(
    client, auth, org, subscribe, push_service, db, kwargs
):
    subscribe(org.supervisor, push_service.subscription("sue"))
    auth.login(org.supervisor)

    assert_json_error(client.delete(SUBSCRIPTIONS_URL, **kwargs), 400, "malformed_request")
    assert len(subscriptions(db)) == 1


def test_delete_needs_csrf_and_a_login(client, auth, org, subscribe, push_service, db):
    sues = push_service.subscription("sue")
    subscribe(org.supervisor, sues)

    logged_out = client.delete(SUBSCRIPTIONS_URL, json={"endpoint": sues["endpoint"]})
    auth.login(org.supervisor)
    no_csrf = client.delete(SUBSCRIPTIONS_URL, json={"endpoint": sues["endpoint"]}, csrf=False)

    assert_json_error(logged_out, 401, "unauthorized")
    assert_json_error(no_csrf, 400, "csrf_failed")
    assert len(subscriptions(db)) == 1


# -- logging out ----------------------------------------------------------------------------


def test_logging_out_removes_the_subscription_the_page_names(
    client, auth, org, subscribe, push_service, db
):
    """A shared phone: the page sends this device's endpoint with the logout form."""
    sues = push_service.subscription("sue")
    stans = push_service.subscription("stan")
    auth.login(org.supervisor)
    client.post(SUBSCRIPTIONS_URL, json=sues)
    subscribe(org.staff, stans)

    response = client.post("/logout", data={"push_endpoint": sues["endpoint"]})
    assert response.status_code == 302
    # Someone else's endpoint is never removed this way.
    auth.login(org.supervisor)
    client.post("/logout", data={"push_endpoint": stans["endpoint"]})

    assert [r.endpoint for r in subscriptions(db)] == [stans["endpoint"]]
