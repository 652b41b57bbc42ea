"""Days on the organisation's clock: the "From" and "To" filters of lists, and their instants.

Records are stored in UTC; a person filtering "1 June" means 1 June where the service is. Every
list with a date range uses these, so the same day means the same thing everywhere.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from wtforms import DateField
from wtforms.validators import Optional, ValidationError

NOT_A_DATE = "Enter a real date as year-month-day, for example 2026-11-27."
# The days a filter may name. The calendar's own ends (year 1, year 9999) cannot be moved to
# UTC or stepped past; these bounds match the dashboards' and hold every real record.
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)
OUT_OF_RANGE = f"Pick a date between {EARLIEST.year} and {LATEST.year}."


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which ``day`` begins in ``zone``."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def within_days(column, first: date | None, last: date | None, zone: ZoneInfo) -> list:
    """Conditions keeping ``column`` (a UTC instant) within local days first..last, inclusive.

    The days must lie within EARLIEST..LATEST (as :class:`DateRangeFilter` checks).
    """
    conditions = []
    if first:
        conditions.append(column >= local_midnight(first, zone))
    if last:
        conditions.append(column < local_midnight(last + timedelta(days=1), zone))
    return conditions or [sa.true()]


def plausible_day(form, field) -> None:
    """Refuse a day outside EARLIEST..LATEST, in words, instead of overflowing later."""
    if field.data and not EARLIEST <= field.data <= LATEST:
        raise ValidationError(OUT_OF_RANGE)


class DateRangeFilter:
    """``date_from`` and ``date_to`` for a filter form, with messages a person understands."""

    date_from = DateField(
        "From", validators=[Optional(), plausible_day], invalid_value_message=NOT_A_DATE
    )
    date_to = DateField(
        "To", validators=[Optional(), plausible_day], invalid_value_message=NOT_A_DATE
    )

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The “To” date must be on or after the “From” date.")
