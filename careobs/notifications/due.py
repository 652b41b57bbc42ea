"""The daily reminders of ``careobs notify due``: monitoring visits due or overdue under the
organisation's frequency settings (design §2.2), and agreed actions coming due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.accounts.models import Membership, User
from careobs.notifications.service import notify
from careobs.org.models import Organisation, Service, StaffMember
from careobs.org.settings import settings_for
from careobs.spotchecks.models import MonitoringVisit, VisitAction

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
    """Send today's reminders (once per day each); returns how many were sent."""
    today = today or date.today()
    sent = {"visits_due": 0, "action_due": 0}
    for org in db.scalars(sa.select(Organisation)):
        services = db.scalars(
            sa.select(Service).where(
                Service.organisation_id == org.id,
                Service.active.is_(True),
                Service.kind == "homecare",
            )
        )
        for service in services:
            due = visits_due(db, service, today)
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
                    dedupe_key=f"visits-due-{service.uuid.hex}-{today.isoformat()}",
                ):
                    sent["visits_due"] += 1
    actions = db.execute(
        sa.select(VisitAction, MonitoringVisit.uuid)
        .join(MonitoringVisit, VisitAction.visit_id == MonitoringVisit.id)
        .where(
            VisitAction.due_on.is_not(None),
            VisitAction.due_on <= today + timedelta(days=ACTION_LOOKAHEAD_DAYS),
            VisitAction.due_on >= today - timedelta(days=1),
        )
    ).all()
    for action, visit_uuid in actions:
        owner = action.owner_user or (action.owner_staff.user if action.owner_staff else None)
        if owner is not None and notify(
            db,
            owner,
            "action_due",
            f"/visits/{visit_uuid}",
            body=f"An agreed action is due on {action.due_on:%-d %b %Y}.",
            dedupe_key=f"action-due-{action.uuid}-{action.due_on.isoformat()}",
        ):
            sent["action_due"] += 1
    return sent
