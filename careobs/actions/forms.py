"""The forms of the action pages; choices are filled in by the views from what the user may see."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from careobs.actions import cqc
from careobs.actions.models import STATUSES

TAG_CHOICES = [SelectChoice(code, label) for code, label in cqc.STATEMENTS.items()]
STATUS_CHOICES = [SelectChoice(code, label) for code, label in STATUSES.items()]


class ActionForm(FlaskForm):
    service = SelectField("Service", validators=[InputRequired()])
    description = TextAreaField(
        "What will be done",
        validators=[InputRequired(message="Say what will be done."), Length(max=2000)],
        description="Describe the practice, not the person supported: no names or dates of birth.",
    )
    owner = SelectField("Owner", validators=[InputRequired(message="Choose who owns this action.")])
    due_on = DateField(
        "Due date", validators=[InputRequired(message="Enter the date it is due by.")]
    )
    cqc_tags = SelectMultipleField(
        "CQC quality statements", choices=TAG_CHOICES, validators=[Optional()]
    )


class ProgressForm(FlaskForm):
    status = SelectField("Status", choices=STATUS_CHOICES, validators=[Optional()])
    note = TextAreaField(
        "Progress note",
        validators=[Length(max=5000)],
        description="What has been done so far, or why the status changed.",
    )


class RecheckForm(FlaskForm):
    staff = SelectField("Care worker to re-check", validators=[InputRequired()])
    due_by = DateField(
        "Re-check due by", validators=[InputRequired(message="Enter the date it is due by.")]
    )
    focus = SelectMultipleField("Focus on these checklist items", validators=[Optional()])


class ActionFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    status = SelectField(
        "Status",
        choices=[
            SelectChoice("", "Open or in progress"),
            SelectChoice("any", "Any"),
            *STATUS_CHOICES,
        ],
        validators=[Optional()],
    )
    overdue = BooleanField("Overdue only")
    service = SelectField("Service", validators=[Optional()])
    owner = SelectField("Owner", validators=[Optional()])
