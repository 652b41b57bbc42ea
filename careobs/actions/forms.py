"""The forms of the action pages; choices are filled in by the views from what the user may see."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from careobs.actions import cqc, measures
from careobs.actions.models import STATUSES
from careobs.forms import FilterForm
from careobs.quis.models import CONTEXTS

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
    measure_kind = SelectField(
        "Measure it should move",
        choices=[
            SelectChoice("", "None"),
            *(SelectChoice(k, v) for k, v in measures.KINDS.items()),
        ],
        default="",
        validators=[Optional()],
        description="careobs then shows it before and after the action, with n and intervals.",
    )
    measure_context = SelectField(
        "QUIS context",
        choices=[
            SelectChoice("", "Any context"),
            *(SelectChoice(k, v) for k, v in CONTEXTS.items()),
        ],
        default="",
        validators=[Optional()],
    )
    measure_domain = SelectField("Checklist domain", default="", validators=[Optional()])
    measure_days = IntegerField(
        "Days compared before and after",
        default=measures.DEFAULT_DAYS,
        validators=[Optional(), NumberRange(min=7, max=measures.MAX_DAYS)],
    )

    def measure(self) -> dict | None:
        """The chosen measure as stored on the action (checked by measures.check)."""
        kind = self.measure_kind.data
        if not kind:
            return None
        measure = {"kind": kind, "days": self.measure_days.data or measures.DEFAULT_DAYS}
        if kind == "domain_met":
            measure["domain_key"] = self.measure_domain.data
        else:
            measure["context"] = self.measure_context.data or None
        return measure


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


class ActionFilterForm(FilterForm):
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
