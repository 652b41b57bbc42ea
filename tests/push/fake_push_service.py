"""A real Web Push service on 127.0.0.1 for the tests, as tech notes §4.4 describe.

It plays both ends a browser normally hides: it makes the "browser" subscription keys (a P-256 key
and a 16-byte auth secret) and, when careobs POSTs a push, it checks what a real push service
checks — the ``TTL``, ``Content-Encoding: aes128gcm`` and ``Authorization: vapid t=…,k=…``
headers, the VAPID signature and claims (``aud`` is this service's origin, ``sub`` a mailto: or
https: contact, ``exp`` in the future and at most 24 hours away) — then decrypts the body with the
subscription's private key exactly as the browser would, and records it.

Each subscription path answers 201 unless the test says otherwise with :meth:`respond`
(404, 410, 413, 400, 500, or 429 with ``Retry-After``) or :meth:`hang` (never answers until the
service stops). A subscription made with ``server_key=`` is bound to that VAPID public key, as
browsers bind theirs to the ``applicationServerKey``: pushes signed with any other key are
answered 403, as real push services do after the key was replaced. A request that fails the
checks is answered 400/401 and kept in :attr:`FakePushService.problems`; the fixture fails the
test when any is left at the end, so a broken sender can never pass unnoticed.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02, _check_sub
from py_vapid import jwt as vapid_jwt
from requests.structures import CaseInsensitiveDict

PUSH_PREFIX = "/push/"
MAX_PAYLOAD = 4096  # what every push service must accept (RFC 8030 §7.2)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """The keys a browser keeps for one subscription."""

    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @classmethod
    def new(cls) -> Browser:
        return cls(ec.generate_private_key(ec.SECP256R1()), os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)


@dataclass
class Received:
    """One push the service accepted the format of (whatever status it then answered)."""

    path: str
    headers: CaseInsensitiveDict  # header names in any case, as HTTP has them
    body: bytes
    plaintext: bytes
    claims: dict
    vapid_public_key: str  # the k= of the Authorization header
    status: int  # what the service answered

    @property
    def payload(self) -> dict:
        return json.loads(self.plaintext)

    @property
    def ttl(self) -> int:
        return int(self.headers["TTL"])


@dataclass
class Problem:
    path: str
    reason: str
    headers: CaseInsensitiveDict = field(default_factory=CaseInsensitiveDict)


class FakePushService:
    """Start with :meth:`start` (the fixture does), stop with :meth:`stop`."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.problems: list[Problem] = []
        self._browsers: dict[str, Browser] = {}
        self._answers: dict[str, tuple[int, dict[str, str]]] = {}
        self._bound_keys: dict[str, str] = {}
        self._hanging: set[str] = set()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- set-up ------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def endpoint(self, path: str) -> str:
        return f"{self.origin}{PUSH_PREFIX}{path}"

    def subscription(self, path: str, server_key: str | None = None) -> dict:
        """A new browser subscription at ``/push/<path>``, as ``PushSubscription.toJSON()``;
        with ``server_key`` (base64url) it only accepts pushes signed with that VAPID key."""
        browser = Browser.new()
        with self._lock:
            self._browsers[path] = browser
            if server_key:
                self._bound_keys[path] = server_key
        return {
            "endpoint": self.endpoint(path),
            "keys": {"p256dh": browser.p256dh, "auth": browser.auth},
        }

    def respond(self, path: str, status: int, headers: dict[str, str] | None = None) -> None:
        """Answer pushes to ``path`` with this status from now on."""
        with self._lock:
            self._answers[path] = (status, dict(headers or {}))

    def hang(self, path: str) -> None:
        """Read pushes to ``path`` and never answer them (until the service stops)."""
        with self._lock:
            self._hanging.add(path)

    def answer_again(self, path: str) -> None:
        """Stop hanging on new pushes to ``path``."""
        with self._lock:
            self._hanging.discard(path)

    def start(self) -> FakePushService:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-push-service",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- what arrived --------------------------------------------------------------------------

    def to(self, path: str) -> list[Received]:
        """Every push that reached ``/push/<path>``, in order."""
        with self._lock:
            return [r for r in self.received if r.path == path]

    def delivered(self, path: str) -> list[dict]:
        """The decrypted payloads accepted (2xx) at ``/push/<path>``."""
        return [r.payload for r in self.to(path) if 200 <= r.status < 300]

    # -- the push service itself -------------------------------------------------------------

    def _handle(self, path: str, headers: CaseInsensitiveDict, body: bytes) -> tuple[int, dict]:
        if not path.startswith(PUSH_PREFIX):
            return 404, {}
        name = path[len(PUSH_PREFIX) :]
        with self._lock:
            browser = self._browsers.get(name)
            answer = self._answers.get(name, (201, {"Location": f"{self.origin}/message/1"}))
        if browser is None:
            return 404, {}
        try:
            claims, vapid_key = self._check_vapid(headers)
        except AssertionError as exc:
            self.problems.append(Problem(name, f"VAPID: {exc}", headers))
            return 401, {}
        try:
            self._check_headers(headers, body)
            plaintext = http_ece.decrypt(
                body,
                private_key=browser.private_key,
                auth_secret=browser.auth_secret,
                version="aes128gcm",
            )
        except Exception as exc:  # every way a push can be malformed is the sender's bug
            self.problems.append(Problem(name, f"{type(exc).__name__}: {exc}", headers))
            return 400, {}
        status, extra = answer
        with self._lock:
            bound = self._bound_keys.get(name)
            hanging = name in self._hanging
        if bound is not None and vapid_key.rstrip("=") != bound.rstrip("="):
            status, extra = 403, {}  # signed with another key than the subscription's
        if hanging:
            self._stopping.wait(60)
        with self._lock:
            self.received.append(
                Received(name, headers, body, plaintext, claims, vapid_key, status)
            )
        return status, extra

    def _check_headers(self, headers: CaseInsensitiveDict, body: bytes) -> None:
        ttl = headers.get("TTL", "")
        assert ttl.isdigit() and int(ttl) > 0, f"TTL must be a positive number, got {ttl!r}"
        encoding = headers.get("Content-Encoding")
        assert encoding == "aes128gcm", f"Content-Encoding must be aes128gcm, got {encoding!r}"
        assert 0 < len(body) <= MAX_PAYLOAD, f"body of {len(body)} bytes"

    def _check_vapid(self, headers: CaseInsensitiveDict) -> tuple[dict, str]:
        authorization = headers.get("Authorization", "")
        scheme, _, params = authorization.partition(" ")
        assert scheme == "vapid", f"Authorization must use the vapid scheme: {authorization!r}"
        parts = dict(p.split("=", 1) for p in params.split(",") if "=" in p)
        assert set(parts) == {"t", "k"}, f"Authorization needs t= and k=: {authorization!r}"
        assert Vapid02.verify(authorization), "the VAPID signature does not verify"
        header = json.loads(b64url_decode(parts["t"].split(".")[0]))
        assert header == {"typ": "JWT", "alg": "ES256"}, f"JWT header {header}"
        claims = vapid_jwt.decode(parts["t"], parts["k"])  # checks the signature again
        assert claims.get("aud") == self.origin, f"aud {claims.get('aud')!r} != {self.origin}"
        assert _check_sub(claims.get("sub", "")), f"sub {claims.get('sub')!r}"
        now = time.time()
        assert now < claims.get("exp", 0) <= now + 24 * 3600 + 60, f"exp {claims.get('exp')}"
        return claims, parts["k"]


def _handler_for(service: FakePushService):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            try:
                status, extra = service._handle(
                    self.path, CaseInsensitiveDict(self.headers.items()), body
                )
            except Exception as exc:  # never let a bug here hang the sender
                service.problems.append(Problem(self.path, f"fake service: {exc!r}"))
                status, extra = 500, {}
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()

        def log_message(self, format, *args):
            pass

    return Handler
