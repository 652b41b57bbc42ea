"""Today as the app counts it: on the organisation's clock (Europe/London in the test data), not
the machine's. ``date.today()`` is the machine's day, which on a UTC machine is still yesterday
in London from 23:00 to midnight UTC all summer; a due date made from it is then a day early."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

ORGANISATION_ZONE = "Europe/London"  # the default of Organisation.timezone


def local_today(zone: str = ORGANISATION_ZONE) -> date:
    """The date now on the organisation's clock."""
    return datetime.now(ZoneInfo(zone)).date()
