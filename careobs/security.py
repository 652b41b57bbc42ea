"""Password hashing, password rules and the security headers every response carries."""

from __future__ import annotations

from functools import cache
from importlib import resources

from flask import Flask, current_app, request
from werkzeug.security import check_password_hash, generate_password_hash

MIN_PASSWORD_LENGTH = 12

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# A hash to check against when the email is unknown, so a miss costs as much as a wrong password.
_DUMMY_HASH: dict[str, str] = {}


def hash_password(password: str) -> str:
    """Hash a password with the configured method (scrypt in production)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash (unknown user, invitation pending) do the same work anyway."""
    if not password_hash:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        if method not in _DUMMY_HASH:
            _DUMMY_HASH[method] = generate_password_hash("not-a-real-password", method=method)
        check_password_hash(_DUMMY_HASH[method], password)
        return False
    return check_password_hash(password_hash, password)


@cache
def common_passwords() -> frozenset[str]:
    """Passwords attackers try first; none of them may be chosen."""
    text = resources.files("careobs").joinpath("data/common-passwords.txt").read_text("utf-8")
    lines = (line.strip().lower() for line in text.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def password_problems(password: str, email: str) -> list[str]:
    """Why a new password is not acceptable; an empty list means it is."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    lowered = password.strip().lower()
    local_part = email.split("@")[0].lower()
    if lowered == email.lower() or (len(local_part) >= 4 and lowered == local_part):
        problems.append("Do not use your email address as your password.")
    if lowered in common_passwords() or len(set(lowered)) <= 2:
        problems.append("This password is too common; choose something less predictable.")
    return problems


def headers_for_every_response(production: bool) -> dict[str, str]:
    """Strict CSP (no inline code), no sniffing, no framing: on every response, whoever answers
    it (Flask, or WhiteNoise for static files)."""
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    }
    if production:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return headers


def add_security_headers(response):
    """The headers for every response, and what may cache it."""
    production = bool(current_app.config.get("CAREOBS_PRODUCTION"))
    for name, value in headers_for_every_response(production).items():
        response.headers.setdefault(name, value)
    if request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
    elif response.mimetype == "text/html":
        # Pages can hold names of staff: never kept by shared caches.
        response.headers.setdefault("Cache-Control", "private, no-cache")
    return response


def init_app(app: Flask) -> None:
    """Attach the headers hook."""
    app.after_request(add_security_headers)
