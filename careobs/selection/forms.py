"""The draw form: which service, how many, and why, when the service was drawn for today.

There is no seed field: careobs makes every seed itself (see service.new_seed), so nobody can
try seeds in private until a draw picks whom they want.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from careobs.selection.models import REASON_MAX, REASON_MIN

MAX_DRAW = 50
REASON_LABEL = "Why draw again today?"
REASON_LENGTH = f"Say why in {REASON_MIN} to {REASON_MAX} characters."


def no_control_characters(form, field) -> None:
    """Refuse invisible control characters (a NUL byte cannot even be stored); new lines and
    tabs are fine."""
    if field.data and any(ord(ch) < 32 and ch not in "\n\r\t" for ch in field.data):
        raise ValidationError("Remove the invisible control characters from the text.")


class DrawForm(FlaskForm):
    service = SelectField("Service", validators=[InputRequired(message="Choose a service.")])
    count = IntegerField(
        "How many to draw",
        default=3,
        validators=[
            InputRequired(message="Enter how many to draw."),
            NumberRange(1, MAX_DRAW, message=f"Draw between 1 and {MAX_DRAW}."),
        ],
    )
    reason = TextAreaField(
        REASON_LABEL,
        filters=[lambda text: text.strip() if isinstance(text, str) else text],
        validators=[
            Optional(),
            no_control_characters,
            Length(REASON_MIN, REASON_MAX, message=REASON_LENGTH),
        ],
        description=(
            "Needed only when this service already had a draw of this kind today. The reason "
            "is kept with the draw and shown to anyone who looks at it."
        ),
    )
