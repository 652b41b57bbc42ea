"""Reading a sync request body that may be hostile: JSON nested absurdly deep, text that no
database can store, content that cannot be fingerprinted.

Each problem is pinned on one document, so the device hears which record to look at and every
other document in the batch is still processed.
"""

from __future__ import annotations

import hashlib
import json
import math
import re

MAX_BODY_DEPTH = 64  # the envelope's own levels plus any document's
MAX_DATA_DEPTH = 16  # a document's data: the deepest real one has 4 levels
# What a value nested deeper than MAX_BODY_DEPTH is replaced with before parsing. It holds a NUL
# character, so a client sending this very text is refused anyway, for the same document.
TOO_DEEP = "\x00careobs:nested-too-deep"
_TOO_DEEP_JSON = json.dumps(TOO_DEEP)
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class Unreadable(ValueError):
    """The body is not JSON at all (or not UTF-8)."""


def parse_body(raw: bytes):
    """The JSON body, with any value nested deeper than MAX_BODY_DEPTH replaced by TOO_DEEP.

    Python's parser recurses, so a body nested 100,000 levels deep would raise RecursionError
    for the whole batch; cutting the deep values out first leaves one document to refuse.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unreadable("The body is not UTF-8 text.") from exc
    try:
        return json.loads(text)
    except RecursionError:
        pass
    except ValueError as exc:
        raise Unreadable("The body is not valid JSON.") from exc
    try:
        return json.loads(_cut_deep_values(text))
    except (ValueError, RecursionError) as exc:
        raise Unreadable("The body is not valid JSON.") from exc


def _cut_deep_values(text: str) -> str:
    """``text`` with every array or object opened below MAX_BODY_DEPTH replaced by TOO_DEEP."""
    parts, depth, kept_to, cut_from = [], 0, 0, None
    for token in _TOKEN.finditer(text):
        mark = token.group()
        if mark[0] == '"':
            continue
        if mark in "[{":
            depth += 1
            if depth == MAX_BODY_DEPTH + 1 and cut_from is None:
                cut_from = token.start()
            continue
        if depth == MAX_BODY_DEPTH + 1 and cut_from is not None:
            parts += [text[kept_to:cut_from], _TOO_DEEP_JSON]
            kept_to, cut_from = token.end(), None
        depth -= 1
    parts.append(text[kept_to:])
    return "".join(parts)


def fingerprint(data) -> str | None:
    """A SHA-256 of the data's canonical JSON, so an identical resend is recognised; None when
    the data holds something unstorable (find out what with ``problem``)."""
    try:
        canonical = json.dumps(
            data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
        encoded = canonical.encode()
    except (RecursionError, UnicodeEncodeError, ValueError):
        return None
    # "\u0000" in the JSON may be a NUL character (or harmless text that says "\u0000").
    if "\\u0000" in canonical and problem(data) is not None:
        return None
    return hashlib.sha256(encoded).hexdigest()


def problem(data) -> tuple[str, str] | None:
    """The first (field path, message) in ``data`` that no database could store, or None.

    Walks without recursion, so depth alone can never crash it. Paths are written as the
    validators write them: ``interactions[3].note``.
    """
    stack = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DATA_DEPTH:
            return path or "data", f"Nested more than {MAX_DATA_DEPTH} levels deep."
        if isinstance(value, str):
            if value == TOO_DEEP:
                return path or "data", f"Nested more than {MAX_DATA_DEPTH} levels deep."
            message = _text_problem(value)
            if message:
                return path or "data", message
        elif isinstance(value, float) and not math.isfinite(value):
            return path or "data", "Must be a finite number."
        elif isinstance(value, dict):
            for key, item in value.items():
                message = _text_problem(key)
                if message:
                    return path or "data", f"A field name is unusable: {message}"
                stack.append((item, f"{path}.{key}" if path else key, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value))
    return None


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "Contains a NUL character, which cannot be stored."
    try:
        text.encode()
    except UnicodeEncodeError:
        return "Contains a broken character (an unpaired surrogate), which cannot be stored."
    return None
