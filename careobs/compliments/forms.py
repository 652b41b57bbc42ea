"""The forms of the compliments and concerns log; the views fill in the choices each user may
pick (their services, the organisation's sections, each service's care workers)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from careobs.compliments.models import KINDS, SOURCES
from careobs.forms import FilterForm, choices_of, not_blank
from careobs.privacy import code_problems

# Free text gets the live identifier warning of design §2.4 (static/js/privacy-fields.js).
WATCHED = {"data-privacy": "", "rows": 5}


class ComplimentForm(FlaskForm):
    entry_id = HiddenField()
    service = SelectField("Service", validators=[InputRequired(message="Choose a service.")])
    kind = RadioField(
        "Compliment or concern",
        choices=choices_of(KINDS),
        validators=[InputRequired(message="Say whether it is a compliment or a concern.")],
    )
    section = SelectField(
        "What it is about", validators=[InputRequired(message="Choose what it is about.")]
    )
    received_on = DateField(
        "Received on", validators=[InputRequired(message="Enter the date it was received.")]
    )
    source = RadioField(
        "Who it came from",
        choices=choices_of(SOURCES),
        validators=[InputRequired(message="Say who it came from.")],
        description="A category only: never write who said it by name.",
    )
    person_code = StringField(
        "Their code (a person supported)",
        validators=[Optional(), Length(max=16)],
        description="The person's code, for example R07, if it came from a person supported.",
    )
    text = TextAreaField(
        "What they said",
        validators=[InputRequired(message="Write what they said."), not_blank, Length(max=5000)],
        description="In their words where you can. No names of people supported, no dates "
        "of birth or contact details.",
        render_kw=WATCHED,
    )
    staff = SelectMultipleField(
        "Care workers it names (a compliment only)",
        validators=[Optional()],
        description="Each becomes positive written feedback to them, for a manager to release.",
    )

    def validate_person_code(self, field) -> None:
        code = (field.data or "").strip()
        if code and self.source.data != "person":
            raise ValidationError("Give a code only when it came from a person supported.")
        if code:
            problems = code_problems(code)
            if problems:
                raise ValidationError(problems[0])


class ResponseForm(FlaskForm):
    # What the response was when the form was shown (careobs.compliments.service.response_token):
    # a form sent over someone else's newer answer is refused, its text kept.
    seen = HiddenField()
    response = TextAreaField(
        "Response and outcome",
        validators=[Length(max=5000)],
        description="What was done and said in reply, and how it ended.",
        render_kw=WATCHED,
    )
    action = TextAreaField(
        "Action to raise (optional)",
        validators=[Length(max=2000)],
        description="An improvement action, followed up with the other actions.",
        render_kw={"rows": 3},
    )
    owner = SelectField("Action owner", validators=[Optional()])
    due_on = DateField("Action due by", validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        """An action needs its due date (the date field alone cannot know it is wanted)."""
        valid = super().validate(extra_validators)
        if (self.action.data or "").strip() and self.due_on.data is None:
            if not self.due_on.errors:
                self.due_on.errors = ["Enter the date the action is due by."]
            return False
        return valid


class LogFilterForm(FilterForm):
    service = SelectField("Service", validators=[Optional()])
    kind = SelectField(
        "Kind",
        choices=[SelectChoice("", "Compliments and concerns"), *choices_of(KINDS)],
        validators=[Optional()],
    )
    section = SelectField("About", validators=[Optional()])
