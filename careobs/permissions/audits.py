"""Who may complete audits, of which templates, in which services; and who plans them.

Whoever may capture in a service (its admins, managers and supervisors) may complete any
published audit template there. An "audit champion" — a care worker with a login, named by a
manager for one template in one service (careobs.audits.schedules.AuditChampion) — may complete
audits of that template in that service while they are still a care worker there, and nothing
more: no other template, no other service, no QUIS, no visits, no dashboards (those rules never
look at assignments). Schedules and champions are set by the service's managers and admins.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import object_session

from careobs.accounts.models import Membership
from careobs.audits.schedules import AuditChampion
from careobs.org.models import Service
from careobs.permissions.roles import MANAGE, WORK, can_manage_service, service_ids_select
from careobs.permissions.sync import may_capture_in


def championed(user) -> sa.Select:
    """The user's champion assignments that are in force: in an active service of their
    organisation where they are still a care worker (role "staff")."""
    return (
        sa.select(AuditChampion)
        .join(Service, Service.id == AuditChampion.service_id)
        .join(
            Membership,
            sa.and_(
                Membership.user_id == AuditChampion.user_id,
                Membership.service_id == AuditChampion.service_id,
            ),
        )
        .where(
            AuditChampion.user_id == user.id,
            AuditChampion.organisation_id == user.organisation_id,
            Membership.role == "staff",
            Service.active.is_(True),
        )
    )


def champion_template_ids(user, service: Service) -> set[int]:
    """The ids of the templates the user is champion of in ``service`` (in force)."""
    db = object_session(service)
    rows = db.scalars(
        championed(user)
        .where(AuditChampion.service_id == service.id)
        .with_only_columns(AuditChampion.checklist_id)
    )
    return set(rows)


def completable_template_ids(user, service: Service) -> set[int] | None:
    """The ids of the templates the user may complete in the service: None for every template
    (capture rights), the assigned ones for a champion, none otherwise."""
    if service.organisation_id != user.organisation_id:
        return set()
    if may_capture_in(user, service):
        return None
    return champion_template_ids(user, service)


def may_complete_audit(user, service: Service, template=None) -> bool:
    """Whether the user may complete (and sync) audits in the service — of ``template`` when it
    is given (a Checklist), of at least one template otherwise. Anything else is ``forbidden``."""
    ids = completable_template_ids(user, service)
    if ids is None:
        return True
    return bool(ids) if template is None else template.id in ids


def audit_services(user) -> sa.Select:
    """The active services the user may complete audits in: where they capture, and where they
    are a champion (what decides whether the device's bootstrap carries audit templates)."""
    champion_of = championed(user).with_only_columns(AuditChampion.service_id)
    return (
        sa.select(Service)
        .where(
            Service.organisation_id == user.organisation_id,
            Service.active.is_(True),
            sa.or_(Service.id.in_(service_ids_select(user, WORK)), Service.id.in_(champion_of)),
        )
        .order_by(Service.name)
    )


def is_champion(user) -> bool:
    """Whether the user has a champion assignment in force (their home page lists it)."""
    db = object_session(user)
    return db.scalar(sa.select(championed(user).exists())) is True


def may_complete_any_audit(user) -> bool:
    """Whether the user may complete at least one audit somewhere: a guard for the audit
    capture page (capture rights, or a champion assignment)."""
    if user.is_org_admin or any(m.role in WORK for m in user.memberships):
        return True
    return is_champion(user)


def may_plan_audits(user, service: Service) -> bool:
    """Adding, changing and stopping schedules, naming and removing champions: the service's
    managers and the organisation's admins."""
    return can_manage_service(user, service)


def planning_services(user) -> sa.Select:
    """Services whose audits the user plans (admins: all of the organisation's)."""
    return sa.select(Service).where(
        Service.organisation_id == user.organisation_id,
        Service.id.in_(service_ids_select(user, MANAGE)),
    )


def due_services(user) -> sa.Select:
    """Active services whose "Audits due" the user sees: where they are a manager or a
    supervisor (admins: all)."""
    return sa.select(Service).where(
        Service.organisation_id == user.organisation_id,
        Service.active.is_(True),
        Service.id.in_(service_ids_select(user, WORK)),
    )
