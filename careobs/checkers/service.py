"""Giving quality checkers their work and taking it back, and what each checker has to do.

A manager gives a checker of the service a submitted staff audit to co-audit, or a person a
draw of people picked to talk with. Who may do that, and which assignments are in force, is
careobs.permissions.checkers's answer; here are the writes (flushed, never committed), their
audit events and the notice to the checker. Both writes are idempotent: a double submit or two
managers at once give one assignment (the table's unique constraints decide the race).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from careobs.accounts.models import Membership, User
from careobs.audit.service import record_about
from careobs.audits.models import Audit
from careobs.checkers.models import CheckerAssignment
from careobs.notifications.service import notify
from careobs.org.models import Person, Service
from careobs.permissions import CHECKER_ROLES, assignments_in_force, lapsed_assignment_reason
from careobs.permissions.coaudits import done_co_audits
from careobs.selection.models import SelectionDraw
from careobs.voice.models import Conversation

# What the checker is told (in-app and on a lock screen): no names, no codes, only a link home.
NOTICE = {"co_audit": "coaudit_assigned", "conversation": "conversation_assigned"}
HOME = "/"


def candidates(db: Session, service: Service) -> list[User]:
    """Who may be given work: active users who are quality checkers of the service."""
    return list(
        db.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.service_id == service.id,
                Membership.role.in_(CHECKER_ROLES),
                User.active.is_(True),
                User.organisation_id == service.organisation_id,
            )
            .order_by(User.display_name)
        )
    )


def give_co_audit(
    db: Session, audit: Audit, checker: User, actor
) -> tuple[CheckerAssignment, bool]:
    """Ask ``checker`` to co-audit the staff ``audit`` (the caller checked both may be); returns
    the assignment and whether it is new."""
    return _give(
        db,
        CheckerAssignment(
            organisation_id=audit.organisation_id,
            service_id=audit.service_id,
            user_id=checker.id,
            kind="co_audit",
            audit_id=audit.id,
            created_by_id=actor.id,
        ),
        sa.and_(CheckerAssignment.audit_id == audit.id, CheckerAssignment.user_id == checker.id),
        actor,
    )


def give_conversation(
    db: Session, draw: SelectionDraw, person: Person, checker: User, actor
) -> tuple[CheckerAssignment, bool]:
    """Give the conversation with ``person`` (picked by ``draw``) to ``checker``. A person is
    given to one checker: when someone already holds them, that assignment is returned (not
    new) whoever it names, and the caller says so."""
    return _give(
        db,
        CheckerAssignment(
            organisation_id=draw.organisation_id,
            service_id=draw.service_id,
            user_id=checker.id,
            kind="conversation",
            draw_id=draw.id,
            person_id=person.id,
            created_by_id=actor.id,
        ),
        sa.and_(CheckerAssignment.draw_id == draw.id, CheckerAssignment.person_id == person.id),
        actor,
    )


def _give(db: Session, new: CheckerAssignment, same, actor) -> tuple[CheckerAssignment, bool]:
    existing = db.scalar(sa.select(CheckerAssignment).where(same))
    if existing is not None:
        return existing, False
    try:
        with db.begin_nested():
            db.add(new)
            db.flush()
    except IntegrityError:  # the same assignment made at the same moment elsewhere
        return db.scalar(sa.select(CheckerAssignment).where(same)), False
    record_about(db, "checker_assignment.assign", new, actor=actor, summary=describe(new))
    notify(
        db,
        new.user,
        NOTICE[new.kind],
        HOME,
        dedupe_key=f"checker-assignment-{new.id}",
    )
    return new, True


def remove(db: Session, assignment: CheckerAssignment, actor) -> None:
    """Take an assignment back: the checker no longer sees it, and the sync refuses their
    conversation for it. What they already recorded is kept."""
    record_about(
        db, "checker_assignment.remove", assignment, actor=actor, summary=describe(assignment)
    )
    db.delete(assignment)
    db.flush()


def describe(assignment: CheckerAssignment) -> str:
    """The audit log's words for an assignment: the checker, the task, the service."""
    return f"{assignment.user.display_name}: {task_text(assignment)} at {assignment.service.name}"


def task_text(assignment: CheckerAssignment) -> str:
    """What the work is about, without a staff name: "co-audit of Care plan audit (R07)",
    "conversation with R03"."""
    if assignment.kind == "conversation":
        return f"conversation with {assignment.person.code}"
    audit = assignment.audit
    return f"co-audit of {audit.checklist_version.checklist.name} ({subject_text(audit)})"


def subject_text(audit: Audit) -> str:
    """An audit's subject as a checker may see it: a person's code, an area, the service (staff
    audits are never given to checkers)."""
    return "a member of staff" if audit.subject_type == "staff" else audit.subject_text


def of_service(db: Session, service_id: int) -> tuple[list, list]:
    """The service's assignments split into those in force and those lapsed (with the reason),
    for its managers: the lapsed ones shown apart so they can be removed."""
    rows = db.scalars(
        sa.select(CheckerAssignment)
        .where(CheckerAssignment.service_id == service_id)
        .order_by(CheckerAssignment.created_at, CheckerAssignment.id)
        .options(
            selectinload(CheckerAssignment.user).selectinload(User.memberships),
            selectinload(CheckerAssignment.service),
        )
    )
    in_force, lapsed = [], []
    for assignment in rows:
        reason = lapsed_assignment_reason(assignment)
        if reason is None:
            in_force.append(assignment)
        else:
            lapsed.append((assignment, reason))
    return in_force, lapsed


@dataclass
class Task:
    """One assignment on a checker's home page; ``done_at`` once its record is submitted, and
    ``conversation`` when it is a conversation the checker recorded (they may open it)."""

    assignment: CheckerAssignment
    done_at: datetime | None = None
    conversation: Conversation | None = None

    @property
    def about(self) -> str:
        return task_text(self.assignment)


def tasks_of(db: Session, user) -> list[Task]:
    """The checker's assignments in force, oldest first, each with when it was done: their
    submitted co-audit of that audit, or the drawn person's submitted conversation."""
    assignments = db.scalars(
        assignments_in_force(user)
        .order_by(CheckerAssignment.created_at, CheckerAssignment.id)
        .options(
            selectinload(CheckerAssignment.audit),
            selectinload(CheckerAssignment.person),
            selectinload(CheckerAssignment.draw),
        )
    ).all()
    audit_uuids = [a.audit.uuid for a in assignments if a.kind == "co_audit"]
    co_audited = dict(
        db.execute(
            done_co_audits(user)
            .with_only_columns(Audit.compare_with, sa.func.max(Audit.ended_at))
            .where(Audit.compare_with.in_(audit_uuids))
            .group_by(Audit.compare_with)
        ).all()
    )
    talked = {
        (c.draw_id, c.person_id): c
        for c in db.scalars(
            sa.select(Conversation).where(
                Conversation.draw_id.in_([a.draw_id for a in assignments if a.draw_id]),
                Conversation.status == "submitted",
            )
        )
    }
    tasks = []
    for a in assignments:
        if a.kind == "co_audit":
            done = a.audit.uuid in co_audited
            tasks.append(Task(a, (co_audited[a.audit.uuid] or a.created_at) if done else None))
            continue
        conversation = talked.get((a.draw_id, a.person_id))
        if conversation is None:
            tasks.append(Task(a))
        else:
            mine = conversation if conversation.interviewer_id == user.id else None
            tasks.append(Task(a, conversation.ended_at or conversation.started_at, mine))
    return tasks


def conversation_tasks(db: Session, user, services: list[dict]) -> list[dict]:
    """The conversations given to ``user`` that are in force and not yet recorded, for the
    device (``draw_id``, ``person_code``, ``service_id``: public ids); each person's code is
    also added to their service's ``people`` in the bootstrap's ``services`` (when listed)."""
    tasks = [
        {
            "draw_id": str(t.assignment.draw.uuid),
            "person_code": t.assignment.person.code,
            "service_id": str(t.assignment.service.uuid),
            "consent": t.assignment.person.consent,
        }
        for t in tasks_of(db, user)
        if t.assignment.kind == "conversation" and t.done_at is None
    ]
    by_id = {s["id"]: s for s in services}
    for task in tasks:
        entry = by_id.get(task["service_id"])
        consent = task.pop("consent")
        if entry is not None and task["person_code"] not in {p["code"] for p in entry["people"]}:
            entry["people"].append({"code": task["person_code"], "consent": consent})
    return tasks
