"""The organisation's settings screen: RAG bands, lateness tolerance, check frequencies, the
draw's weights and the calibration of QUIS observers."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField
from wtforms.validators import InputRequired, NumberRange, StopValidation, ValidationError

from careobs.audit.service import record
from careobs.db import get_session, lock_for_writing
from careobs.org.models import Organisation, OrganisationSettings
from careobs.org.settings import settings_for
from careobs.permissions import admin_required

bp = Blueprint("settings", __name__, url_prefix="/admin/settings")


class WholeRange(NumberRange):
    """NumberRange for whole numbers of any size: wtforms' own first asks ``math.isnan``, which
    cannot take an integer beyond a float's range (400 nines was a 500, not a form error)."""

    def __call__(self, form, field):
        data = field.data
        if isinstance(data, int) and not self.min <= data <= self.max:
            message = self.message or field.gettext("Number must be between %(min)s and %(max)s.")
            raise ValidationError(message % {"min": self.min, "max": self.max})
        super().__call__(form, field)


def _two_decimals(form, field) -> None:
    """A kappa bar between 0 and 1 with at most two decimals ("0.65"); NaN and infinity are
    refused here, before any comparison (a NaN cannot be compared)."""
    value = field.data
    if not isinstance(value, Decimal) or not value.is_finite():
        raise StopValidation("Enter a number between 0 and 1, e.g. 0.6.")
    if not 0 <= value <= 1:
        raise StopValidation("Number must be between 0 and 1.")
    if value != value.quantize(Decimal("0.01")):
        raise StopValidation("Give at most two decimals, e.g. 0.65.")


class SettingsForm(FlaskForm):
    green_from = IntegerField(
        "Green from (score %)",
        validators=[InputRequired(), WholeRange(1, 100)],
        description="A visit scoring at least this is green. Default 90.",
    )
    amber_from = IntegerField(
        "Amber from (score %)",
        validators=[InputRequired(), WholeRange(0, 99)],
        description="At least this (and below green) is amber; below is red. Default 75.",
    )
    lateness_tolerance_minutes = IntegerField(
        "Lateness tolerance (minutes)",
        validators=[InputRequired(), WholeRange(0, 120)],
        description="Arriving later than this after the planned time counts as late. Default 10.",
    )
    recheck_days_after_red = IntegerField(
        "Re-check within (days) after a red result",
        validators=[InputRequired(), WholeRange(1, 365)],
        description="Default 28. Must be fewer days than the routine check.",
    )
    check_frequency_days = IntegerField(
        "Check every care worker at least every (days)",
        validators=[InputRequired(), WholeRange(7, 730)],
        description="Default 90.",
    )
    new_starter_days = IntegerField(
        "Check new starters within (days) of their start date",
        validators=[InputRequired(), WholeRange(1, 365)],
        description="Default 28.",
    )

    weight_base = IntegerField(
        "Everyone's base weight",
        validators=[InputRequired(), WholeRange(1, 20)],
        description="Every care worker in the draw starts with this. Default 1.",
    )
    weight_overdue = IntegerField(
        "Extra weight when overdue or never checked",
        validators=[InputRequired(), WholeRange(0, 50)],
        description="Default 4.",
    )
    weight_new_starter = IntegerField(
        "Extra weight for a new starter awaiting a first check",
        validators=[InputRequired(), WholeRange(0, 50)],
        description="Default 3.",
    )
    weight_red = IntegerField(
        "Extra weight when the last result was red",
        validators=[InputRequired(), WholeRange(0, 50)],
        description="Default 3.",
    )
    weight_open_actions = IntegerField(
        "Extra weight for each open action (up to three)",
        validators=[InputRequired(), WholeRange(0, 20)],
        description="Default 2: a worker with three or more open actions gets 6 extra.",
    )

    pair_tolerance_seconds = IntegerField(
        "Match paired interactions within (seconds)",
        validators=[InputRequired(), WholeRange(5, 600)],
        description="When two observers record the same period, an interaction each coded for "
        "the same person within this many seconds is compared as one. Default 30.",
    )
    calibration_interval_months = IntegerField(
        "Pair each QUIS observer at least every (months)",
        validators=[InputRequired(), WholeRange(1, 24)],
        description="An observer not paired for this long is reminded to pair again. Default 6.",
    )
    calibration_min_kappa = DecimalField(
        "Lowest acceptable agreement (A4 kappa, 0 to 1)",
        places=2,
        validators=[InputRequired(), _two_decimals],
        description="An observer whose last pair agreed less than this (over at least 20 "
        "matched interactions) is reminded to pair again after refresher training. 0.6 is "
        "good agreement. Default 0.6.",
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not ok:
            return False
        if self.amber_from.data >= self.green_from.data:
            self.amber_from.errors.append("Amber must start below green.")
            ok = False
        # A red result must bring the next check sooner than the routine one would come.
        if self.recheck_days_after_red.data >= self.check_frequency_days.data:
            self.recheck_days_after_red.errors.append(
                f"Make the re-check after a red result sooner than the routine check: fewer "
                f"than {self.check_frequency_days.data} days (how often every care worker is "
                "checked)."
            )
            ok = False
        return ok


FIELDS = (
    "green_from",
    "amber_from",
    "lateness_tolerance_minutes",
    "recheck_days_after_red",
    "check_frequency_days",
    "new_starter_days",
    "weight_base",
    "weight_overdue",
    "weight_new_starter",
    "weight_red",
    "weight_open_actions",
    "pair_tolerance_seconds",
    "calibration_interval_months",
    "calibration_min_kappa",
)


def _value(form: SettingsForm, name: str):
    """The field's value as stored (the kappa bar as a float, which the column holds)."""
    data = getattr(form, name).data
    return float(data) if isinstance(data, Decimal) else data


@bp.route("/", methods=["GET", "POST"])
@admin_required
def edit():
    db = get_session()
    current = settings_for(db, current_user.organisation_id)
    form = SettingsForm(obj=current)
    if form.validate_on_submit():
        # Two admins saving at once: one creates the row, the other waits and then changes it
        # (without the lock both would insert it, and one would fail).
        lock_for_writing(db, Organisation.id, current_user.organisation_id)
        saved = db.get(OrganisationSettings, current_user.organisation_id, populate_existing=True)
        if saved is None:
            saved = OrganisationSettings(organisation_id=current_user.organisation_id)
            db.add(saved)
        changes = []
        for name in FIELDS:
            value = _value(form, name)
            if getattr(saved, name, None) != value:
                changes.append(f"{name}={value}")
            setattr(saved, name, value)
        record(
            db,
            "settings_changed",
            organisation_id=current_user.organisation_id,
            actor=current_user,
            summary=", ".join(changes) or "no change",
        )
        db.commit()
        flash("Settings saved. They apply to visits recorded from now on.", "success")
        return redirect(url_for("settings.edit"))
    return render_template("admin/settings.html", form=form)
