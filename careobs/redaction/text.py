"""Removing words from text and from a document's JSON: pure functions, no Flask or database.

What is removed is replaced by MARK, so a reader sees that something was there; the words
themselves are kept nowhere, not even as a count of their characters.
"""

from __future__ import annotations

MARK = "[redacted]"
MAX_SPAN = 2000  # longer than this: remove all of the text instead


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


def redact(text: str, span: str) -> tuple[str, int]:
    """``text`` with every occurrence of ``span`` replaced by MARK, and how many there were."""
    if not span or not text:
        return text, 0
    found = text.count(span)
    return (text.replace(span, MARK), found) if found else (text, 0)


def redact_json(value, span: str) -> tuple[object, int]:
    """A copy of a JSON value with ``span`` redacted in every string in it (keys stay), and how
    many occurrences were replaced. Walks without recursion, so no depth can crash it."""
    counted = 0

    def clean(item):
        nonlocal counted
        if isinstance(item, str):
            new, found = redact(item, span)
            counted += found
            return new
        return item

    root = {"v": value}
    stack = [root]
    while stack:
        container = stack.pop()
        keys = range(len(container)) if isinstance(container, list) else list(container)
        for key in keys:
            item = container[key]
            if isinstance(item, dict):
                container[key] = copy = dict(item)
                stack.append(copy)
            elif isinstance(item, list):
                container[key] = copy = list(item)
                stack.append(copy)
            else:
                container[key] = clean(item)
    return root["v"], counted
