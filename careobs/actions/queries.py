"""Reading actions: overdue, owner candidates, and the re-checks due for coverage.

Who may see which action is decided in careobs.permissions.actions.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from careobs.accounts.models import Membership, User
from careobs.actions.models import CLOSED, Action, RecheckBooking
from careobs.checklists.models import ChecklistDomain, ChecklistItem, ChecklistVersion
from careobs.org.models import StaffMember
from careobs.permissions import WORK
from careobs.visits.models import MonitoringVisit


def overdue(today: date) -> sa.ColumnElement[bool]:
    """Past the due date and still open or in progress; due today is not yet overdue."""
    return sa.and_(Action.due_on < today, Action.status.not_in(CLOSED))


def owner_candidates(db: Session, service_ids: list[int]) -> tuple[list, list]:
    """Who may own actions in these services: (service id, user) for managers and supervisors,
    and the services' active staff."""
    users = db.execute(
        sa.select(Membership.service_id, User)
        .join(User, Membership.user_id == User.id)
        .where(
            Membership.service_id.in_(service_ids),
            Membership.role.in_(WORK),
            User.active.is_(True),
        )
        .order_by(User.display_name)
    ).all()
    staff = db.scalars(
        sa.select(StaffMember)
        .where(StaffMember.service_id.in_(service_ids), StaffMember.active.is_(True))
        .order_by(StaffMember.name)
    ).all()
    return users, staff


@dataclass(frozen=True)
class RecheckInfo:
    """A worker's earliest open targeted re-check, for coverage and reminders: booked from an
    action (``action_uuid``) or by a red visit (``after_visit_uuid``)."""

    due_by: date
    action_uuid: uuid.UUID | None
    focus: list[str]  # the focus checklist items' texts
    after_visit_uuid: uuid.UUID | None = None

    @property
    def after_red(self) -> bool:
        return self.after_visit_uuid is not None


def item_texts(db: Session, organisation_id: int, keys) -> dict[str, str]:
    """The latest wording of the organisation's checklist items by key (keys outlive versions;
    starter items share their keys across organisations, so the organisation is always named)."""
    keys = {uuid.UUID(str(k)) for k in keys}
    if not keys:
        return {}
    rows = db.execute(
        sa.select(ChecklistItem.key, ChecklistItem.text)
        .join(ChecklistDomain, ChecklistDomain.id == ChecklistItem.domain_id)
        .join(ChecklistVersion, ChecklistVersion.id == ChecklistDomain.version_id)
        .where(ChecklistItem.key.in_(keys), ChecklistVersion.organisation_id == organisation_id)
        .order_by(ChecklistItem.id)
    )
    return {str(key): text for key, text in rows}  # later versions overwrite earlier ones


def open_rechecks() -> sa.Select:
    """Re-checks not yet fulfilled, earliest first, with the uuid of the action that booked
    each (unless it is cancelled) or of the red visit that did, and the service it is for."""
    red_visit = aliased(MonitoringVisit, name="red_visit")
    return (
        sa.select(
            RecheckBooking,
            Action.uuid.label("action_uuid"),
            red_visit.uuid.label("after_visit_uuid"),
            sa.func.coalesce(Action.service_id, red_visit.service_id).label("service_id"),
        )
        .outerjoin(Action, RecheckBooking.action_id == Action.id)
        .outerjoin(red_visit, RecheckBooking.after_visit_id == red_visit.id)
        .where(
            RecheckBooking.fulfilled_at.is_(None),
            sa.or_(RecheckBooking.action_id.is_(None), Action.status != "cancelled"),
        )
        .order_by(RecheckBooking.due_by, RecheckBooking.id)
    )


def rechecks_due(db: Session, staff_ids: sa.Select | list[int]) -> dict[int, RecheckInfo]:
    """The earliest open targeted re-check of each of these workers (those with none are
    left out): what coverage shows beside the routine due date. Of two due the same day, the
    one booked after a red visit is named.

    ``staff_ids``: a list, or a SELECT of them (coverage passes the query that chose its
    workers: a list of a large provider's 1,500 would be 1,500 bound parameters)."""
    if isinstance(staff_ids, list) and not staff_ids:
        return {}
    earliest: dict[int, sa.Row] = {}
    for row in db.execute(open_rechecks().where(RecheckBooking.staff_id.in_(staff_ids))):
        found = earliest.get(row.RecheckBooking.staff_id)
        if found is None or (
            found.RecheckBooking.due_by == row.RecheckBooking.due_by
            and found.after_visit_uuid is None
            and row.after_visit_uuid is not None
        ):
            earliest[row.RecheckBooking.staff_id] = row
    texts = {}
    for organisation_id in {r.RecheckBooking.organisation_id for r in earliest.values()}:
        keys = {
            k
            for r in earliest.values()
            if r.RecheckBooking.organisation_id == organisation_id
            for k in r.RecheckBooking.focus_item_keys
        }
        texts.update(item_texts(db, organisation_id, keys))
    return {
        staff_id: RecheckInfo(
            row.RecheckBooking.due_by,
            row.action_uuid,
            [texts[k] for k in row.RecheckBooking.focus_item_keys if k in texts],
            row.after_visit_uuid,
        )
        for staff_id, row in earliest.items()
    }
