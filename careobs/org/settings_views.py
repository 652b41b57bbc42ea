"""The organisation's settings screen: RAG bands, lateness tolerance and check frequencies."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from careobs.audit.service import record
from careobs.db import get_session
from careobs.org.models import OrganisationSettings
from careobs.org.settings import settings_for
from careobs.permissions import admin_required

bp = Blueprint("settings", __name__, url_prefix="/admin/settings")


class SettingsForm(FlaskForm):
    green_from = IntegerField(
        "Green from (score %)",
        validators=[InputRequired(), NumberRange(1, 100)],
        description="A visit scoring at least this is green. Default 90.",
    )
    amber_from = IntegerField(
        "Amber from (score %)",
        validators=[InputRequired(), NumberRange(0, 99)],
        description="At least this (and below green) is amber; below is red. Default 75.",
    )
    lateness_tolerance_minutes = IntegerField(
        "Lateness tolerance (minutes)",
        validators=[InputRequired(), NumberRange(0, 120)],
        description="Arriving later than this after the planned time counts as late. Default 10.",
    )
    recheck_days_after_red = IntegerField(
        "Re-check within (days) after a red result",
        validators=[InputRequired(), NumberRange(1, 365)],
        description="Default 28. Must be fewer days than the routine check.",
    )
    check_frequency_days = IntegerField(
        "Check every care worker at least every (days)",
        validators=[InputRequired(), NumberRange(7, 730)],
        description="Default 90.",
    )
    new_starter_days = IntegerField(
        "Check new starters within (days) of their start date",
        validators=[InputRequired(), NumberRange(1, 365)],
        description="Default 28.",
    )

    weight_base = IntegerField(
        "Everyone's base weight",
        validators=[InputRequired(), NumberRange(1, 20)],
        description="Every care worker in the draw starts with this. Default 1.",
    )
    weight_overdue = IntegerField(
        "Extra weight when overdue or never checked",
        validators=[InputRequired(), NumberRange(0, 50)],
        description="Default 4.",
    )
    weight_new_starter = IntegerField(
        "Extra weight for a new starter awaiting a first check",
        validators=[InputRequired(), NumberRange(0, 50)],
        description="Default 3.",
    )
    weight_red = IntegerField(
        "Extra weight when the last result was red",
        validators=[InputRequired(), NumberRange(0, 50)],
        description="Default 3.",
    )
    weight_open_actions = IntegerField(
        "Extra weight for each open action (up to three)",
        validators=[InputRequired(), NumberRange(0, 20)],
        description="Default 2: a worker with three or more open actions gets 6 extra.",
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
)


@bp.route("/", methods=["GET", "POST"])
@admin_required
def edit():
    db = get_session()
    current = settings_for(db, current_user.organisation_id)
    form = SettingsForm(obj=current)
    if form.validate_on_submit():
        saved = db.get(OrganisationSettings, current_user.organisation_id)
        if saved is None:
            saved = OrganisationSettings(organisation_id=current_user.organisation_id)
            db.add(saved)
        changes = []
        for name in FIELDS:
            if getattr(saved, name, None) != getattr(form, name).data:
                changes.append(f"{name}={getattr(form, name).data}")
            setattr(saved, name, getattr(form, name).data)
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
