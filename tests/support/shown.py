"""What a page shows a reader: its text without the tags, whose attributes hold random tokens."""

from __future__ import annotations

import html
import re

TAG = re.compile(r"<[^>]*>")


def shown(page: str) -> str:
    """The page's text, tags (and the CSRF tokens and ids in their attributes) taken out: a
    check that a word never appears must not fail because a random token happened to spell it
    ("…3wUTCEdb…" in a CSRF token failed one that looked for "UTC")."""
    return html.unescape(TAG.sub(" ", page))
