"""The retention page (Admin > Retention): each record type's period and its source, what a purge
would remove today per service, when the last purge ran, and a form to change a period (audited,
old → new).

A longer period is saved at once. A shorter one is first shown with what the next purge would
remove under it, per service, and saved only when the admin answers "Yes, keep them N months":
a slip of the keyboard (12 for 120) would otherwise remove years of records that night.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import InputRequired, StopValidation

from careobs.db import get_session
from careobs.permissions.retention import retention_required
from careobs.retention.periods import (
    BY_KEY,
    MAX_MONTHS,
    RecordType,
    describe_months,
    months_problem,
)
from careobs.retention.purge import purge_lock
from careobs.retention.queries import figures_changing, last_run, line_for, periods_for, report
from careobs.retention.service import set_period
from careobs.retention.targets import BY_KEY as TARGETS_BY_KEY
from careobs.wording import plural

bp = Blueprint("retention", __name__, url_prefix="/admin/retention")


def _within_bounds(form, field) -> None:
    """Whole months within the type's bounds; a number of any size is a message, not a 500."""
    problem = months_problem(form.record_type, field.data)
    if problem:
        raise StopValidation(problem)


class PeriodForm(FlaskForm):
    """One type's period; ``record_type`` (a RecordType) is set before validating."""

    months = IntegerField(
        "Keep for (months)",
        validators=[InputRequired(message="Enter a whole number of months."), _within_bounds],
    )
    # The shorter period the admin confirmed, in months: a confirmation is for one number.
    confirmed = HiddenField()

    def __init__(self, record_type: RecordType, **kwargs):
        super().__init__(prefix=record_type.key, **kwargs)
        self.record_type = record_type


def _page(db, organisation_id: int, posted: PeriodForm | None = None):
    lines = report(db, organisation_id)
    forms = {}
    for line in lines:
        if posted is not None and posted.record_type.key == line.key:
            forms[line.key] = posted
            continue
        form = PeriodForm(BY_KEY[line.key], formdata=None)
        form.months.data = line.months
        forms[line.key] = form
    return render_template(
        "retention/index.html",
        lines=lines,
        forms=forms,
        figures=figures_changing(lines),
        describe_months=describe_months,
        max_months=MAX_MONTHS,
        last=last_run(db, organisation_id),
    )


def _confirm(db, organisation_id: int, form: PeriodForm, old: int, new: int):
    """The confirmation step of a shorter period: what the next purge would remove under it."""
    target = TARGETS_BY_KEY[form.record_type.key]
    form.confirmed.data = str(new)
    new_line = line_for(db, organisation_id, target, new)
    return render_template(
        "retention/confirm.html",
        form=form,
        now_line=line_for(db, organisation_id, target, old),
        new_line=new_line,
        figures=figures_changing([new_line]),
        describe_months=describe_months,
        yes=f"Yes, keep them {plural(new, 'month', 'months')}",
        no=f"No, keep them {plural(old, 'month', 'months')}",
    )


@bp.route("/")
@retention_required
def index():
    return _page(get_session(), current_user.organisation_id)


@bp.route("/<record_type>", methods=["POST"])
@retention_required
def change(record_type: str):
    if record_type not in BY_KEY:
        abort(404)
    db = get_session()
    org_id = current_user.organisation_id
    form = PeriodForm(BY_KEY[record_type])
    if not form.validate_on_submit():
        return _page(db, org_id, form), 400
    # Two admins saving at once take turns (and a purge running meanwhile finishes its batch).
    purge_lock(db, org_id)
    old = periods_for(db, org_id)[record_type]
    new = form.months.data
    if new < old and form.confirmed.data != str(new):
        db.rollback()
        return _confirm(db, org_id, form, old, new)
    set_period(db, org_id, record_type, old, new, current_user)
    label = BY_KEY[record_type].label
    db.commit()
    flash(f"{label} are now kept {describe_months(new)}.", "success")
    return redirect(url_for("retention.index"))
