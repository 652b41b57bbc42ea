"""Forms for editing a checklist draft, importing a checklist, and an audit template's
settings."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from careobs.actions import cqc
from careobs.capture.addenda import storable_text
from careobs.checklists.models import AMBER_FROM, GREEN_FROM, SUBJECT_TYPES
from careobs.forms import choices_of, not_blank

EASY_READ_LABEL = "Easy-read wording (optional)"
EASY_READ_HINT = (
    "Plain words for a co-audit with a person supported or a quality checker, e.g. 'Does your "
    "care plan say what you like to be called?'"
)
EASY_READ_MAX = 300


class ItemForm(FlaskForm):
    """An item of a draft. Every text must be storable: a NUL or a broken character is refused
    here with a message, never left for the database to fail on."""

    text = StringField(
        "What to check",
        validators=[InputRequired(), not_blank, storable_text, Length(max=300)],
    )
    guidance = TextAreaField(
        "Guidance for the supervisor (optional)", validators=[storable_text, Length(max=2000)]
    )
    critical = BooleanField("Critical: Not met on this item makes the visit or audit red")
    # Only audit templates show it (a co-audit is an audit); a visit checklist's edit page
    # leaves the stored value alone.
    easy_read_text = StringField(
        EASY_READ_LABEL,
        description=EASY_READ_HINT,
        validators=[storable_text, Length(max=EASY_READ_MAX)],
    )


class DomainForm(FlaskForm):
    name = StringField(
        "New section",
        validators=[InputRequired(), not_blank, Length(max=120)],
        description="For example: Medicines.",
    )


class ImportForm(FlaskForm):
    file = FileField(
        "Checklist file (JSON exported from careobs)", validators=[FileRequired("Choose a file.")]
    )


STATEMENT_CHOICES = [SelectChoice(code, label) for code, label in cqc.STATEMENTS.items()]


class AuditSettingsForm(FlaskForm):
    """What an audit template says beyond its items: how often, what it evidences, its bands."""

    description = TextAreaField(
        "What this audit is for, and the guidance it follows (optional)",
        validators=[Length(max=2000)],
    )
    frequency_days = IntegerField(
        "How often, in days",
        validators=[InputRequired(message="Enter how many days apart."), NumberRange(1, 366)],
        description="For example 7 for weekly, 30 for monthly.",
    )
    cqc_statements = SelectMultipleField(
        "CQC quality statements it evidences", choices=STATEMENT_CHOICES, validators=[Optional()]
    )
    green_from = IntegerField(
        "Green from (score %)",
        default=GREEN_FROM,
        validators=[InputRequired(message="Enter a score from 0 to 100."), NumberRange(0, 100)],
    )
    amber_from = IntegerField(
        "Amber from (score %)",
        default=AMBER_FROM,
        validators=[InputRequired(message="Enter a score from 0 to 100."), NumberRange(0, 100)],
        description="Below this an audit is red; a critical item Not met is always red.",
    )

    def validate_amber_from(self, field) -> None:
        green = self.green_from.data
        if field.data is not None and green is not None and field.data > green:
            raise ValidationError("Amber must start at or below green.")


class AuditTemplateForm(AuditSettingsForm):
    """A new audit template: its name and what each audit is about, with its settings."""

    name = StringField(
        "Name",
        validators=[InputRequired(), not_blank, Length(max=120)],
        description="For example: Care plan audit.",
    )
    subject_type = RadioField(
        "What each audit is about",
        choices=choices_of(SUBJECT_TYPES),
        validators=[InputRequired(message="Choose what each audit is about.")],
    )
