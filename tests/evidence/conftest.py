"""The demo organisation loaded for a test, and reading back the PDFs the pack makes."""

from __future__ import annotations

import re
import zlib
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from careobs.db import get_session
from careobs.org.models import Service
from tests.clock import local_today


@pytest.fixture
def demo(app):
    """The demo organisation with records up to today; returns its services by name."""
    from careobs.demo import load_demo

    with app.app_context():
        db = get_session()
        load_demo(db)
        services = {s.name: s for s in db.scalars(sa.select(Service))}
        for service in services.values():
            db.expunge(service)
        return services


@pytest.fixture
def period() -> tuple[date, date]:
    """A year to today on the demo organisation's clock (UK time), as the demo is dated."""
    today = local_today()
    return today - timedelta(days=364), today


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
