"""Action pages: the service list, "my actions", adding, editing and following one up."""

from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from careobs.accounts.models import User
from careobs.actions import choices, cqc, measures, service
from careobs.actions.forms import ActionFilterForm, ActionForm, ProgressForm
from careobs.actions.models import CLOSED, Action
from careobs.actions.queries import item_texts, overdue
from careobs.db import get_session, utcnow
from careobs.notifications.service import mark_read_for_link
from careobs.org import settings as org_settings
from careobs.org.models import StaffMember
from careobs.pagination import paginate
from careobs.permissions import (
    action_services,
    capture_required,
    get_visible_action,
    get_visible_quis_session,
    get_visible_self_assessment,
    get_visible_visit,
    may_add_action_note,
    may_book_recheck,
    may_cancel_action,
    may_raise_gap_actions,
    may_update_action,
    may_view_self_assessment,
    my_actions,
    visible_actions,
)
from careobs.selfassess.models import SelfAssessmentStatement
from careobs.selfassess.ratings import GAP_SCORES, SCORES

bp = Blueprint("actions", __name__, url_prefix="/actions")


def _today() -> date:
    """Today on the organisation's clock: what "overdue" is measured against."""
    zone = org_settings.time_zone(get_session(), current_user.organisation_id)
    return utcnow().astimezone(zone).date()


def _form_services():
    return list(get_session().scalars(action_services(current_user)))


@bp.get("/")
@capture_required
def index():
    """Actions in the services the user manages or supervises, with filters."""
    db = get_session()
    services = _form_services()
    form = ActionFilterForm(request.args)
    form.service.choices = [
        SelectChoice("", "All"),
        *(SelectChoice(s.uuid.hex, s.name) for s in services),
    ]
    owners, meaning = choices.owner_choices(db, services)
    unique = {c.value: SelectChoice(c.value, c.label) for c in owners}  # one entry per person
    form.owner.choices = [SelectChoice("", "Anyone"), *unique.values()]
    stmt = visible_actions(current_user).where(Action.service_id.in_([s.id for s in services]))
    today = _today()
    if form.validate():
        if not form.status.data:
            stmt = stmt.where(Action.status.not_in(CLOSED))
        elif form.status.data != "any":
            stmt = stmt.where(Action.status == form.status.data)
        if form.overdue.data:
            stmt = stmt.where(overdue(today))
        chosen = next((s for s in services if s.uuid.hex == form.service.data), None)
        if chosen is not None:
            stmt = stmt.where(Action.service_id == chosen.id)
        owner = next((o for k, o in meaning.items() if k.startswith(f"{form.owner.data}@")), None)
        if form.owner.data and owner is not None:
            column = Action.owner_user_id if isinstance(owner, User) else Action.owner_staff_id
            stmt = stmt.where(column == owner.id)
    else:
        stmt = stmt.where(sa.false())
    stmt = stmt.order_by(Action.due_on.is_(None), Action.due_on, Action.id)
    return render_template(
        "actions/index.html", form=form, page=paginate(db, stmt), today=today, mine=False
    )


@bp.get("/mine")
@login_required
def mine():
    """The user's own actions, open ones first by due date."""
    db = get_session()
    stmt = my_actions(current_user).order_by(
        Action.status.in_(CLOSED), Action.due_on.is_(None), Action.due_on, Action.id
    )
    return render_template(
        "actions/index.html", form=None, page=paginate(db, stmt), today=_today(), mine=True
    )


@bp.route("/new", methods=["GET", "POST"])
@capture_required
def new():
    """Add an action by hand, from a QUIS session (``?quis_session=<id>``), or for a
    self-assessment's gap (``?self_assessment=<id>&statement=<code>``)."""
    db = get_session()
    services = _form_services()
    session = None
    if request.args.get("quis_session"):
        try:
            session_id = uuid.UUID(request.args["quis_session"])
        except ValueError:
            abort(404)
        session = get_visible_quis_session(db, current_user, session_id)
        if session is None or session.service_id not in {s.id for s in services}:
            abort(404)
    gap = None
    if "self_assessment" in request.args or "statement" in request.args:
        gap = _gap_asked(db)
        if session is not None or gap.self_assessment.service_id not in {s.id for s in services}:
            abort(404)
        services = [gap.self_assessment.service]  # a gap's action is for the service assessed
        existing = service.gap_action(db, gap.id)
        if existing is not None:
            return _already_raised(existing)
    form = ActionForm()
    meaning = choices.fill_action_form(db, form, services, current_user.organisation_id)
    if request.method == "GET":
        if session is not None:
            form.service.data = session.service.uuid.hex
            form.cqc_tags.data = list(cqc.QUIS_ACTION_TAGS)
        elif gap is not None:
            form.service.data = services[0].uuid.hex
            form.cqc_tags.data = [gap.code]
        elif len(services) == 1:
            form.service.data = services[0].uuid.hex
    if form.validate_on_submit():
        checked = _checked(form, services, meaning)
        if checked is not None:
            chosen, owner, measure = checked
            try:
                action = service.create(
                    db,
                    current_user,
                    service=chosen,
                    description=form.description.data,
                    owner=owner,
                    due_on=form.due_on.data,
                    cqc_tags=form.cqc_tags.data or [],
                    quis_session=session,
                    measure=measure,
                    self_assessment_statement=gap,
                )
            except service.GapAlreadyRaised as raised:
                db.commit()  # nothing of ours was written: the savepoint was rolled back
                return _already_raised(raised.action)
            return _saved(db, action, "Action added.")
    return _render_form(form, None, session, gap)


def _gap_asked(db) -> SelfAssessmentStatement:
    """The gap named by ``?self_assessment=<id>&statement=<code>``: a statement scored 1 or 2 of
    a submitted assessment the user may read and raise actions for (404 otherwise, as for any
    record one may not see)."""
    try:
        assessment_id = uuid.UUID(request.args.get("self_assessment", ""))
    except ValueError:
        abort(404)
    assessment = get_visible_self_assessment(db, current_user, assessment_id)
    if assessment is None or not may_raise_gap_actions(current_user, assessment):
        abort(404)
    code = request.args.get("statement", "")
    gap = next((s for s in assessment.statements if s.code == code), None)
    if gap is None or gap.score not in GAP_SCORES:
        abort(404)
    return gap


def _already_raised(action: Action):
    """A second raise of a gap: no second action, the first one shown."""
    flash(service.GAP_RAISED, "info")
    return redirect(url_for("actions.detail", action_id=action.uuid))


def _checked(form: ActionForm, services, meaning, kept_due: date | None = None):
    """(service, owner, measure) from a submitted form, or None after adding form errors.

    A due date in the past is refused, except ``kept_due``: an edit may leave it unchanged.
    """
    if form.due_on.data != kept_due and form.due_on.data < _today():
        form.due_on.errors.append("The due date cannot be in the past.")
    resolved = choices.resolve(form, services, meaning)
    measure = choices.read_measure(form)
    if resolved is None or form.errors:
        return None
    return (*resolved, measure)


def _render_form(form: ActionForm, action: Action | None, quis_session, gap=None):
    return render_template(
        "actions/form.html",
        form=form,
        action=action,
        quis_session=quis_session,
        gap=gap,
        score_words=SCORES,
        statement_names=cqc.STATEMENTS,
        statements=cqc.QUALITY_STATEMENTS,
    ), (400 if request.method == "POST" else 200)


def _load(action_id: uuid.UUID, may=None) -> Action:
    """The action if the user may see it (404 otherwise) and, given ``may``, a predicate from
    careobs.permissions, may do that to it (403 otherwise)."""
    action = get_visible_action(get_session(), current_user, action_id)
    if action is None:
        abort(404)
    if may is not None and not may(current_user, action):
        abort(403)
    return action


def _saved(db, action: Action, message: str):
    """Commit the change, say so, and show the action."""
    db.commit()
    flash(message)
    return redirect(url_for("actions.detail", action_id=action.uuid))


@bp.route("/<uuid:action_id>/edit", methods=["GET", "POST"])
@login_required
def edit(action_id: uuid.UUID):
    """Change what the action is, its owner, due date and tags."""
    db = get_session()
    action = _load(action_id, may_update_action)
    services = [action.service]
    form = ActionForm(obj=None if request.method == "POST" else action)
    meaning = choices.fill_action_form(db, form, services, current_user.organisation_id)
    if request.method == "GET":
        form.service.data = action.service.uuid.hex
        owner = action.owner_user or action.owner_staff
        form.owner.data = choices.owner_value(owner) if owner is not None else ""
        if action.measure:
            form.measure_kind.data = action.measure["kind"]
            form.measure_context.data = action.measure.get("context") or ""
            form.measure_domain.data = action.measure.get("domain_key") or ""
            form.measure_days.data = action.measure.get("days", measures.DEFAULT_DAYS)
    if form.validate_on_submit():
        checked = _checked(form, services, meaning, kept_due=action.due_on)
        if checked is not None:
            _, owner, measure = checked
            service.update(
                db,
                current_user,
                action,
                description=form.description.data,
                owner=owner,
                due_on=form.due_on.data,
                cqc_tags=form.cqc_tags.data or [],
                measure=measure,
            )
            return _saved(db, action, "Action saved.")
    return _render_form(form, action, None)


def _render_detail(action, progress_form=None, recheck_form=None, status=200):
    db = get_session()
    may_update = may_update_action(current_user, action)
    if progress_form is None:
        progress_form = ProgressForm(formdata=None, status=action.status)
    progress_form.status.choices = choices.status_choices(current_user, action)
    if recheck_form is None and may_update:
        recheck_form = choices.recheck_form(db, action, today=_today())
    texts = item_texts(
        db, action.organisation_id, {k for b in action.rechecks for k in b.focus_item_keys}
    )
    return render_template(
        "actions/detail.html",
        action=action,
        today=_today(),
        tags=cqc.labels(action.cqc_tags),
        may_update=may_update,
        may_note=may_add_action_note(current_user, action),
        progress_form=progress_form,
        recheck_form=recheck_form,
        item_texts=texts,
        comparison=measures.before_after(db, action, _today()),
        visit_visible=action.visit is not None
        and get_visible_visit(db, current_user, action.visit.uuid) is not None,
        gap_visible=action.self_assessment_statement is not None
        and may_view_self_assessment(
            current_user, action.self_assessment_statement.self_assessment
        ),
        visible_recheck_visits={
            b.fulfilled_by_visit.uuid
            for b in action.rechecks
            if b.fulfilled_by_visit is not None
            and get_visible_visit(db, current_user, b.fulfilled_by_visit.uuid) is not None
        },
    ), status


@bp.get("/<uuid:action_id>")
@login_required
def detail(action_id: uuid.UUID):
    """One action: its status, tags, source, notes and re-checks."""
    action = _load(action_id)
    db = get_session()
    mark_read_for_link(db, current_user, service.link(action))
    db.commit()
    return _render_detail(action)


@bp.post("/<uuid:action_id>/progress")
@login_required
def progress(action_id: uuid.UUID):
    """A progress note, with a status change for those who may update the action."""
    db = get_session()
    action = _load(action_id, may_add_action_note)
    form = ProgressForm()
    form.status.choices = choices.status_choices(current_user, action)
    may_update = may_update_action(current_user, action)
    if form.validate_on_submit():
        status = form.status.data if may_update and form.status.data else None
        if (
            status == "cancelled"
            and action.status != "cancelled"
            and not may_cancel_action(current_user, action)
        ):
            abort(403)
        if (status is None or status == action.status) and not form.note.data.strip():
            form.note.errors.append("Write a note or change the status.")
        else:
            try:
                service.add_progress(db, current_user, action, text=form.note.data, status=status)
            except service.GapAlreadyRaised as raised:
                db.rollback()
                form.status.errors.append(
                    "This action answered a self-assessment gap that now has another action"
                    f" ({raised.action.description[:60]}): it stays cancelled."
                )
                return _render_detail(action, progress_form=form, status=409)
            return _saved(db, action, "Progress saved.")
    return _render_detail(action, progress_form=form, status=400)


@bp.post("/<uuid:action_id>/recheck")
@login_required
def recheck(action_id: uuid.UUID):
    """Book a targeted re-check of a care worker in the action's service."""
    db = get_session()
    action = _load(action_id, may_book_recheck)
    form = choices.recheck_form(db, action, formdata=request.form)
    if form.validate_on_submit():
        if form.due_by.data < _today():
            form.due_by.errors.append("The re-check date cannot be in the past.")
        else:
            staff = db.scalar(
                sa.select(StaffMember).where(
                    StaffMember.uuid == uuid.UUID(form.staff.data),
                    StaffMember.service_id == action.service_id,
                )
            )
            service.book_recheck(
                db,
                current_user,
                action,
                staff=staff,
                due_by=form.due_by.data,
                focus_item_keys=[uuid.UUID(k) for k in form.focus.data or []],
            )
            return _saved(db, action, "Re-check booked.")
    return _render_detail(action, recheck_form=form, status=400)
