"""The draw form: which service, how many, and an optional seed."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

MAX_DRAW = 50


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
    seed = StringField(
        "Seed (optional)",
        validators=[
            Optional(),
            Length(max=64),
            Regexp(r"^[\w\- .:]+$", message="Use letters, digits, spaces, - . or : only."),
        ],
        description=(
            "Leave blank and careobs picks a random seed. Or type one that others saw you "
            "choose, such as dice rolls: the same seed and the same people give the same draw."
        ),
    )
