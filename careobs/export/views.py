"""The admin page that downloads the organisation data export as a ZIP."""

from __future__ import annotations

import tempfile

from flask import Blueprint, render_template, send_file
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField

from careobs.db import get_engine, get_session
from careobs.export import service as exporting
from careobs.forms import choices_of
from careobs.org.models import Organisation
from careobs.permissions import admin_required

bp = Blueprint("export", __name__, url_prefix="/admin")

# A ZIP smaller than this stays in memory; a large provider's export goes to a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024


class ExportForm(FlaskForm):
    """The format, sent by the button pressed; the form carries the CSRF token."""

    format = SelectField("Format", choices=choices_of({"csv": "CSV", "json": "JSON"}))


@bp.route("/export", methods=["GET", "POST"])
@admin_required
def index():
    form = ExportForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("admin/export.html", form=form), status
    db = get_session()
    organisation = db.get(Organisation, current_user.organisation_id)
    archive = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (send_file closes it)
    try:
        manifest = exporting.export_to_zip(get_engine(), organisation, form.format.data, archive)
        exporting.record_export(db, manifest, actor=current_user)
        db.commit()
    except BaseException:
        archive.close()
        raise
    size = archive.tell()
    archive.seek(0)
    day = manifest.generated_at[:10]
    response = send_file(
        archive,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"careobs-export-{day}-{form.format.data}.zip",
    )
    response.content_length = size
    response.headers["Cache-Control"] = "no-store"  # the whole organisation's records
    return response
