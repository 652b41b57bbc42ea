"""The redaction form: which text, which words (or all of it), why, and a confirmation."""

from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.validators import InputRequired, ValidationError

from careobs.forms import choices_of
from careobs.redaction import text
from careobs.redaction.service import REASONS

WHAT = {"words": "Only the words I enter", "all": "All of this text"}


def _stripped(value):
    """Trimmed, and line breaks as synced text writes them: a browser sends a textarea's
    lines as ``\\r\\n``, so words across two lines would otherwise never match."""
    return text.one_line_break(value).strip() if isinstance(value, str) else value


class RedactionForm(FlaskForm):
    """The view fills in ``place``'s choices: the record's texts that still say something."""

    place = RadioField(
        "Which text holds the personal data",
        validators=[InputRequired(message="Choose the text that holds the personal data.")],
    )
    what = RadioField(
        "What to remove",
        choices=choices_of(WHAT),
        default="words",
        validators=[InputRequired(message="Say whether to remove some words or all the text.")],
    )
    words = TextAreaField(
        "The exact words to remove",
        filters=[_stripped],
        description="As they appear in the text: every place they appear in it as whole words"
        f" becomes {text.MARK}.",
        render_kw={"rows": 2, "autocomplete": "off", "spellcheck": "false"},
    )
    reason = RadioField(
        "Why they are removed",
        choices=choices_of(REASONS),
        validators=[InputRequired(message="Choose why the words are removed.")],
        description="Chosen from a list, so the audit log never holds the words themselves.",
    )
    confirm = BooleanField(
        "I understand the words are removed for good: careobs keeps no copy of them",
        validators=[InputRequired(message="Confirm that the words are removed for good.")],
    )

    def validate_words(self, field) -> None:
        if self.what.data != "words":
            return
        problem = text.span_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


def redaction_form() -> RedactionForm:
    """The form, bound to the posted form's fields only: a JSON body is never read as a form
    (a list or a number there is no text)."""
    return RedactionForm(formdata=request.form if request.method == "POST" else None)
