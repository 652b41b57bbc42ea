"""The demo's draws at Riverside Homecare: this morning's draw of care workers to check, a
second draw the same morning with the reason the manager gave, and a draw of people to ask."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.org.models import Service
from careobs.selection import service as selection
from careobs.selection.models import SelectionDraw

REPEAT_REASON = "Two of this morning's three are on leave this week: we need two more names."


def load(session: Session, riverside: Service, manager, today: date) -> None:
    """Add the draws once (a service that already has draws is left as it is)."""
    if session.scalar(sa.select(SelectionDraw.id).where(SelectionDraw.service_id == riverside.id)):
        return
    zone = ZoneInfo(riverside.organisation.timezone)
    for kind, count, reason, at in (
        ("workers", 3, None, time(9, 5)),
        ("workers", 2, REPEAT_REASON, time(9, 20)),
        ("people", 3, None, time(9, 30)),
    ):
        draw = selection.make_draw(session, manager, riverside, kind, count, today, reason)
        # Drawn "this morning" on the demo's today, so the second is that day's repeat.
        draw.created_at = datetime.combine(today, at, tzinfo=zone)
        session.flush()
