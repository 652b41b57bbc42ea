"""Forms for services, areas, people supported and staff."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from careobs.forms import choices_of, not_blank
from careobs.org.models import CONSENT_CHOICES, CONSENT_GIVEN_BY, SERVICE_KINDS
from careobs.privacy import code_problems

# Consent answers that need a date and who gave them, with the words the messages use.
CONSENT_ANSWERED = {"yes": ("given", "gave"), "no": ("declined", "declined")}


class ServiceForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(), not_blank, Length(max=120)])
    kind = RadioField(
        "Kind of service",
        choices=choices_of(SERVICE_KINDS),
        validators=[InputRequired(message="Choose the kind of service.")],
    )


class AreaForm(FlaskForm):
    name = StringField(
        "New area",
        validators=[InputRequired(), not_blank, Length(max=80)],
        description="A communal space, for example Lounge or Dining room.",
    )


class PersonForm(FlaskForm):
    service = SelectField("Service", validators=[InputRequired()])
    code = StringField(
        "Code",
        validators=[InputRequired(), Length(max=16)],
        description="A short code such as R07. Never a name, date of birth or NHS number.",
    )
    initials = StringField(
        "Initials (optional)",
        validators=[
            Optional(),
            Length(max=4),
            Regexp(r"^[A-Za-z]{1,4}$", message="Use up to 4 letters."),
        ],
    )
    consent = RadioField(
        "Consent to monitoring visits",
        choices=choices_of(CONSENT_CHOICES),
        default="not_recorded",
    )
    consent_on = DateField("Date consent was recorded", validators=[Optional()])
    consent_given_by = SelectField(
        "Consent given by",
        choices=choices_of({"": "Not recorded", **CONSENT_GIVEN_BY}),
        validators=[Optional()],
    )
    confirm_not_identifier = BooleanField(
        "I confirm this code is not a date of birth, NHS number or other identifier"
    )

    def validate_code(self, field):
        problems = code_problems(field.data or "")
        if problems:
            raise ValidationError(problems[0])

    # Today on the organisation's clock, set by the view: a consent date cannot be later.
    today: date | None = None

    def validate(self, extra_validators=None):
        # Not validate_consent_* methods: Optional() stops the chain before them when empty.
        valid = super().validate(extra_validators)
        if self.consent.data in CONSENT_ANSWERED:
            valid = self._check_consent_details() and valid
        return valid

    def _check_consent_details(self) -> bool:
        """A yes or no to monitoring visits needs when it was recorded and who answered."""
        participle, past = CONSENT_ANSWERED[self.consent.data]
        ok = True
        if self.consent_on.data is None:
            if not self.consent_on.errors:  # an unreadable date already says so
                self.consent_on.errors.append(f"Enter the date consent was {participle}.")
            ok = False
        elif self.today is not None and self.consent_on.data > self.today:
            self.consent_on.errors.append("The date cannot be in the future.")
            ok = False
        if not self.consent_given_by.data:
            self.consent_given_by.errors.append(
                f"Choose who {past} consent: the person or their representative."
            )
            ok = False
        return ok


class StaffForm(FlaskForm):
    service = SelectField("Service", validators=[InputRequired()])
    name = StringField("Name", validators=[InputRequired(), not_blank, Length(max=120)])
    job_role = StringField(
        "Job role",
        validators=[InputRequired(), not_blank, Length(max=80)],
        description="For example Care worker, Senior carer, Nurse.",
    )
    start_date = DateField(
        "Start date",
        validators=[Optional()],
        description="Used to make sure new starters are checked early.",
    )
    user = SelectField(
        "Login (optional)",
        validators=[Optional()],
        description="Link the login this person uses to read their feedback.",
    )
