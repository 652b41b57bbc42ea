"""Configuration read from the environment, with safe defaults for a single-site install."""

from __future__ import annotations

import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

from careobs.push import endpoints

UNSAFE_KEYS = {"", "dev", "devkey", "secret", "changeme", "change-me", "development", "test"}
MIN_KEY_LENGTH = 32
# A long key made of few characters ("abababab...") is as guessable as a short one.
MIN_KEY_DISTINCT_CHARACTERS = 10
# How long a process starting with others waits for the key another one is writing.
KEY_WAIT_SECONDS = 5.0


class ConfigError(RuntimeError):
    """The configuration would make the app unsafe or unusable; raised before serving anything."""


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the instance folder.

    Keeping it means a restart does not log everybody out. Several processes may start at once
    (gunicorn -w 4) and find no key: each writes its own candidate to a private file and links
    it into place; the link fails for all but the first, and the others read the winner's key.
    The key file is thus never seen half written.
    """
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = instance_path / "secret_key"
    existing = _read_key(key_file)
    if existing:
        return existing
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    candidate = instance_path / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
        fh.flush()
        os.fsync(fh.fileno())
    try:
        os.link(candidate, key_file)
    except FileExistsError:
        return _wait_for_key(key_file)
    except OSError:
        # A file system without hard links: create the file exclusively instead; a process
        # that loses this race may briefly see it empty, so it waits for the content.
        return _create_exclusively(key_file, key)
    finally:
        candidate.unlink(missing_ok=True)
    return key


def _read_key(key_file: Path) -> str:
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        return ""


def _wait_for_key(key_file: Path) -> str:
    """The key another process is writing, once it is there."""
    deadline = time.monotonic() + KEY_WAIT_SECONDS
    while True:
        key = _read_key(key_file)
        if key:
            return key
        if time.monotonic() > deadline:
            raise ConfigError(
                f"The secret key file {key_file} is empty. Delete it to have a new key "
                "generated (everyone will have to log in again), or set SECRET_KEY."
            )
        time.sleep(0.02)


def _create_exclusively(key_file: Path, key: str) -> str:
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _wait_for_key(key_file)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from exc


def _env_origins(name: str) -> tuple[str, ...]:
    """Comma-separated origins (``scheme://host[:port]``), each checked so a typo stops startup."""
    origins = []
    for entry in os.environ.get(name, "").split(","):
        origin = entry.strip().rstrip("/")
        if not origin:
            continue
        try:
            parts = endpoints.parse(origin)
        except endpoints.MalformedEndpoint:
            parts = None
        if (
            parts is None
            or parts.username is not None
            or parts.path
            or parts.query
            or parts.fragment
        ):
            raise ConfigError(
                f"{name} must list origins like https://push.example.org:8443 or "
                f"http://127.0.0.1, separated by commas; got {entry.strip()!r}"
            )
        origins.append(origin)
    return tuple(origins)


def from_environment(instance_path: Path, overrides: dict | None = None) -> dict:
    """The settings for this process, before any explicit overrides passed to create_app.

    A SECRET_KEY given in ``overrides`` means no key file is read or written.
    """
    overrides = overrides or {}
    production = os.environ.get("CAREOBS_ENV", "development").lower() == "production"
    default_db = f"sqlite:///{instance_path / 'careobs.db'}"
    return {
        "CAREOBS_PRODUCTION": production,
        "DATABASE_URL": os.environ.get("DATABASE_URL") or default_db,
        "SECRET_KEY": overrides.get("SECRET_KEY") or _secret_key(instance_path),
        "PERMANENT_SESSION_LIFETIME": timedelta(days=_env_int("CAREOBS_SESSION_DAYS", 14)),
        # The session cookie is sent only when the session changes (a login, a flash, the
        # first request of each day of use: careobs.accounts.session), not on every response:
        # otherwise a request in flight while the user logs out (a page warming its offline
        # copies) sets the old cookie again over the logout's.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # A token valid for the session's life: pages opened offline keep working for hours.
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        "PASSWORD_HASH_METHOD": "scrypt",
        "INVITATION_MAX_AGE": timedelta(hours=72),
        "PASSWORD_RESET_MAX_AGE": timedelta(hours=72),
        "LOGIN_WINDOW": timedelta(minutes=15),
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": _env_int("CAREOBS_LOGIN_MAX_FAILURES_PER_ACCOUNT", 5),
        "LOGIN_MAX_FAILURES_PER_IP": _env_int("CAREOBS_LOGIN_MAX_FAILURES_PER_IP", 20),
        "PROXY_FIX": os.environ.get("CAREOBS_PROXY_FIX", "") not in ("", "0", "false"),
        # Where static files are written under content-hashed names, compressed (careobs/assets.py).
        "ASSET_DIR": os.environ.get("CAREOBS_ASSET_DIR") or str(instance_path / "assets"),
        # Send queued pushes from a thread after the response; cron runs `careobs push send` too.
        "PUSH_DELIVERY_THREAD": True,
        # Push services careobs may send to although they are on http or a private address
        # (a push service on loopback for tests and development); any other must be public https.
        "PUSH_ALLOWED_ORIGINS": _env_origins("CAREOBS_PUSH_ALLOWED_ORIGINS"),
        # Where the footer's "Source code" link goes (AGPL section 13): set it to your published
        # copy if you change careobs; empty: the archive this process serves at /source.
        "SOURCE_URL": os.environ.get("CAREOBS_SOURCE_URL", ""),
    }


def check(config: dict) -> None:
    """Refuse to start production with settings that would expose users."""
    if not config.get("CAREOBS_PRODUCTION"):
        return
    key = str(config.get("SECRET_KEY") or "")
    advice = (
        f"CAREOBS_ENV=production needs a SECRET_KEY of at least {MIN_KEY_LENGTH} random "
        "characters (for example: python -c 'import secrets; print(secrets.token_hex(32))')"
    )
    if key.lower() in UNSAFE_KEYS or len(key) < MIN_KEY_LENGTH:
        raise ConfigError(f"{advice}.")
    distinct = len(set(key))
    if distinct < MIN_KEY_DISTINCT_CHARACTERS:
        raise ConfigError(
            f"{advice}; this SECRET_KEY uses only {distinct} different "
            f"character{'s' if distinct != 1 else ''} (at least {MIN_KEY_DISTINCT_CHARACTERS} "
            "are needed), so it is too easy to guess."
        )
