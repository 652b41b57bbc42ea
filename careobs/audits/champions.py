"""Audit champions: a manager names a care worker with a login to complete one template's audits
in one service (delegated monitoring, issue 15). Who may then do what is decided in
careobs.permissions.audits; here are the assignments, their candidates and the audit log."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from careobs.accounts.models import Membership, User
from careobs.audit.service import record_about
from careobs.audits.schedules import AuditChampion
from careobs.checklists.models import Checklist
from careobs.org.models import Service
from careobs.permissions import lapsed_reason


def candidates(db: Session, service: Service) -> list[User]:
    """Who may be named: active users who are care workers (role "staff") of the service."""
    return list(
        db.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.service_id == service.id,
                Membership.role == "staff",
                User.active.is_(True),
                User.organisation_id == service.organisation_id,
            )
            .order_by(User.display_name)
        )
    )


def champions_of(db: Session, service_id: int) -> list[AuditChampion]:
    """The service's assignments, by template then name."""
    return list(
        db.scalars(
            sa.select(AuditChampion)
            .join(Checklist, Checklist.id == AuditChampion.checklist_id)
            .join(User, User.id == AuditChampion.user_id)
            .where(AuditChampion.service_id == service_id)
            .order_by(Checklist.name, User.display_name)
            .options(
                selectinload(AuditChampion.user).selectinload(User.memberships),
                selectinload(AuditChampion.checklist),
                selectinload(AuditChampion.service),
            )
        )
    )


def standing(db: Session, service_id: int) -> tuple[list, list[tuple[AuditChampion, str]]]:
    """The service's assignments split in two: those in force, and those no longer in force
    with the reason in words (the worker left, changed role or was deactivated, the template
    has no published version): shown apart on the plan page so a manager can remove them, and
    never counted. careobs.permissions decides which is which."""
    in_force, lapsed = [], []
    for champion in champions_of(db, service_id):
        reason = lapsed_reason(champion)
        if reason is None:
            in_force.append(champion)
        else:
            lapsed.append((champion, reason))
    return in_force, lapsed


def assign(
    db: Session, service: Service, template: Checklist, user: User, actor
) -> tuple[AuditChampion, bool]:
    """Name ``user`` champion of ``template`` in ``service`` (the caller checked they are a
    candidate); returns the assignment and whether it is new. The caller commits."""
    existing = _assignment(db, service.id, template.id, user.id)
    if existing is not None:
        return existing, False
    champion = AuditChampion(
        organisation_id=service.organisation_id,
        service_id=service.id,
        checklist_id=template.id,
        user_id=user.id,
        created_by_id=actor.id,
    )
    try:
        with db.begin_nested():
            db.add(champion)
            db.flush()
    except IntegrityError:  # the same assignment made at the same moment elsewhere
        return _assignment(db, service.id, template.id, user.id), False
    record_about(
        db,
        "audit_champion.assign",
        champion,
        actor=actor,
        summary=f"{user.display_name}: {template.name} at {service.name}",
    )
    return champion, True


def remove(db: Session, champion: AuditChampion, actor) -> None:
    """End an assignment: from now on the sync answers that user's audits of it ``forbidden``."""
    record_about(
        db,
        "audit_champion.remove",
        champion,
        actor=actor,
        summary=f"{champion.user.display_name}: {champion.checklist.name}"
        f" at {champion.service.name}",
    )
    db.delete(champion)


def _assignment(db: Session, service_id: int, checklist_id: int, user_id: int):
    return db.scalar(
        sa.select(AuditChampion).where(
            AuditChampion.service_id == service_id,
            AuditChampion.checklist_id == checklist_id,
            AuditChampion.user_id == user_id,
        )
    )
