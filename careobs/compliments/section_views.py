"""The page where an organisation's admins keep the sections of its compliments and concerns
log: add, rename, stop or start offering one. HTTP only (careobs.compliments.sections writes)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, InputRequired, Length

from careobs.compliments import sections, service
from careobs.compliments.models import ComplimentSection
from careobs.db import get_session
from careobs.forms import not_blank
from careobs.org.models import Organisation
from careobs.permissions import may_edit_compliment_sections

bp = Blueprint("compliment_sections", __name__, url_prefix="/compliments/sections")


class SectionForm(FlaskForm):
    label = StringField(
        "Section name",
        validators=[InputRequired(message="Name the section."), not_blank, Length(max=80)],
    )


class OfferedForm(FlaskForm):
    offered = HiddenField(validators=[AnyOf(["1", "0"])])


def _organisation() -> Organisation:
    organisation = get_session().get(Organisation, current_user.organisation_id)
    if not may_edit_compliment_sections(current_user, organisation):
        abort(403)
    return organisation


def _all(organisation_id: int) -> list[ComplimentSection]:
    db = get_session()
    service.sections(db, organisation_id)  # the defaults, the first time
    db.commit()
    return list(
        db.scalars(
            sa.select(ComplimentSection)
            .where(ComplimentSection.organisation_id == organisation_id)
            .order_by(ComplimentSection.position, ComplimentSection.id)
        )
    )


def _section(organisation_id: int, key: str) -> ComplimentSection:
    """The organisation's section by its key (its defaults added, the first time), or 404."""
    service.sections(get_session(), organisation_id)
    found = get_session().scalar(
        sa.select(ComplimentSection).where(
            ComplimentSection.organisation_id == organisation_id, ComplimentSection.key == key
        )
    )
    if found is None:
        abort(404)
    return found


def _page(
    organisation_id: int,
    form: SectionForm,
    status: int = 200,
    rename_error: tuple[str, str, str] | None = None,
):
    """The page; ``rename_error`` is (section key, label typed, message) of a refused rename."""
    return render_template(
        "compliments/sections.html",
        sections=_all(organisation_id),
        form=form,
        rename_error=rename_error,
    ), status


@bp.get("/")
@login_required
def index():
    return _page(_organisation().id, SectionForm(formdata=None))


@bp.post("/")
@login_required
def add():
    organisation = _organisation()
    form = SectionForm()
    if not form.validate():
        return _page(organisation.id, form, 400)
    db = get_session()
    try:
        section = sections.add(db, current_user, organisation.id, form.label.data)
    except sections.LabelTaken as taken:
        db.rollback()
        form.label.errors.append(str(taken))
        return _page(organisation.id, form, 400)
    db.commit()
    flash(f"Section “{section.label}” added.")
    return redirect(url_for("compliment_sections.index"))


@bp.post("/<key>")
@login_required
def rename(key: str):
    organisation = _organisation()
    section = _section(organisation.id, key)
    form = SectionForm()
    if not form.validate():
        abort(400, f"“{section.label}” needs a new name of 1 to 80 characters.")
    db = get_session()
    try:
        sections.rename(db, current_user, section, form.label.data)
    except sections.LabelTaken as taken:
        db.rollback()
        error = (key, form.label.data, str(taken))
        return _page(organisation.id, SectionForm(formdata=None), 400, rename_error=error)
    db.commit()
    flash("Section renamed.")
    return redirect(url_for("compliment_sections.index"))


@bp.post("/<key>/offered")
@login_required
def offered(key: str):
    organisation = _organisation()
    section = _section(organisation.id, key)
    form = OfferedForm()
    if not form.validate():
        abort(400, "Say whether to offer the section (1) or not (0).")
    db = get_session()
    try:
        sections.set_offered(db, current_user, section, form.offered.data == "1")
    except sections.LastSection:
        db.rollback()
        abort(409, "The log must keep at least one section to offer.")
    db.commit()
    flash("Section offered again." if section.active else "Section no longer offered.")
    return redirect(url_for("compliment_sections.index"))
