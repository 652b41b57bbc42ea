"""Pieces every form uses: option lists from label tables, the "not just spaces" rule, and the
base of the filter forms that lists and dashboards read from the query string."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError


class FilterForm(FlaskForm):
    """A GET form that narrows what a page shows: it changes nothing, so it has no CSRF token."""

    class Meta:
        csrf = False


def choices_of(labels: dict[str, str]) -> list[SelectChoice]:
    """Select/radio options from ``{value: label}`` (WTForms 3.3 deprecates tuple choices)."""
    return [SelectChoice(value, label) for value, label in labels.items()]


def not_blank(_form, field) -> None:
    """A required text answer must say something: spaces alone are refused."""
    if not (field.data or "").strip():
        raise ValidationError("This cannot be blank.")
