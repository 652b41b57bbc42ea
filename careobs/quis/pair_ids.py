"""How two devices agree on a pair id without a server: the lead's short code.

The lead observer's device makes a short code and shows it; the second observer types it in,
online or not. Both devices derive the same pair id from the service and the code
(``uuid5(PAIR_NAMESPACE, "<service uuid>:<CODE>")``), so two sessions recorded with no signal
still name the same pair. static/js/quis-recorder.js derives it the same way; a test holds the
two to the same answer.
"""

from __future__ import annotations

import re
import secrets
import uuid

PAIR_NAMESPACE = uuid.UUID("6f1c7a52-3d0e-5b8a-9c41-0a9e2f4d7b13")
# No 0/O, 1/I/L: a code is read aloud across a lounge and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
_CODE = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(text: str) -> str | None:
    """The code as typed (spaces, dashes and case forgiven), or None if it cannot be one."""
    code = re.sub(r"[\s-]", "", text).upper()
    return code if _CODE.fullmatch(code) else None


def pair_id_for(service_id: uuid.UUID, code: str) -> uuid.UUID:
    """The pair id both devices derive from the service's id and the lead's code."""
    return uuid.uuid5(PAIR_NAMESPACE, f"{service_id}:{code}")
