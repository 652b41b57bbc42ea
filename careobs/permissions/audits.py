"""Who may complete audits, of which templates, in which services; and who plans them.

Whoever may capture in a service (its admins, managers and supervisors) may complete any
published audit template there. An "audit champion" — a care worker with a login, named by a
manager for one template in one service (careobs.audits.schedules.AuditChampion) — may complete
audits of that template in that service while they are still a care worker there, and nothing
more: no other template, no other service, no QUIS, no visits, no dashboards (those rules never
look at assignments). Schedules and champions are set by the service's managers and admins.

:func:`audit_access` gives the whole answer per service; the bootstrap, the sync, "Audits due"
and the home page all ask it, so the phone never offers what the server then refuses.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session

from careobs.accounts.models import ROLES, Membership, User
from careobs.audits.schedules import AuditChampion
from careobs.checklists.models import ChecklistVersion
from careobs.org.models import Service
from careobs.permissions.roles import (
    MANAGE,
    WORK,
    can_manage_service,
    roles_by_service,
    service_ids_select,
)
from careobs.permissions.sync import capture_services


def _template_in_force():
    """The assigned template still has a current published version (it can be completed)."""
    return sa.exists().where(
        ChecklistVersion.checklist_id == AuditChampion.checklist_id,
        ChecklistVersion.published_at.is_not(None),
        ChecklistVersion.retired_at.is_(None),
    )


def championed(user) -> sa.Select:
    """The user's champion assignments that are in force: in an active service of their
    organisation where they are still an active care worker (role "staff"), of a template with
    a published version. :func:`lapsed_reason` says the same of one assignment, in words."""
    return (
        sa.select(AuditChampion)
        .join(Service, Service.id == AuditChampion.service_id)
        .join(User, User.id == AuditChampion.user_id)
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
            User.active.is_(True),
            Service.active.is_(True),
            _template_in_force(),
        )
    )


def lapsed_reason(champion: AuditChampion) -> str | None:
    """Why an assignment is not in force, in words for the manager's plan page (None: it is in
    force). Agrees with :func:`championed`, which is what every rule and count asks."""
    user, service = champion.user, champion.service
    if not user.active:
        return f"{user.display_name}'s login has been deactivated."
    role = roles_by_service(user).get(service.id)
    if role is None:
        return f"{user.display_name} is no longer a member of {service.name}."
    if role != "staff":
        now = ROLES[role].lower()
        reason = f"{user.display_name} is now a {now} at {service.name}, not a care worker"
        if role in WORK:
            return f"{reason}: as a {now} they may complete any audit there."
        return f"{reason}."
    if not service.active:
        return f"{service.name} is no longer active."
    db = object_session(champion)
    if (
        db.scalar(sa.select(_template_in_force().where(AuditChampion.id == champion.id)))
        is not True
    ):
        return f"{champion.checklist.name} has no published version to complete."
    return None


def audit_access(db: Session, user) -> dict[int, set[int] | None]:
    """Who may complete which audit where — the one answer the bootstrap, the sync, "Audits
    due" and the home page all ask: by id of each active service of the user's organisation
    where they may complete audits, None for every published template (they capture there:
    admin, manager, supervisor), else the ids of the templates they are champion of there (in
    force). A service they may not audit in is not a key."""
    access: dict[int, set[int] | None] = {
        service_id: None
        for service_id in db.scalars(capture_services(user).with_only_columns(Service.id))
    }
    rows = db.execute(
        championed(user).with_only_columns(AuditChampion.service_id, AuditChampion.checklist_id)
    )
    for service_id, checklist_id in rows:
        if service_id not in access or access[service_id] is not None:
            access.setdefault(service_id, set()).add(checklist_id)
    return access


def completable_template_ids(user, service: Service) -> set[int] | None:
    """The ids of the templates the user may complete in the service: None for every template
    (capture rights), the assigned ones for a champion, none otherwise (:func:`audit_access`)."""
    if service.organisation_id != user.organisation_id:
        return set()
    return audit_access(object_session(service), user).get(service.id, set())


def may_complete_audit(user, service: Service, template=None) -> bool:
    """Whether the user may complete (and sync) audits in the service — of ``template`` when it
    is given (a Checklist), of at least one template otherwise. Anything else is ``forbidden``."""
    ids = completable_template_ids(user, service)
    if ids is None:
        return True
    return bool(ids) if template is None else template.id in ids


def audits_due_scope(db: Session, user) -> tuple[list[Service], dict[int, set[int] | None]]:
    """The services whose "Audits due" the user sees, by name, and per service id which
    templates (None: all): exactly where they may complete audits (:func:`audit_access`) —
    managers and supervisors their services, a champion their assigned templates."""
    access = audit_access(db, user)
    services = list(
        db.scalars(sa.select(Service).where(Service.id.in_(list(access))).order_by(Service.name))
    )
    return services, access


def audit_services(user) -> sa.Select:
    """The active services the user may complete audits in — the keys of :func:`audit_access`,
    as a query (for pages that look one up by its id)."""
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
    capture page and the home page's link (capture rights, or a champion assignment)."""
    return bool(audit_access(object_session(user), user))


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
