"""Choosing the service and period of an evidence pack: a GET form, so its address can be shared."""

from __future__ import annotations

from datetime import date

from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, ValidationError

from careobs.dashboards.filters import EARLIEST, LATEST, MAX_DAYS
from careobs.forms import FilterForm


def check_period(first: date, last: date) -> str | None:
    """What is wrong with a period, in words, or None: shared by the page and the command."""
    for day in (first, last):
        if not EARLIEST <= day <= LATEST:
            return f"Pick dates between {EARLIEST.year} and {LATEST.year}."
    if last < first:
        return "The end date must be on or after the start date."
    if (last - first).days > MAX_DAYS:
        return "Pick a period of at most three years."
    return None


class EvidenceForm(FilterForm):
    service = SelectField("Service", validators=[DataRequired("Pick a service.")])
    date_from = DateField("From", validators=[InputRequired("Enter a date, e.g. 2026-01-31.")])
    date_to = DateField("To", validators=[InputRequired("Enter a date, e.g. 2026-12-31.")])

    def __init__(self, services, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.service.choices = [SelectChoice(str(s.uuid), s.name) for s in services]

    def validate_date_to(self, field) -> None:
        if self.date_from.data and field.data:
            problem = check_period(self.date_from.data, field.data)
            if problem:
                raise ValidationError(problem)
