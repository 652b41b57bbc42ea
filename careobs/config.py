"""Configuration read from the environment, with safe defaults for a single-site install."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

UNSAFE_KEYS = {"", "dev", "devkey", "secret", "changeme", "change-me", "development", "test"}


class ConfigError(RuntimeError):
    """The configuration would make the app unsafe or unusable; raised before serving anything."""


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the instance folder.

    Keeping it means a restart does not log everybody out.
    """
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
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
        "LOGIN_WINDOW": timedelta(minutes=15),
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": _env_int("CAREOBS_LOGIN_MAX_FAILURES_PER_ACCOUNT", 5),
        "LOGIN_MAX_FAILURES_PER_IP": _env_int("CAREOBS_LOGIN_MAX_FAILURES_PER_IP", 20),
        "PROXY_FIX": os.environ.get("CAREOBS_PROXY_FIX", "") not in ("", "0", "false"),
        # Send queued pushes from a thread after the response; cron runs `careobs push send` too.
        "PUSH_DELIVERY_THREAD": True,
    }


def check(config: dict) -> None:
    """Refuse to start production with settings that would expose users."""
    if not config.get("CAREOBS_PRODUCTION"):
        return
    key = str(config.get("SECRET_KEY") or "")
    if key.lower() in UNSAFE_KEYS or len(key) < 32:
        raise ConfigError(
            "CAREOBS_ENV=production needs a SECRET_KEY of at least 32 random characters "
            "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
        )
