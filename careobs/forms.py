"""Pieces every form uses: option lists from label tables, and the "not just spaces" rule."""

from __future__ import annotations

from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError


def choices_of(labels: dict[str, str]) -> list[SelectChoice]:
    """Select/radio options from ``{value: label}`` (WTForms 3.3 deprecates tuple choices)."""
    return [SelectChoice(value, label) for value, label in labels.items()]


def not_blank(_form, field) -> None:
    """A required text answer must say something: spaces alone are refused."""
    if not (field.data or "").strip():
        raise ValidationError("This cannot be blank.")
