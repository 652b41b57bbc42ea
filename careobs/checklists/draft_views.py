"""Admin screens that change a checklist draft: its items and its sections.

A blueprint nested in the checklist editor's (views.py registers it), so its pages sit at the
same addresses, under endpoints named ``checklists.drafts.*``.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, render_template
from flask_login import current_user

from careobs.audit.service import record_about
from careobs.checklists import service
from careobs.checklists.blueprint import back_to_draft, draft_or_404, draft_row_or_404
from careobs.checklists.forms import DomainForm, ItemForm
from careobs.checklists.models import ChecklistDomain, ChecklistItem
from careobs.db import get_session
from careobs.permissions import admin_required

drafts = Blueprint("drafts", __name__)


def _changed(db, version, action: str, summary: str, message: str):
    """Audit a change to the draft (against its checklist), commit it, say so, and go back to
    the draft, where the change shows."""
    record_about(db, action, version.checklist, actor=current_user, summary=summary[:200])
    db.commit()
    flash(message, "success")
    return back_to_draft(version)


def _item_page(form: ItemForm, version, domain, item=None):
    """The item's own page: editing it, or an item to add that was refused (with why, next to
    each field, and 400)."""
    return render_template(
        "checklists/item_form.html", form=form, item=item, domain=domain, version=version
    ), (400 if form.errors else 200)


def _write(item: ChecklistItem, form: ItemForm, version) -> None:
    """The form's wording on the item; the easy-read wording only on an audit template's (a
    visit checklist's page does not show it, so it leaves what is stored alone)."""
    item.text = form.text.data.strip()
    item.guidance = (form.guidance.data or "").strip()
    item.critical = form.critical.data
    if version.checklist.is_audit:
        item.easy_read_text = (form.easy_read_text.data or "").strip()


@drafts.post("/domains/<uuid:domain_id>/items")
@admin_required
def add_item(domain_id: uuid.UUID):
    db = get_session()
    domain, version = draft_row_or_404(ChecklistDomain, domain_id)
    form = ItemForm()
    if form.validate_on_submit() and (taken := service.item_text_taken(version, form.text.data)):
        form.text.errors.append(taken)
    if form.errors:
        flash("Item not added: see what needs changing below.", "error")
        return _item_page(form, version, domain)
    item = ChecklistItem(position=len(domain.items))
    _write(item, form, version)
    domain.items.append(item)
    return _changed(db, version, "checklist_item_added", item.text, "Item added to the draft.")


@drafts.route("/items/<uuid:item_id>", methods=["GET", "POST"])
@admin_required
def edit_item(item_id: uuid.UUID):
    db = get_session()
    item, version = draft_row_or_404(ChecklistItem, item_id)
    form = ItemForm(obj=item)
    if form.validate_on_submit():
        taken = service.item_text_taken(version, form.text.data, item)
        if taken:
            form.text.errors.append(taken)
        else:
            _write(item, form, version)
            message = "Item saved in the draft."
            return _changed(db, version, "checklist_item_changed", item.text, message)
    return _item_page(form, version, item.domain, item)


@drafts.post("/items/<uuid:item_id>/move/<direction>")
@admin_required
def move_item(item_id: uuid.UUID, direction: str):
    db = get_session()
    item, version = draft_row_or_404(ChecklistItem, item_id)
    service.move(item.domain.items, item, -1 if direction == "up" else 1)
    db.commit()
    return back_to_draft(version)


@drafts.post("/items/<uuid:item_id>/retire")
@admin_required
def retire_item(item_id: uuid.UUID):
    db = get_session()
    item, version = draft_row_or_404(ChecklistItem, item_id)
    service.remove_item(version, item)
    message = "Item retired from the draft. Visits already scored on it keep their answers."
    return _changed(db, version, "checklist_item_retired", item.text, message)


@drafts.post("/<uuid:checklist_id>/domains")
@admin_required
def add_domain(checklist_id: uuid.UUID):
    db = get_session()
    _checklist, draft = draft_or_404(checklist_id)
    form = DomainForm()
    if not form.validate_on_submit():
        flash("Section not added: give it a name.", "error")
    elif taken := service.section_name_taken(draft, form.name.data):
        flash(f"Section not added: {taken}", "error")
    else:
        draft.domains.append(
            ChecklistDomain(position=len(draft.domains), name=form.name.data.strip())
        )
        db.commit()
        flash("Section added to the draft.", "success")
    return back_to_draft(draft)


@drafts.route("/domains/<uuid:domain_id>", methods=["GET", "POST"])
@admin_required
def rename_domain(domain_id: uuid.UUID):
    db = get_session()
    domain, version = draft_row_or_404(ChecklistDomain, domain_id)
    form = DomainForm(obj=domain)
    form.name.label.text = "Section name"
    form.name.description = ""
    if form.validate_on_submit():
        taken = service.section_name_taken(version, form.name.data, domain)
        if taken:
            form.name.errors.append(taken)
        else:
            old = domain.name
            service.rename_section(domain, form.name.data.strip())
            summary = f"{old} → {domain.name}"
            message = "Section renamed in the draft."
            return _changed(db, version, "checklist_section_renamed", summary, message)
    return render_template(
        "checklists/domain_form.html", form=form, domain=domain, version=version
    ), (400 if form.errors else 200)


@drafts.post("/domains/<uuid:domain_id>/remove")
@admin_required
def remove_domain(domain_id: uuid.UUID):
    db = get_session()
    domain, version = draft_row_or_404(ChecklistDomain, domain_id)
    try:
        service.remove_section(version, domain)
    except service.ChecklistError as exc:
        flash(f"Section not removed: {exc}", "error")
        return back_to_draft(version)
    message = f"Section “{domain.name}” removed from the draft."
    return _changed(db, version, "checklist_section_removed", domain.name, message)


@drafts.post("/domains/<uuid:domain_id>/move/<direction>")
@admin_required
def move_domain(domain_id: uuid.UUID, direction: str):
    db = get_session()
    domain, version = draft_row_or_404(ChecklistDomain, domain_id)
    service.move(version.domains, domain, -1 if direction == "up" else 1)
    db.commit()
    return back_to_draft(version)
