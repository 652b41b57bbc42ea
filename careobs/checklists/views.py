"""Admin screens for whole checklists: list, show, start, publish or discard a draft, export and
import, and create an audit template or change its settings. The draft's items and sections are
edited in draft_views.py (same blueprint)."""

from __future__ import annotations

import json
import uuid

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from markupsafe import Markup

from careobs.actions import cqc
from careobs.checklists import draft_views, service, transfer
from careobs.checklists.blueprint import back_to_draft, bp, checklist_or_404, draft_or_404
from careobs.checklists.forms import (
    AuditSettingsForm,
    AuditTemplateForm,
    DomainForm,
    ImportForm,
    ItemForm,
)
from careobs.checklists.models import Checklist, ChecklistVersion
from careobs.db import get_session
from careobs.org.scoping import get_scoped_or_404
from careobs.permissions import admin_required
from careobs.sync import payload

__all__ = ["bp"]

bp.register_blueprint(draft_views.drafts)


def _index_page(**context):
    db = get_session()
    checklists = list(
        db.scalars(
            sa.select(Checklist)
            .where(Checklist.organisation_id == current_user.organisation_id)
            .order_by(Checklist.name)
        )
    )
    return render_template(
        "checklists/index.html",
        visit_checklists=[c for c in checklists if not c.is_audit],
        audit_templates=[c for c in checklists if c.is_audit],
        current={c.id: service.current_version(db, c) for c in checklists},
        drafts={c.id: service.draft_of(db, c) for c in checklists},
        statements=cqc.QUALITY_STATEMENTS,
        **context,
    )


@bp.get("/")
@admin_required
def index():
    return _index_page(
        import_form=ImportForm(formdata=None), template_form=AuditTemplateForm(formdata=None)
    )


def _settings(form: AuditSettingsForm) -> dict:
    return {
        "description": (form.description.data or "").strip(),
        "frequency_days": form.frequency_days.data,
        "cqc_statements": form.cqc_statements.data or [],
        "green_from": form.green_from.data,
        "amber_from": form.amber_from.data,
    }


@bp.post("/audit-templates")
@admin_required
def create_audit_template():
    db = get_session()
    form = AuditTemplateForm()
    if form.validate_on_submit():
        try:
            draft = service.create_audit_template(
                db,
                current_user.organisation_id,
                current_user,
                name=form.name.data.strip(),
                subject_type=form.subject_type.data,
                **_settings(form),
            )
        except service.ChecklistError as exc:
            form.name.errors.append(str(exc))
        else:
            db.commit()
            flash("Audit template created. Add its sections and items, then publish.", "success")
            return back_to_draft(draft)
    db.rollback()
    return _index_page(import_form=ImportForm(formdata=None), template_form=form), 400


def _detail_page(checklist: Checklist, settings_form: AuditSettingsForm | None = None):
    db = get_session()
    if settings_form is None and checklist.is_audit:
        settings_form = AuditSettingsForm(formdata=None, obj=checklist)
    return render_template(
        "checklists/detail.html",
        checklist=checklist,
        current=service.current_version(db, checklist),
        draft=service.draft_of(db, checklist),
        item_form=ItemForm(formdata=None),
        domain_form=DomainForm(formdata=None),
        settings_form=settings_form,
        statements=cqc.QUALITY_STATEMENTS,
    )


@bp.get("/<uuid:checklist_id>")
@admin_required
def detail(checklist_id: uuid.UUID):
    return _detail_page(checklist_or_404(checklist_id))


@bp.post("/<uuid:checklist_id>/audit-settings")
@admin_required
def audit_settings(checklist_id: uuid.UUID):
    db = get_session()
    checklist = checklist_or_404(checklist_id)
    if not checklist.is_audit:
        abort(404)
    form = AuditSettingsForm()
    if form.validate_on_submit():
        changes = service.update_audit_settings(db, checklist, current_user, **_settings(form))
        db.commit()
        if changes:
            flash("Audit settings saved. Audits already recorded keep their scores.", "success")
        else:
            flash("No audit setting was changed.", "info")
        return redirect(url_for("checklists.detail", checklist_id=checklist.uuid))
    db.rollback()
    return _detail_page(checklist, form), 400


@bp.post("/<uuid:checklist_id>/draft")
@admin_required
def start_draft(checklist_id: uuid.UUID):
    db = get_session()
    draft = service.start_draft(db, checklist_or_404(checklist_id), current_user)
    db.commit()
    flash(f"Draft version {draft.number} started from the current version.", "success")
    return back_to_draft(draft)


@bp.post("/<uuid:checklist_id>/publish")
@admin_required
def publish(checklist_id: uuid.UUID):
    db = get_session()
    checklist, draft = draft_or_404(checklist_id)
    try:
        service.publish(db, draft, current_user)
    except service.ChecklistError as exc:
        db.rollback()
        flash(str(exc), "error")
        return back_to_draft(draft)
    db.commit()
    records = "audits" if checklist.is_audit else "visits"
    flash(
        f"Version {draft.number} is published. New {records} use it; earlier {records} keep "
        "the version they were scored on.",
        "success",
    )
    return redirect(url_for("checklists.detail", checklist_id=checklist.uuid))


@bp.post("/<uuid:checklist_id>/draft/discard")
@admin_required
def discard_draft(checklist_id: uuid.UUID):
    db = get_session()
    checklist, draft = draft_or_404(checklist_id)
    number, name = draft.number, checklist.name
    checklist_gone = service.discard_draft(db, draft, current_user)
    db.commit()
    if checklist_gone:
        flash(f"Draft discarded. “{name}” had no published version, so it is gone too.", "success")
        return redirect(url_for("checklists.index"))
    flash(f"Draft version {number} discarded. The current version is unchanged.", "success")
    return redirect(url_for("checklists.detail", checklist_id=checklist.uuid))


@bp.get("/versions/<uuid:version_id>/export")
@admin_required
def export(version_id: uuid.UUID):
    version = get_scoped_or_404(ChecklistVersion, version_id, manage=False)
    body = json.dumps(transfer.export(version), indent=2, ensure_ascii=False)
    filename = f"checklist-v{version.number}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.post("/import")
@admin_required
def import_file():
    db = get_session()
    form = ImportForm()
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            data = payload.parse_body(form.file.data.read())
        except payload.Unreadable:  # not UTF-8, not JSON, or a number too long to read
            errors = ["The file is not valid JSON text. Export the checklist again from careobs."]
        else:
            imported, errors = transfer.import_draft(
                db, current_user.organisation_id, data, current_user
            )
            if not errors:
                db.commit()
                _say_imported(imported)
                return back_to_draft(imported.draft)
    else:
        errors = [e for errs in form.errors.values() for e in errs]
    db.rollback()
    return _index_page(
        import_form=form, import_errors=errors, template_form=AuditTemplateForm(formdata=None)
    ), 400


def _say_imported(imported: transfer.Imported) -> None:
    """Flash what the import did, and each setting of the file it left alone, with a link to
    the form where the admin may change it."""
    number = imported.draft.number
    if not imported.kept:
        flash(f"Imported as draft version {number}. Check it, then publish.", "success")
        return
    flash(
        f"Imported as draft version {number}. Check it, then publish. The template’s settings "
        "are unchanged: an import only makes a draft.",
        "success",
    )
    checklist = imported.draft.checklist
    settings = url_for("checklists.detail", checklist_id=checklist.uuid) + "#audit-settings"
    for difference in imported.kept:
        if checklist.is_audit:
            # Markup.format escapes the sentence; only the link is markup.
            message = Markup('{} <a href="{}">Change it in the template’s settings</a>.').format(
                difference.in_file, settings
            )
        else:  # a visit checklist's description, which has no form: it stays
            message = "The file’s description differs from this checklist’s, which is kept."
        flash(message, "info")
