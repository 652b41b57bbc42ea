"""A push subscription must never make careobs POST to itself or to its own network (SSRF).

Only https endpoints whose host resolves to public addresses are stored and sent to, unless an
administrator allowed the origin with CAREOBS_PUSH_ALLOWED_ORIGINS. The rule holds when
subscribing, again before sending (DNS answers change), and when connecting; a push service's
redirect is never followed. Names are resolved by a fake DNS (``dns``), so nothing here reaches
the internet; "internal" services are loopback listeners that count the connections they get.
"""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from careobs import config
from careobs.push import endpoints, transport
from careobs.push.endpoints import NOT_FOUND, NOT_HTTPS, NOT_PUBLIC, USERINFO
from careobs.push.models import PushMessage, PushSubscription
from careobs.push.transport import PushSession
from tests.push.fake_push_service import Browser
from tests.support.push import (
    SUBSCRIPTIONS_URL,
    assert_json_error,
    messages,
    subscription_row,
    subscriptions,
)

PUBLIC_IP = "93.184.215.14"  # never connected to: every test stops before or resolves elsewhere
PUBLIC_IPV6 = "2606:2800:21f:cb07:6820:80da:af6b:8b2c"
BROWSER = Browser.new()


def subscription(endpoint: str) -> dict:
    return {"endpoint": endpoint, "keys": {"p256dh": BROWSER.p256dh, "auth": BROWSER.auth}}


@pytest.fixture
def dns(monkeypatch) -> dict[str, list[str]]:
    """``dns[name] = [address, ...]``: what ``socket.getaddrinfo`` answers for that name from
    now on (an empty list: no such name). Other names and IP literals resolve as usual."""
    answers: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in answers:
            return real(host, port, family, type, proto, flags)
        if not answers[name]:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        port = int(port or 0)
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
            if ":" in address
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in answers[name]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


@pytest.fixture
def allow(app):
    """``allow(*origins)``: the app's PUSH_ALLOWED_ORIGINS; none until a test says so."""

    def set_origins(*origins: str) -> None:
        app.config["PUSH_ALLOWED_ORIGINS"] = origins

    set_origins()
    return set_origins


class CountingServer(ThreadingHTTPServer):
    """An "internal" HTTP service on loopback that counts every connection made to it (TLS or
    not) and answers POSTs with ``status``."""

    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1", port: int = 0, status: int = 201) -> None:
        self.connections = 0
        self.status = status
        super().__init__((host, port), _answer)
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.start()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def verify_request(self, request, client_address) -> bool:
        self.connections += 1
        return True

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)


class _answer(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(self.server.status)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()

    def log_message(self, format, *args):
        pass


@pytest.fixture
def inside():
    """An internal service on 127.0.0.1 that must never be reached."""
    server = CountingServer()
    yield server
    server.stop()


# -- subscribing ---------------------------------------------------------------------------------

REFUSED = {
    "loopback": ("https://127.0.0.1/push/x", NOT_PUBLIC),
    "loopback with a port": ("https://127.0.0.1:8443/push/x", NOT_PUBLIC),
    "127.0.0.2": ("https://127.0.0.2/push/x", NOT_PUBLIC),
    "127.1": ("https://127.1/push/x", NOT_PUBLIC),
    "loopback as a number": ("https://2130706433/push/x", NOT_PUBLIC),
    "localhost": ("https://localhost/push/x", NOT_PUBLIC),
    "10/8": ("https://10.1.2.3/push/x", NOT_PUBLIC),
    "172.16/12": ("https://172.20.0.1/push/x", NOT_PUBLIC),
    "192.168/16": ("https://192.168.1.10/push/x", NOT_PUBLIC),
    "cloud metadata": ("https://169.254.169.254/latest/meta-data/", NOT_PUBLIC),
    "CGNAT": ("https://100.64.0.1/push/x", NOT_PUBLIC),
    "unspecified": ("https://0.0.0.0/push/x", NOT_PUBLIC),
    "multicast": ("https://239.1.2.3/push/x", NOT_PUBLIC),
    "reserved": ("https://240.0.0.1/push/x", NOT_PUBLIC),
    "documentation": ("https://192.0.2.1/push/x", NOT_PUBLIC),
    "IPv6 loopback": ("https://[::1]/push/x", NOT_PUBLIC),
    "IPv4-mapped loopback": ("https://[::ffff:127.0.0.1]/push/x", NOT_PUBLIC),
    "IPv4-mapped private": ("https://[::ffff:a00:1]/push/x", NOT_PUBLIC),
    "IPv4-compatible loopback": ("https://[::127.0.0.1]/push/x", NOT_PUBLIC),
    "6to4 loopback": ("https://[2002:7f00:1::1]/push/x", NOT_PUBLIC),
    "NAT64 private": ("https://[64:ff9b::a00:1]/push/x", NOT_PUBLIC),
    "IPv6 link-local": ("https://[fe80::1]/push/x", NOT_PUBLIC),
    "IPv6 unique local": ("https://[fd00::1]/push/x", NOT_PUBLIC),
    "IPv6 multicast": ("https://[ff0e::1]/push/x", NOT_PUBLIC),
    "a name for a private address": ("https://intranet.corp.test/push/x", NOT_PUBLIC),
    "a name for a public and a private address": ("https://mixed.push.test/x", NOT_PUBLIC),
    "a name for IPv6 loopback": ("https://six.push.test/x", NOT_PUBLIC),
    "a name that does not exist": ("https://nowhere.push.test/x", NOT_FOUND),
    "plain http to a public host": ("http://push.public.test/push/x", NOT_HTTPS),
    "plain http to loopback": ("http://127.0.0.1:8123/push/x", NOT_HTTPS),
    "user name": ("https://user@push.public.test/push/x", USERINFO),
    "user name and password": ("https://user:secret@push.public.test/push/x", USERINFO),
    "empty user name": ("https://@push.public.test/push/x", USERINFO),
    "user name before a loopback host": ("https://push.public.test@127.0.0.1/x", USERINFO),
}


@pytest.fixture
def names(dns):
    """The made-up names the examples use, as a fake DNS answers them."""
    dns["push.public.test"] = [PUBLIC_IP, PUBLIC_IPV6]
    dns["intranet.corp.test"] = ["10.0.0.7"]
    dns["mixed.push.test"] = [PUBLIC_IP, "192.168.0.9"]
    dns["six.push.test"] = ["::1"]
    dns["nowhere.push.test"] = []
    return dns


@pytest.mark.parametrize(("endpoint", "why"), REFUSED.values(), ids=REFUSED.keys())
def test_an_endpoint_careobs_must_not_post_to_is_refused_and_not_stored(
    endpoint, why, client, auth, org, db, allow, names
):
    auth.login(org.supervisor)

    response = client.post(SUBSCRIPTIONS_URL, json=subscription(endpoint))

    body = assert_json_error(response, 400, "push_endpoint_not_allowed")
    assert body["error"]["message"] == why
    assert subscriptions(db) == []


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://push.public.test/" + "x" * 2000,
        "https://push.public.test/push/x y",
        "https://push.public.test/push/\x00",
        "https://push.public.test:99999/push/x",
        "https://push.public.test:0/push/x",
        "https://pùsh.public.test/push/x",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_FLUSHALL",
        "https://[::1/push/x",
        "https://]push[/x",
    ],
    ids=[
        "overlong",
        "space",
        "NUL",
        "bad port",
        "port 0",
        "not ascii",
        "file",
        "gopher",
        "unclosed bracket",
        "brackets around a name",
    ],
)
def test_an_endpoint_that_is_not_an_https_url_is_an_invalid_subscription(
    endpoint, client, auth, org, db, allow, names
):
    auth.login(org.supervisor)

    response = client.post(SUBSCRIPTIONS_URL, json=subscription(endpoint))

    assert_json_error(response, 400, "invalid_subscription")
    assert subscriptions(db) == []


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://push.public.test/push/abc",
        "https://push.public.test:8443/push/abc",
        f"https://{PUBLIC_IP}/push/abc",
        f"https://[{PUBLIC_IPV6}]/push/abc",
    ],
    ids=["name", "name and port", "IPv4", "IPv6"],
)
def test_a_public_https_endpoint_is_stored(endpoint, client, auth, org, db, allow, names):
    auth.login(org.supervisor)

    response = client.post(SUBSCRIPTIONS_URL, json=subscription(endpoint))

    assert response.status_code == 201, response.get_data(as_text=True)
    assert [row.endpoint for row in subscriptions(db)] == [endpoint]


# -- origins the administrator allowed -------------------------------------------------------


ALLOWED = [
    ("http://127.0.0.1", "http://127.0.0.1:8123/push/abc", 201),
    ("http://127.0.0.1", "http://127.0.0.1/push/abc", 201),
    ("http://127.0.0.1/", "http://127.0.0.1:8123/push/abc", 201),
    ("http://127.0.0.1", "https://127.0.0.1:8123/push/abc", 400),  # another scheme
    ("http://127.0.0.1", "http://127.0.0.2:8123/push/abc", 400),  # another host
    ("http://127.0.0.1", "http://user@127.0.0.1:8123/push/abc", 400),  # never a user name
    ("https://push.corp.test:8443", "https://push.corp.test:8443/push/abc", 201),
    ("https://PUSH.corp.test:8443", "https://push.corp.test.:8443/push/abc", 201),
    ("https://push.corp.test:8443", "https://push.corp.test:9443/push/abc", 400),
    ("https://push.corp.test:8443", "https://push.corp.test/push/abc", 400),
    ("https://push.corp.test:443", "https://push.corp.test/push/abc", 201),
    ("https://push.corp.test", "https://push.corp.test:9443/push/abc", 201),
    ("https://push.corp.test", "http://push.corp.test/push/abc", 400),
]


@pytest.mark.parametrize(("origin", "endpoint", "status"), ALLOWED)
def test_an_allowed_origin_may_be_http_or_private_and_a_port_in_it_must_match(
    origin, endpoint, status, client, auth, org, db, allow, dns
):
    dns["push.corp.test"] = ["10.0.0.8"]
    allow("https://elsewhere.test", origin)
    auth.login(org.supervisor)

    response = client.post(SUBSCRIPTIONS_URL, json=subscription(endpoint))

    assert response.status_code == status, response.get_data(as_text=True)
    stored = [row.endpoint for row in subscriptions(db)]
    assert stored == ([endpoint] if status == 201 else [])


def test_allowed_origins_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(
        "CAREOBS_PUSH_ALLOWED_ORIGINS", " http://127.0.0.1 ,https://push.corp.test:8443/,, "
    )

    settings = config.from_environment(tmp_path, {"SECRET_KEY": "k" * 40})

    assert settings["PUSH_ALLOWED_ORIGINS"] == ("http://127.0.0.1", "https://push.corp.test:8443")


def test_no_origin_is_allowed_by_default(monkeypatch, tmp_path):
    monkeypatch.delenv("CAREOBS_PUSH_ALLOWED_ORIGINS", raising=False)

    settings = config.from_environment(tmp_path, {"SECRET_KEY": "k" * 40})

    assert settings["PUSH_ALLOWED_ORIGINS"] == ()


@pytest.mark.parametrize(
    "value",
    [
        "127.0.0.1:8123",
        "ftp://push.corp.test",
        "https://push.corp.test/push",
        "https://user@push.corp.test",
        "https://push.corp.test:99999",
        "https://",
        "http://127.0.0.1?x=1",
        "http://[::1",
    ],
)
def test_a_setting_that_is_not_a_list_of_origins_stops_startup(value, monkeypatch, tmp_path):
    monkeypatch.setenv("CAREOBS_PUSH_ALLOWED_ORIGINS", f"http://127.0.0.1,{value}")

    with pytest.raises(config.ConfigError, match="CAREOBS_PUSH_ALLOWED_ORIGINS"):
        config.from_environment(tmp_path, {"SECRET_KEY": "k" * 40})


# -- sending -------------------------------------------------------------------------------------


def test_a_stored_endpoint_that_now_resolves_privately_is_not_sent_to(
    push_service, keys, org, subscribe, tell, deliver, db, allow, dns, inside
):
    """Subscribed while its name was public; by the time a push is due the name points inside.
    The message fails unsent, and the queue goes on to the next one."""
    allow("http://127.0.0.1")  # the loopback push service of the other device
    dns["push.rebound.test"] = [PUBLIC_IP]
    rebound = subscription(f"https://push.rebound.test:{inside.port}/push/sue")
    subscribe(org.supervisor, rebound)
    subscribe(org.supervisor, push_service.subscription("sue"))
    dns["push.rebound.test"] = ["127.0.0.1"]
    tell(org.supervisor)

    report = deliver()

    assert inside.connections == 0
    assert (report.sent, report.failed, report.retry) == (1, 1, 0)
    assert len(push_service.delivered("sue")) == 1
    row = subscription_row(db, rebound["endpoint"])
    [refused] = messages(db, PushMessage.subscription_id == row.id)
    assert refused.status == "failed"
    assert refused.last_error == f"refused endpoint: {NOT_PUBLIC}"
    assert report.errors == [refused.last_error]
    assert row.failure_count == 1


def test_a_name_that_does_not_resolve_when_sending_is_tried_again_later(
    keys, org, subscribe, tell, deliver, db, allow, dns
):
    """The resolver may be down for a while: that is no reason to give up on the device."""
    dns["push.public.test"] = [PUBLIC_IP]
    endpoint = "https://push.public.test/push/sue"
    subscribe(org.supervisor, subscription(endpoint))
    dns["push.public.test"] = []
    tell(org.supervisor)

    report = deliver()

    assert (report.sent, report.retry, report.failed) == (0, 1, 0)
    [message] = messages(db)
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.last_error == f"network: NameNotFound: {NOT_FOUND}"
    assert subscription_row(db, endpoint).failure_count == 0


def test_an_endpoint_stored_before_the_rule_is_checked_when_sending(
    keys, org, tell, deliver, db, allow, inside
):
    """A row an older careobs stored (plain http to loopback) is never sent to."""
    endpoint = f"http://127.0.0.1:{inside.port}/internal/admin/purge?confirm=yes"
    db.add(
        PushSubscription(
            user_id=org.supervisor.id, endpoint=endpoint, p256dh=BROWSER.p256dh, auth=BROWSER.auth
        )
    )
    db.commit()
    tell(org.supervisor)

    report = deliver()

    assert inside.connections == 0
    assert report.failed == 1
    [message] = messages(db)
    assert (message.status, message.last_error) == ("failed", f"refused endpoint: {NOT_HTTPS}")


def test_a_push_service_redirect_is_not_followed(
    push_service, keys, org, subscribe, tell, deliver, db, allow, inside
):
    allow("http://127.0.0.1")  # even a redirect to an allowed origin is not followed
    push_service.respond(
        "sue",
        307,
        {"Location": f"http://127.0.0.1:{inside.port}/internal/admin/purge?confirm=yes"},
    )
    subscribe(org.supervisor, push_service.subscription("sue"))
    tell(org.supervisor)

    report = deliver()

    assert inside.connections == 0
    assert [r.status for r in push_service.to("sue")] == [307]
    assert report.failed == 1
    [message] = messages(db)
    assert message.status == "failed"
    assert message.last_error.startswith("307")


def test_the_connection_goes_to_the_address_that_was_checked(monkeypatch, dns, inside):
    """DNS switches to an internal address right after careobs checked the name: the push
    still goes to the address that was checked, never to the new one."""
    checked = CountingServer("127.0.0.2", inside.port)  # stands for a public push service
    real_is_public = endpoints.is_public
    monkeypatch.setattr(
        endpoints, "is_public", lambda a: str(a) == "127.0.0.2" or real_is_public(a)
    )
    dns["push.rebinding.test"] = ["127.0.0.2"]

    def check_then_rebind(host, port):
        addresses = endpoints.public_addresses(host, port)
        dns["push.rebinding.test"] = ["127.0.0.1"]
        return addresses

    monkeypatch.setattr(transport, "public_addresses", check_then_rebind)
    try:
        with PushSession() as session:
            response = session.post(
                f"http://push.rebinding.test:{inside.port}/push/sue", data=b"x", timeout=5
            )
    finally:
        checked.stop()

    assert response.status_code == 201
    assert (checked.connections, inside.connections) == (1, 0)


def test_the_session_refuses_to_connect_to_a_private_address(dns, inside):
    dns["push.rebinding.test"] = ["127.0.0.1"]

    with PushSession() as session, pytest.raises(endpoints.RefusedEndpoint, match="private"):
        session.post(f"https://push.rebinding.test:{inside.port}/push/sue", data=b"x", timeout=5)

    assert inside.connections == 0


def test_the_session_ignores_proxies_from_the_environment(monkeypatch, inside):
    """A proxy would make the address check meaningless: it resolves the name itself."""
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{inside.port}")
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{inside.port}")
    monkeypatch.setenv("NO_PROXY", "")

    with PushSession(public_only=False) as session, pytest.raises(requests.ConnectionError):
        session.post("http://127.0.0.1:9/push/sue", data=b"x", timeout=2)

    assert inside.connections == 0
