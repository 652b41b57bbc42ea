"""Which push endpoints careobs sends to: https on public addresses only, so that a subscription
cannot make the server POST to itself or to its local network (server-side request forgery).

An administrator may allow other origins (a push service on loopback for tests and local
development) with CAREOBS_PUSH_ALLOWED_ORIGINS. Endpoints are checked when a browser subscribes,
again before each push and once more when connecting (transport.py), as DNS answers change.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import SplitResult, urlsplit

MAX_LENGTH = 2000
DEFAULT_PORTS = {"http": 80, "https": 443}
# NAT64 addresses (RFC 6052) carry an IPv4 address in their last 32 bits.
NAT64 = ipaddress.ip_network("64:ff9b::/96")

NOT_HTTPS = "This browser's push service address does not use https, so careobs cannot use it."
USERINFO = (
    "This browser's push service address contains a user name or password, "
    "which careobs does not accept."
)
NOT_FOUND = "The address of this browser's push service could not be found."
NOT_PUBLIC = (
    "This browser's push service is on a private or local network address, "
    "which careobs never sends to."
)


class RefusedEndpoint(ValueError):
    """An endpoint careobs must not send to; the message says why, for the person subscribing."""


class NameNotFound(RefusedEndpoint):
    """The host name did not resolve: refused when subscribing, tried again later when sending
    (the resolver may only be down for a while)."""

    def __init__(self) -> None:
        super().__init__(NOT_FOUND)


class MalformedEndpoint(RefusedEndpoint):
    """Not an http(s) URL with a host at all."""

    def __init__(self) -> None:
        super().__init__("The push endpoint is not an https address.")


def parse(value) -> SplitResult:
    """The parts of an endpoint URL; raises MalformedEndpoint for anything else."""
    if (
        not isinstance(value, str)
        or len(value) > MAX_LENGTH
        or not value.isascii()
        or not value.isprintable()
        or " " in value
    ):
        raise MalformedEndpoint
    try:
        parts = urlsplit(value)  # raises ValueError for brackets that are not an IPv6 address
        port = parts.port  # raises ValueError for a port that is not a number from 0 to 65535
    except ValueError:
        raise MalformedEndpoint from None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or port == 0:
        raise MalformedEndpoint
    return parts


def check(value, allowed_origins: Iterable[str] = ()) -> SplitResult:
    """The parts of an endpoint careobs may POST to now; raises RefusedEndpoint otherwise.

    Allowed: an origin listed in ``allowed_origins``, or https on a host whose every address is
    public. Never a URL with a user name or password in it.
    """
    parts = parse(value)
    if parts.username is not None or parts.password is not None:
        raise RefusedEndpoint(USERINFO)
    if is_allowed(parts, allowed_origins):
        return parts
    if parts.scheme != "https":
        raise RefusedEndpoint(NOT_HTTPS)
    public_addresses(parts.hostname, parts.port or DEFAULT_PORTS["https"])
    return parts


def is_allowed(parts: SplitResult, allowed_origins: Iterable[str]) -> bool:
    """Whether the endpoint is on an origin the administrator allowed; an origin listed without
    a port allows every port of its host (``http://127.0.0.1`` allows ``:8123``)."""
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    for origin in allowed_origins:
        try:
            allowed = urlsplit(origin.strip())
            allowed_port = allowed.port
        except ValueError:
            continue
        if (
            allowed.scheme.lower() == parts.scheme
            and _host(allowed.hostname) == _host(parts.hostname)
            and allowed_port in (None, port)
        ):
            return True
    return False


def _host(name: str | None) -> str:
    return (name or "").lower().rstrip(".")


def public_addresses(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to, when every one of them is public.

    Raises RefusedEndpoint when the name cannot be resolved or any address is not public: a
    name with one private address among public ones could still lead careobs inside.
    """
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        raise NameNotFound from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    if not addresses:
        raise NameNotFound
    if not all(_is_public_text(address) for address in addresses):
        raise RefusedEndpoint(NOT_PUBLIC)
    return addresses


def _is_public_text(text: str) -> bool:
    try:
        return is_public(ipaddress.ip_address(text))
    except ValueError:
        return False


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether ``address`` is on the public internet.

    ``is_global`` alone is not enough on Python 3.11: it calls multicast addresses global, and
    some IPv6 forms that carry an IPv4 address (6to4, NAT64) too whatever that address is. Those
    forms are judged by the IPv4 address they carry; the other reserved IPv6 ranges (among them
    the deprecated IPv4-compatible ``::127.0.0.1``) are refused.
    """
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(embedded)
    return address.is_global and not (address.is_multicast or address.is_reserved)
