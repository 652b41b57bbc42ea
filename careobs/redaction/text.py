"""Removing words from text, and finding a text in a document's JSON: pure functions, no Flask
or database.

What is removed is replaced by MARK, so a reader sees that something was there; the words
themselves are kept nowhere, not even as a count of their characters.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

MARK = "[redacted]"
MAX_SPAN = 2000  # longer than this: remove all of the text instead

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def span_problem(span: str) -> str | None:
    """Why ``span`` cannot be looked for in a record's text, in words, or None.

    The same rules as any text careobs stores: no NUL or other control characters (new lines
    and tabs are fine), no broken characters (unpaired surrogates), not only spaces.
    """
    if not span or not span.strip():
        return "Enter the exact words to remove, or choose to remove all of the text."
    if len(span) > MAX_SPAN:
        return (
            f"Enter at most {MAX_SPAN:,} characters; to remove more, choose to remove all"
            " of the text."
        )
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in span):
        return "Remove the invisible control characters from the words."
    try:
        span.encode()
    except UnicodeEncodeError:
        return "Remove the broken characters from the words."
    if MARK in span:
        return f"Enter only the words to remove, without {MARK}."
    return None


def one_line_break(value: str) -> str:
    """``value`` with every line break as ``\\n`` (browsers send a textarea's as ``\\r\\n``)."""
    return _LINE_BREAK.sub("\n", value)


def _pattern(span: str) -> re.Pattern:
    """``span`` as whole words: a line break in it matches any way of writing one, and an end
    of it that is a letter or digit must not be glued to another ("Jo" leaves "John" alone);
    an end that is punctuation or a space may touch anything."""
    lines = _LINE_BREAK.split(span)
    body = r"(?:\r\n|\r|\n)".join(re.escape(line) for line in lines)
    before = r"(?<!\w)" if re.match(r"\w", span) else ""
    after = r"(?!\w)" if re.search(r"\w\Z", span) else ""
    return re.compile(before + body + after)


def redact(text: str, span: str) -> tuple[str, int]:
    """``text`` with every whole-word occurrence of ``span`` replaced by MARK, and how many
    there were."""
    if not span or not text:
        return text, 0
    new, found = _pattern(span).subn(lambda _: MARK, text)
    return (new, found) if found else (text, 0)


def same_id(value) -> str:
    """An id as documents may write it (any UUID spelling), made comparable."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return str(value)


def slots(data, path: tuple, wanted: str | None = None) -> Iterator[tuple[dict, str]]:
    """Where a text sits in a document's data: each ``(container, key)`` holding a string at
    ``path`` — ``("went_well",)`` or ``("person_view", "comment")`` for a field of the data,
    ``("interactions", "id", "note")`` for that field of each list item, only the item whose
    ``id`` is ``wanted`` when it is given. Nothing else in the document is ever reached (ids,
    ratings, codes); a document of another shape gives nothing."""
    if not isinstance(data, dict) or not path:
        return
    if len(path) < 3:
        *parents, key = path
        for parent in parents:
            data = data.get(parent)
            if not isinstance(data, dict):
                return
        if isinstance(data.get(key), str):
            yield data, key
        return
    items, match_key, key = path
    found = data.get(items)
    if not isinstance(found, list):
        return
    for item in found:
        if not isinstance(item, dict) or not isinstance(item.get(key), str):
            continue
        if wanted is None or same_id(item.get(match_key)) == same_id(wanted):
            yield item, key
