"""Fair draws in tests: posting the draw form, the draws stored, and a form field's errors."""

from __future__ import annotations

import re

import sqlalchemy as sa

from careobs.selection.models import SelectionDraw


def draws(db) -> list[SelectionDraw]:
    """Every stored draw, freshly loaded, oldest first."""
    db.expire_all()
    return list(db.scalars(sa.select(SelectionDraw).order_by(SelectionDraw.id)))


def post_draw(client, svc, count=2, path="/selection/", **fields):
    """Post the draw form; extra ``fields`` (a ``reason``, or a ``seed`` to be ignored) are sent
    as they are."""
    return client.post(path, data={"service": str(svc.uuid), "count": str(count), **fields})


def errors(page: str, field_id: str) -> str:
    """The error list shown next to one form field ("" when it has none)."""
    match = re.search(rf'<ul class="errors" id="{field_id}-error">(.*?)</ul>', page, re.S)
    return match.group(1) if match else ""
