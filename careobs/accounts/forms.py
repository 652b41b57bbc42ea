"""Forms for logging in, accepting an invitation, changing a password and managing users."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from careobs.forms import not_blank
from careobs.security import password_problems


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=1024)])


class NewPasswordMixin:
    """A new password typed twice, checked against the password rules."""

    password = PasswordField(
        "New password",
        validators=[InputRequired(), Length(max=1024)],
        description="At least 12 characters. A short phrase of unrelated words works well.",
    )
    confirm = PasswordField(
        "Type the new password again",
        validators=[InputRequired(), EqualTo("password", message="The two passwords differ.")],
    )

    def check_password_rules(self, email: str) -> bool:
        problems = password_problems(self.password.data or "", email)
        self.password.errors = list(self.password.errors) + problems
        return not problems


class AcceptInvitationForm(NewPasswordMixin, FlaskForm):
    display_name = StringField(
        "Your name", validators=[InputRequired(), not_blank, Length(max=120)]
    )


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField("Current password", validators=[InputRequired()])


class UserForm(FlaskForm):
    """The fixed part of the user form; a role choice per service is added at run time."""

    email = EmailField(
        "Email",
        validators=[
            InputRequired(),
            # test_environment: the demo's and the tests' users have @….test addresses, and a
            # form that refused them could never save changes to those users.
            Email(message="Enter a valid email.", test_environment=True),
            Length(max=254),
        ],
    )
    display_name = StringField("Name", validators=[InputRequired(), not_blank, Length(max=120)])
    is_org_admin = BooleanField("Organisation admin (manages everything, including users)")


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    """A new password chosen through a reset link an admin made."""
