"""The choices on the action forms, read from the database: owners, domains, statuses, items.

Views ask for these and stay about HTTP; nothing here commits or knows about the request.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session
from wtforms.fields.choices import SelectChoice

from careobs.accounts.models import User
from careobs.actions import measures
from careobs.actions.forms import ActionForm, RecheckForm
from careobs.actions.models import STATUSES, Action
from careobs.actions.queries import owner_candidates
from careobs.checklists import service as checklists
from careobs.checklists.models import Checklist, ChecklistDomain, ChecklistVersion
from careobs.org import settings as org_settings
from careobs.org.models import StaffMember
from careobs.permissions import may_cancel_action


def owner_value(owner) -> str:
    """How an owner (a user or a care worker) is named in the owner select."""
    kind = "user" if isinstance(owner, User) else "staff"
    return f"{kind}-{owner.uuid.hex}"


def owner_choices(db: Session, services) -> tuple[list[SelectChoice], dict]:
    """Owner choices grouped by service name, and what ``value@service id`` means (the owner).

    The same manager may appear under two services; the service chosen on the form decides
    which entry counts, so an owner from another service is refused.
    """
    users, staff = owner_candidates(db, [s.id for s in services])
    names = {s.id: s.name for s in services}
    choices: list[SelectChoice] = []
    meaning: dict[str, object] = {}
    for service_id, user in users:
        value = owner_value(user)
        choices.append(SelectChoice(value, user.display_name, optgroup=names[service_id]))
        meaning[f"{value}@{service_id}"] = user
    for member in staff:
        value = owner_value(member)
        label = f"{member.name} (care worker)"
        choices.append(SelectChoice(value, label, optgroup=names[member.service_id]))
        meaning[f"{value}@{member.service_id}"] = member
    choices.sort(key=lambda c: c.optgroup)  # grouped by service, in service name order
    return choices, meaning


def fill_action_form(db: Session, form: ActionForm, services, organisation_id: int) -> dict:
    """Fill the action form's selects; returns what each owner value means (owner_choices)."""
    form.service.choices = [
        SelectChoice("", "Choose a service"),
        *(SelectChoice(s.uuid.hex, s.name) for s in services),
    ]
    owners, meaning = owner_choices(db, services)
    form.owner.choices = [SelectChoice("", "Choose an owner"), *owners]
    form.measure_domain.choices = [
        SelectChoice("", "Choose a domain"),
        *domain_choices(db, organisation_id),
    ]
    return meaning


def domain_choices(db: Session, organisation_id: int) -> list[SelectChoice]:
    """The domains of the organisation's current visit checklists, by their stable key (the
    measure counts monitoring visits' ratings)."""
    rows = db.execute(
        sa.select(ChecklistDomain.key, ChecklistDomain.name)
        .join(ChecklistVersion, ChecklistVersion.id == ChecklistDomain.version_id)
        .join(Checklist, Checklist.id == ChecklistVersion.checklist_id)
        .where(
            ChecklistVersion.organisation_id == organisation_id,
            Checklist.purpose == "visit",
            ChecklistVersion.published_at.is_not(None),
            ChecklistVersion.retired_at.is_(None),
        )
        .order_by(ChecklistVersion.number, ChecklistDomain.position)
    )
    names = {str(key): name for key, name in rows}  # a later version's name wins
    return [SelectChoice(key, name) for key, name in names.items()]


def read_measure(form: ActionForm) -> dict | None:
    """The form's measure, or None after adding a form error."""
    if form.measure_kind.data == "domain_met" and not form.measure_domain.data:
        form.measure_domain.errors.append("Choose the checklist domain to measure.")
        return None
    try:
        return measures.check(form.measure())
    except ValueError as problem:
        form.measure_kind.errors.append(str(problem).capitalize() + ".")
        return None


def resolve(form: ActionForm, services, meaning) -> tuple[object, object] | None:
    """The chosen service and owner, or None after adding a form error (owner elsewhere)."""
    chosen = next((s for s in services if s.uuid.hex == form.service.data), None)
    if chosen is None:
        form.service.errors.append("Choose a service.")
        return None
    found = meaning.get(f"{form.owner.data}@{chosen.id}")
    if found is None:
        form.owner.errors.append("Choose an owner who works in this service.")
        return None
    return chosen, found


def status_choices(user, action: Action) -> list[SelectChoice]:
    """Every status, except cancelled for those who may not cancel."""
    return [
        SelectChoice(k, v)
        for k, v in STATUSES.items()
        if k != "cancelled" or may_cancel_action(user, action) or action.status == k
    ]


def focus_choices(db: Session, action: Action) -> list[SelectChoice]:
    """The items of the organisation's current visit checklist versions, by their stable key
    (a re-check is a monitoring visit)."""
    choices = []
    for checklist in db.scalars(
        sa.select(Checklist).where(
            Checklist.organisation_id == action.organisation_id, Checklist.purpose == "visit"
        )
    ):
        version = checklists.current_version(db, checklist)
        if version is not None:
            choices.extend(SelectChoice(str(item.key), item.text) for item in version.items)
    return choices


def recheck_form(
    db: Session, action: Action, formdata=None, today: date | None = None
) -> RecheckForm:
    """The re-check booking form: the service's active care workers and the checklist items;
    with no ``formdata``, due after the organisation's re-check days from ``today``, for the
    action's owner when they are a care worker of the service."""
    form = RecheckForm(formdata=formdata)
    workers = db.scalars(
        sa.select(StaffMember)
        .where(StaffMember.service_id == action.service_id, StaffMember.active.is_(True))
        .order_by(StaffMember.name)
    )
    form.staff.choices = [
        SelectChoice("", "Choose a care worker"),
        *(SelectChoice(m.uuid.hex, m.name) for m in workers),
    ]
    form.focus.choices = focus_choices(db, action)
    if formdata is None:
        settings = org_settings.settings_for(db, action.organisation_id)
        form.due_by.data = today + timedelta(days=settings.recheck_days_after_red)
        if action.owner_staff is not None and action.owner_staff.service_id == action.service_id:
            form.staff.data = action.owner_staff.uuid.hex
    return form
