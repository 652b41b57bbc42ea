"""The daily reminders of ``careobs notify due``: monitoring visits due or overdue under the
organisation's frequency settings (design §2.2), with the dates and reasons of the coverage
list, actions coming due or overdue, targeted re-checks coming due (booked from an action or
by a red visit), and scheduled audits overdue or due today (careobs.audits.due)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.accounts.models import Membership, User
from careobs.actions.models import CLOSED, Action, RecheckBooking
from careobs.actions.queries import open_rechecks
from careobs.actions.service import link as action_link
from careobs.actions.service import owner_login
from careobs.audits import champions
from careobs.audits import due as audits_due
from careobs.dashboards import coverage
from careobs.db import utcnow
from careobs.notifications.service import notify
from careobs.org.models import Organisation, Service, StaffMember
from careobs.permissions.actions import visible_actions
from careobs.wording import plural

LOOKAHEAD_DAYS = 7
ACTION_LOOKAHEAD_DAYS = 3


@dataclass(frozen=True)
class DueCheck:
    staff: StaffMember
    due_on: date
    overdue: bool
    reason: str  # why it is due, as coverage's "Due because" says it


def visits_due(db: Session, service: Service, today: date) -> list[DueCheck]:
    """Care workers of a service who are due a monitoring visit within a week, or overdue:
    the due dates and reasons of the coverage list (a worker never checked and with no start
    date is due today)."""
    scope = coverage.service_scope(db, service.organisation_id, [service.id], today)
    found = coverage.workers(db, scope, today)
    staff = {
        member.id: member
        for member in db.scalars(
            sa.select(StaffMember).where(StaffMember.id.in_([w.staff_id for w in found]))
        )
    }
    due = []
    for worker in found:
        due_on = worker.due or today
        if due_on <= today + timedelta(days=LOOKAHEAD_DAYS):
            due.append(DueCheck(staff[worker.staff_id], due_on, due_on < today, worker.due_because))
    return sorted(due, key=lambda d: (d.due_on, d.staff.name))


def due_summary(due: list[DueCheck]) -> str:
    """The reminder's words: how many are due, how many overdue, how many never checked (no
    visit and no start date) and how many after a red result."""
    overdue = sum(d.overdue for d in due)
    never = sum(d.reason == coverage.BECAUSE_NEVER for d in due)
    after_red = sum(not d.overdue and d.reason == coverage.BECAUSE_RED for d in due)
    counts = f"{overdue} overdue"
    if never:  # no date to be late against, but as urgent as overdue (coverage lists them so)
        counts += f", {never} never checked"
    if after_red:
        counts += f", {plural(after_red, 're-check', 're-checks')} after red"
    return (
        f"{plural(len(due), 'care worker', 'care workers')} due a monitoring visit this week"
        f" ({counts})."
    )


def remind(db: Session, today: date | None = None) -> dict[str, int]:
    """Send today's reminders (once per day each); returns how many were sent.

    Each organisation's reminders are for its own today, on its clock (its time zone), unless
    ``today`` says otherwise: just after midnight in London it is still yesterday in UTC.
    """
    sent = {"visits_due": 0, "action_due": 0, "recheck_due": 0, "audits_due": 0}
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
            for user in _managers_and_supervisors(db, service.id):
                if notify(
                    db,
                    user,
                    "visits_due",
                    f"/visits/?service={service.uuid.hex}",
                    body=due_summary(due),
                    dedupe_key=f"visits-due-{service.uuid.hex}-{org_today.isoformat()}",
                ):
                    sent["visits_due"] += 1
        sent["audits_due"] += _remind_audits_due(db, org.id, org_today)
        sent["action_due"] += _remind_action_owners(db, org.id, org_today)
        sent["recheck_due"] += _remind_rechecks(db, org.id, org_today)
    return sent


def audits_summary(items: list) -> str | None:
    """The audit reminder's words, e.g. "3 audits overdue, 2 due today at Rosewood House."
    (None when nothing is overdue or due today)."""
    summary = audits_due.Summary.of(items)
    if not summary.overdue and not summary.due_today:
        return None
    counts = [f"{summary.overdue} overdue"] if summary.overdue else []
    if summary.due_today:
        counts.append(f"{summary.due_today} due today")
    total = summary.overdue + summary.due_today
    noun = "audit" if total == 1 else "audits"
    return f"Scheduled {noun} at {items[0].service.name}: {', '.join(counts)}."


def _remind_audits_due(db: Session, organisation_id: int, today: date) -> int:
    """Managers and supervisors of each active service with scheduled audits overdue or due
    today (once per service and day), linking to the service's "Audits due"; and each audit
    champion there (assignments in force) of what is overdue or due today of their own
    templates, the same way."""
    sent = 0
    services = db.scalars(
        sa.select(Service).where(
            Service.organisation_id == organisation_id, Service.active.is_(True)
        )
    ).all()
    for service in services:
        items = audits_due.service_due(db, service, today)
        body = audits_summary(items) if items else None
        if body is None:
            continue
        told = [(user, body) for user in _managers_and_supervisors(db, service.id)]
        for user, template_ids in _champions(db, service.id):
            own = [i for i in items if i.template.id in template_ids]
            told.append((user, audits_summary(own) if own else None))
        for user, words in told:
            if words is not None and notify(
                db,
                user,
                "audits_due",
                f"/audits/due?service={service.uuid.hex}",
                body=words,
                dedupe_key=f"audits-due-{service.uuid.hex}-{today.isoformat()}",
            ):
                sent += 1
    return sent


def _champions(db: Session, service_id: int) -> list[tuple[User, set[int]]]:
    """The service's audit champions whose assignments are in force, with their templates."""
    found: dict[int, tuple[User, set[int]]] = {}
    for champion in champions.standing(db, service_id)[0]:
        found.setdefault(champion.user_id, (champion.user, set()))[1].add(champion.checklist_id)
    return list(found.values())


def _managers_and_supervisors(db: Session, service_id: int) -> list[User]:
    """Who hears that a service's checks are due: its managers and supervisors."""
    return db.scalars(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.service_id == service_id,
            Membership.role.in_(("manager", "supervisor")),
        )
    ).all()


def _remind_action_owners(db: Session, organisation_id: int, today: date) -> int:
    """Owners of open actions due within the next few days (once) and overdue (once more)."""
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
            action_link(action),
            body=f"An action {when} on {action.due_on:%-d %b %Y}.",
            dedupe_key=f"action-{'overdue' if late else 'due'}-{action.uuid}-{action.due_on}",
        ):
            sent += 1
    return sent


def _remind_rechecks(db: Session, organisation_id: int, today: date) -> int:
    """Supervisors and managers of the service of each targeted re-check due within a week
    (or overdue), once per re-check and due date: re-checks booked from an action link to the
    action, those booked by a red visit to that visit."""
    sent = 0
    rows = db.execute(
        open_rechecks().where(
            RecheckBooking.organisation_id == organisation_id,
            RecheckBooking.due_by <= today + timedelta(days=LOOKAHEAD_DAYS),
        )
    ).all()
    for booking, action_uuid, after_visit_uuid, service_id in rows:
        if action_uuid is not None:
            link, what = f"/actions/{action_uuid}", "A targeted re-check"
        else:
            link, what = f"/visits/{after_visit_uuid}", "A re-check after a red result"
        for user in _managers_and_supervisors(db, service_id):
            if notify(
                db,
                user,
                "recheck_due",
                link,
                body=f"{what} is due by {booking.due_by:%-d %b %Y}.",
                dedupe_key=f"recheck-due-{booking.uuid}-{booking.due_by.isoformat()}",
            ):
                sent += 1
    return sent
