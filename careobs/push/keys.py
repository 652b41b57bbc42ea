"""The VAPID key pair that identifies careobs to push services, generated once and kept.

Every browser subscription is bound to the public key, so losing or replacing the key silently
breaks every device's notifications: careobs refuses to replace an existing key without --force
and refuses to make a new one while subscriptions exist that the old key would be needed for.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

KEY_FILE = "vapid.json"


@dataclass(frozen=True)
class VapidKeys:
    private_key: str  # base64url of the raw 32-byte private scalar
    public_key: str  # base64url of the 65-byte uncompressed point (applicationServerKey)
    subject: str  # mailto: or https: contact for push services


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def generate(subject: str) -> VapidKeys:
    """A fresh P-256 key pair."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return VapidKeys(b64url(private), b64url(public), subject)


def key_path(instance_path: str) -> Path:
    return Path(instance_path) / KEY_FILE


def load(instance_path: str) -> VapidKeys | None:
    """The keys from the environment (VAPID_PRIVATE_KEY/PUBLIC_KEY/SUBJECT) or the instance
    folder; None when there are none yet."""
    env_private, env_public = (
        os.environ.get("VAPID_PRIVATE_KEY"),
        os.environ.get("VAPID_PUBLIC_KEY"),
    )
    if env_private and env_public:
        return VapidKeys(
            env_private, env_public, os.environ.get("VAPID_SUBJECT", "mailto:admin@example.invalid")
        )
    path = key_path(instance_path)
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    return VapidKeys(data["private_key"], data["public_key"], data["subject"])


def save(instance_path: str, keys: VapidKeys) -> Path:
    """Write the keys readable only by their owner."""
    path = key_path(instance_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # O_CREAT's mode only applies to a new file, not one replaced
    with os.fdopen(fd, "w") as fh:
        json.dump(
            {
                "private_key": keys.private_key,
                "public_key": keys.public_key,
                "subject": keys.subject,
            },
            fh,
        )
    return path


def lost_key_message(instance_path: str, subscribed: int, start_again: str) -> str:
    """Why careobs will not make a new key while devices are subscribed with a lost one."""
    return (
        f"No key was found but {subscribed} devices subscribed with one: restore "
        f"{key_path(instance_path)} (or VAPID_* variables) from your backup, or {start_again} "
        "to start again (every device must then turn notifications on again)."
    )
