"""Reading back the text of the PDFs careobs makes."""

from __future__ import annotations

import re
import zlib

# A stream's bytes are the /Length its dictionary gives: compressed data may itself end in "\r",
# which a pattern stopping at "\r\nendstream" would cut off (depending on the text, so the dates).
STREAM = re.compile(rb"/Length (\d+)[^>]*>>\s*stream\r?\n")


def pdf_text(body: bytes) -> str:
    """The text drawn in a PDF made by fpdf2 (its page streams are zlib-compressed)."""
    chunks = []
    for match in STREAM.finditer(body):
        raw = body[match.end() : match.end() + int(match.group(1))]
        try:
            chunks.append(zlib.decompress(raw).decode("cp1252", "replace"))
        except zlib.error:
            continue
    strings = re.findall(r"\(((?:[^()\\]|\\.)*)\)\s*Tj", "\n".join(chunks))
    return " ".join(s.replace("\\(", "(").replace("\\)", ")") for s in strings)


def page_count(body: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", body))
