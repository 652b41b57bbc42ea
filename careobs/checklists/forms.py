"""Forms for editing a checklist draft and importing a checklist."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from careobs.forms import not_blank


class ItemForm(FlaskForm):
    text = StringField("What to check", validators=[InputRequired(), not_blank, Length(max=300)])
    guidance = TextAreaField(
        "Guidance for the supervisor (optional)", validators=[Length(max=2000)]
    )
    critical = BooleanField("Critical: Not met on this item makes the visit red")


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
