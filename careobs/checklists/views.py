"""Admin screens for checklists: edit a draft, publish it as a new version, export and import."""

from __future__ import annotations

import json
import uuid

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from careobs.audit.service import record
from careobs.checklists import service
from careobs.checklists.forms import DomainForm, ImportForm, ItemForm
from careobs.checklists.models import Checklist, ChecklistDomain, ChecklistItem, ChecklistVersion
from careobs.db import get_session
from careobs.permissions import admin_required

bp = Blueprint("checklists", __name__, url_prefix="/admin/checklists")


def _checklist(checklist_id: uuid.UUID) -> Checklist:
    checklist = get_session().scalar(
        sa.select(Checklist).where(
            Checklist.uuid == checklist_id,
            Checklist.organisation_id == current_user.organisation_id,
        )
    )
    if checklist is None:
        abort(404)
    return checklist


def _draft_row(model, row_id: uuid.UUID):
    """A domain or item of a draft of this organisation (published versions never change)."""
    stmt = sa.select(model).where(model.uuid == row_id)
    if model is ChecklistItem:
        stmt = stmt.join(ChecklistItem.domain)
    stmt = stmt.join(ChecklistDomain.version).where(
        ChecklistVersion.organisation_id == current_user.organisation_id
    )
    row = get_session().scalar(stmt)
    if row is None:
        abort(404)
    version = row.version if model is ChecklistDomain else row.domain.version
    if not version.is_draft:
        abort(409, "Published versions cannot be changed; edit the draft instead.")
    return row, version


def _back(version: ChecklistVersion):
    return redirect(url_for("checklists.detail", checklist_id=version.checklist.uuid) + "#draft")


@bp.get("/")
@admin_required
def index():
    db = get_session()
    checklists = list(
        db.scalars(
            sa.select(Checklist)
            .where(Checklist.organisation_id == current_user.organisation_id)
            .order_by(Checklist.name)
        )
    )
    current = {c.id: service.current_version(db, c) for c in checklists}
    drafts = {c.id: service.draft_of(db, c) for c in checklists}
    return render_template(
        "checklists/index.html",
        checklists=checklists,
        current=current,
        drafts=drafts,
        import_form=ImportForm(formdata=None),
    )


@bp.get("/<uuid:checklist_id>")
@admin_required
def detail(checklist_id: uuid.UUID):
    db = get_session()
    checklist = _checklist(checklist_id)
    return render_template(
        "checklists/detail.html",
        checklist=checklist,
        current=service.current_version(db, checklist),
        draft=service.draft_of(db, checklist),
        item_form=ItemForm(formdata=None),
        domain_form=DomainForm(formdata=None),
    )


@bp.post("/<uuid:checklist_id>/draft")
@admin_required
def start_draft(checklist_id: uuid.UUID):
    db = get_session()
    draft = service.start_draft(db, _checklist(checklist_id), current_user)
    db.commit()
    flash(f"Draft version {draft.number} started from the current version.", "success")
    return _back(draft)


@bp.post("/<uuid:checklist_id>/publish")
@admin_required
def publish(checklist_id: uuid.UUID):
    db = get_session()
    checklist = _checklist(checklist_id)
    draft = service.draft_of(db, checklist)
    if draft is None:
        abort(404)
    try:
        service.publish(db, draft, current_user)
    except service.ChecklistError as exc:
        flash(str(exc), "error")
        return _back(draft)
    db.commit()
    flash(
        f"Version {draft.number} is published. New visits use it; earlier visits keep the "
        "version they were scored on.",
        "success",
    )
    return redirect(url_for("checklists.detail", checklist_id=checklist.uuid))


@bp.post("/domains/<uuid:domain_id>/items")
@admin_required
def add_item(domain_id: uuid.UUID):
    db = get_session()
    domain, version = _draft_row(ChecklistDomain, domain_id)
    form = ItemForm()
    if not form.validate_on_submit():
        flash(
            "Item not added: " + "; ".join(e for errs in form.errors.values() for e in errs),
            "error",
        )
        return _back(version)
    domain.items.append(
        ChecklistItem(
            position=len(domain.items),
            text=form.text.data.strip(),
            guidance=(form.guidance.data or "").strip(),
            critical=form.critical.data,
        )
    )
    record(
        db,
        "checklist_item_added",
        organisation_id=version.organisation_id,
        actor=current_user,
        entity=version.checklist,
        summary=form.text.data.strip()[:200],
    )
    db.commit()
    flash("Item added to the draft.", "success")
    return _back(version)


@bp.route("/items/<uuid:item_id>", methods=["GET", "POST"])
@admin_required
def edit_item(item_id: uuid.UUID):
    db = get_session()
    item, version = _draft_row(ChecklistItem, item_id)
    form = ItemForm(obj=item)
    if form.validate_on_submit():
        item.text = form.text.data.strip()
        item.guidance = (form.guidance.data or "").strip()
        item.critical = form.critical.data
        record(
            db,
            "checklist_item_changed",
            organisation_id=version.organisation_id,
            actor=current_user,
            entity=version.checklist,
            summary=item.text[:200],
        )
        db.commit()
        flash("Item saved in the draft.", "success")
        return _back(version)
    return render_template("checklists/item_form.html", form=form, item=item, version=version)


@bp.post("/items/<uuid:item_id>/move/<direction>")
@admin_required
def move_item(item_id: uuid.UUID, direction: str):
    db = get_session()
    item, version = _draft_row(ChecklistItem, item_id)
    service.move(item.domain.items, item, -1 if direction == "up" else 1)
    db.commit()
    return _back(version)


@bp.post("/items/<uuid:item_id>/retire")
@admin_required
def retire_item(item_id: uuid.UUID):
    db = get_session()
    item, version = _draft_row(ChecklistItem, item_id)
    service.remove_item(version, item)
    record(
        db,
        "checklist_item_retired",
        organisation_id=version.organisation_id,
        actor=current_user,
        entity=version.checklist,
        summary=item.text[:200],
    )
    db.commit()
    flash("Item retired from the draft. Visits already scored on it keep their answers.", "success")
    return _back(version)


@bp.post("/<uuid:checklist_id>/domains")
@admin_required
def add_domain(checklist_id: uuid.UUID):
    db = get_session()
    checklist = _checklist(checklist_id)
    draft = service.draft_of(db, checklist)
    if draft is None:
        abort(404)
    form = DomainForm()
    if form.validate_on_submit():
        draft.domains.append(
            ChecklistDomain(position=len(draft.domains), name=form.name.data.strip())
        )
        db.commit()
        flash("Section added to the draft.", "success")
    else:
        flash("Section not added: give it a name.", "error")
    return _back(draft)


@bp.post("/domains/<uuid:domain_id>/move/<direction>")
@admin_required
def move_domain(domain_id: uuid.UUID, direction: str):
    db = get_session()
    domain, version = _draft_row(ChecklistDomain, domain_id)
    service.move(version.domains, domain, -1 if direction == "up" else 1)
    db.commit()
    return _back(version)


@bp.get("/versions/<uuid:version_id>/export")
@admin_required
def export(version_id: uuid.UUID):
    version = get_session().scalar(
        sa.select(ChecklistVersion).where(
            ChecklistVersion.uuid == version_id,
            ChecklistVersion.organisation_id == current_user.organisation_id,
        )
    )
    if version is None:
        abort(404)
    body = json.dumps(service.export(version), indent=2, ensure_ascii=False)
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
            data = json.loads(form.file.data.read().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            errors = [f"The file is not valid JSON ({exc.__class__.__name__})."]
        else:
            draft, errors = service.import_draft(
                db, current_user.organisation_id, data, current_user
            )
            if not errors:
                db.commit()
                flash(
                    f"Imported as draft version {draft.number}. Check it, then publish.", "success"
                )
                return _back(draft)
    else:
        errors = [e for errs in form.errors.values() for e in errs]
    db.rollback()
    checklists = list(
        db.scalars(
            sa.select(Checklist)
            .where(Checklist.organisation_id == current_user.organisation_id)
            .order_by(Checklist.name)
        )
    )
    return render_template(
        "checklists/index.html",
        checklists=checklists,
        current={c.id: service.current_version(db, c) for c in checklists},
        drafts={c.id: service.draft_of(db, c) for c in checklists},
        import_form=form,
        import_errors=errors,
    ), 400
