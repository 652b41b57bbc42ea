"""The CSRF token, masked anew wherever a page carries it, so compression cannot leak it (BREACH).

Pages are compressed (Flask-Compress), and many echo what a request sent (the dashboards'
filters, the "log in again" link's next address) beside the session's CSRF token. An attacker
who can make a victim's browser send requests, and see the compressed sizes, could then guess
the token a character at a time. Flask-WTF's signed token is the same in every page of a session,
so each page here carries it masked instead: ``m1.`` and the token XOR-ed with fresh random bytes,
those bytes in front — different in every page, and in every place of the same page. A masked
token sent back (form field or X-CSRFToken header) is unmasked before Flask-WTF checks it; an
unmasked one (as ``/api/v1/csrf`` gives it, in JSON that echoes nothing) is checked as it is.
"""

from __future__ import annotations

import base64
import binascii
import os

from flask import Flask, Response, g
from flask_wtf.csrf import CSRFProtect

PREFIX = "m1."


def mask(token: str) -> str:
    """``token`` under fresh random bytes: never the same text twice."""
    raw = token.encode()
    pad = os.urandom(len(raw))
    hidden = bytes(a ^ b for a, b in zip(pad, raw, strict=True))
    return PREFIX + base64.urlsafe_b64encode(pad + hidden).decode()


def unmask(value: str | None) -> str | None:
    """The token a masked value carries; any other value as it is (Flask-WTF then judges it)."""
    if not value or not value.startswith(PREFIX):
        return value
    try:
        data = base64.urlsafe_b64decode(value[len(PREFIX) :].encode())
    except (binascii.Error, ValueError):
        return value
    half = len(data) // 2
    if not half or len(data) != 2 * half:
        return value
    token = bytes(a ^ b for a, b in zip(data[:half], data[half:], strict=True))
    try:
        return token.decode("ascii")
    except UnicodeDecodeError:
        return value


class MaskedCSRFProtect(CSRFProtect):
    """Flask-WTF's protection, reading masked tokens as well as plain ones."""

    def _get_csrf_token(self):
        return unmask(super()._get_csrf_token())


def mask_tokens_in_page(response: Response) -> Response:
    """Each place an HTML page names this request's signed token gets its own mask.

    Runs after the capture pages' ETag is taken (over the page with the token as it was) and
    before compression (see careobs/__init__.py)."""
    token = g.get("csrf_token")
    if (
        not token
        or response.mimetype != "text/html"
        or response.status_code != 200
        or response.direct_passthrough
        or response.is_streamed
    ):
        return response
    body = response.get_data()
    needle = token.encode()
    if needle not in body:
        return response
    first, *rest = body.split(needle)
    response.set_data(first + b"".join(mask(token).encode() + part for part in rest))
    return response


def init_app(app: Flask) -> None:
    app.after_request(mask_tokens_in_page)
