"""The daily reminders of ``careobs notify due``: monitoring visits due or overdue under the
organisation's frequency settings (design §2.2), actions coming due or overdue, and targeted
re-checks coming due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.accounts.models import Membership, User
from careobs.db import utcnow
from careobs.notifications.service import notify
from careobs.org.models import Organisation, Service, StaffMember
from careobs.org.settings import settings_for
from careobs.spotchecks.models import MonitoringVisit

LOOKAHEAD_DAYS = 7
ACTION_LOOKAHEAD_DAYS = 3


@dataclass(frozen=True)
class DueCheck:
    staff: StaffMember
    due_on: date
    overdue: bool
    reason: str


def visits_due(db: Session, service: Service, today: date) -> list[DueCheck]:
    """Care workers of a service who are due a monitoring visit within a week, or overdue."""
    settings = settings_for(db, service.organisation_id)
    latest = (
        sa.select(MonitoringVisit.staff_id, sa.func.max(MonitoringVisit.planned_at).label("last"))
        .where(MonitoringVisit.service_id == service.id, MonitoringVisit.status == "submitted")
        .group_by(MonitoringVisit.staff_id)
        .subquery()
    )
    rows = db.execute(
        sa.select(StaffMember, MonitoringVisit.next_check_on)
        .outerjoin(latest, latest.c.staff_id == StaffMember.id)
        .outerjoin(
            MonitoringVisit,
            sa.and_(
                MonitoringVisit.staff_id == StaffMember.id,
                MonitoringVisit.planned_at == latest.c.last,
            ),
        )
        .where(StaffMember.service_id == service.id, StaffMember.active.is_(True))
    ).all()
    due = []
    for staff, next_check in rows:
        if next_check is not None:
            due_on, reason = next_check, "next check date"
        elif staff.start_date is not None:
            due_on = staff.start_date + timedelta(days=settings.new_starter_days)
            reason = "new starter, never checked"
        else:
            due_on, reason = today, "never checked"
        if due_on <= today + timedelta(days=LOOKAHEAD_DAYS):
            due.append(DueCheck(staff, due_on, due_on < today, reason))
    return sorted(due, key=lambda d: d.due_on)


def remind(db: Session, today: date | None = None) -> dict[str, int]:
    """Send today's reminders (once per day each); returns how many were sent.

    Each organisation's reminders are for its own today, on its clock (its time zone), unless
    ``today`` says otherwise: just after midnight in London it is still yesterday in UTC.
    """
    sent = {"visits_due": 0, "action_due": 0, "recheck_due": 0}
    for org in db.scalars(sa.select(Organisation)).all():
        org_today = today or utcnow().astimezone(ZoneInfo(org.timezone)).date()
        services = db.scalars(
            sa.select(Service).where(
                Service.organisation_id == org.id,
                Service.active.is_(True),
                Service.kind == "homecare",
            )
        )
        for service in services:
            due = visits_due(db, service, org_today)
            if not due:
                continue
            overdue = sum(d.overdue for d in due)
            people = db.scalars(
                sa.select(User)
                .join(Membership, Membership.user_id == User.id)
                .where(
                    Membership.service_id == service.id,
                    Membership.role.in_(("manager", "supervisor")),
                )
            )
            for user in people:
                if notify(
                    db,
                    user,
                    "visits_due",
                    f"/visits/?service={service.uuid.hex}",
                    body=f"{len(due)} care workers due a monitoring visit this week"
                    f" ({overdue} overdue).",
                    dedupe_key=f"visits-due-{service.uuid.hex}-{org_today.isoformat()}",
                ):
                    sent["visits_due"] += 1
        sent["action_due"] += _remind_action_owners(db, org.id, org_today)
        sent["recheck_due"] += _remind_rechecks(db, org.id, org_today)
    return sent


def _remind_action_owners(db: Session, organisation_id: int, today: date) -> int:
    """Owners of open actions due within the next few days (once) and overdue (once more)."""
    from careobs.actions.models import CLOSED, Action
    from careobs.actions.queries import visible_actions
    from careobs.actions.service import link, owner_login

    sent = 0
    actions = db.scalars(
        sa.select(Action).where(
            Action.organisation_id == organisation_id,
            Action.due_on.is_not(None),
            Action.due_on <= today + timedelta(days=ACTION_LOOKAHEAD_DAYS),
            Action.status.not_in(CLOSED),
        )
    )
    for action in actions:
        owner = owner_login(db, action)
        if owner is None or db.scalar(visible_actions(owner).where(Action.id == action.id)) is None:
            continue  # no login, or held back until the visit's feedback is released
        # One reminder as it comes due and one more once it is overdue.
        late = action.due_on < today
        when = "was due" if late else "is due"
        if notify(
            db,
            owner,
            "action_due",
            link(action),
            body=f"An action {when} on {action.due_on:%-d %b %Y}.",
            dedupe_key=f"action-{'overdue' if late else 'due'}-{action.uuid}-{action.due_on}",
        ):
            sent += 1
    return sent


def _remind_rechecks(db: Session, organisation_id: int, today: date) -> int:
    """Supervisors and managers of the service of each targeted re-check due within a week
    (or overdue), once per re-check and due date."""
    from careobs.actions.models import Action, RecheckBooking
    from careobs.actions.queries import open_rechecks

    sent = 0
    rows = db.execute(
        open_rechecks()
        .add_columns(Action.service_id)
        .where(
            RecheckBooking.organisation_id == organisation_id,
            RecheckBooking.due_by <= today + timedelta(days=LOOKAHEAD_DAYS),
        )
    ).all()
    for booking, action_uuid, service_id in rows:
        people = db.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.service_id == service_id,
                Membership.role.in_(("manager", "supervisor")),
            )
        )
        for user in people:
            if notify(
                db,
                user,
                "recheck_due",
                f"/actions/{action_uuid}",
                body=f"A targeted re-check is due by {booking.due_by:%-d %b %Y}.",
                dedupe_key=f"recheck-due-{booking.uuid}-{booking.due_by.isoformat()}",
            ):
                sent += 1
    return sent
