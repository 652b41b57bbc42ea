"""The role vocabulary every record-level rule is written in: roles, services, page guards.

Organisation admins manage everything in their organisation; managers see and manage their
services; supervisors work in their services; staff see only their own things. Nobody ever sees
another organisation's data.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

import sqlalchemy as sa
from flask import abort
from flask_login import current_user, login_required
from sqlalchemy.orm import object_session

from careobs.accounts.models import Membership, User
from careobs.org.models import Service

MANAGE = ("manager",)
WORK = ("manager", "supervisor")
ANY_ROLE = ("manager", "supervisor", "staff")


def roles_by_service(user: User) -> dict[int, str]:
    """The user's role in each service they belong to (admins may have none)."""
    return {m.service_id: m.role for m in user.memberships}


def has_role(user: User, roles: tuple[str, ...]) -> bool:
    """Whether the user holds any of these roles in at least one service."""
    return any(m.role in roles for m in user.memberships)


def can_administer(user: User) -> bool:
    """The admin area is for organisation admins and for managers (for their own services)."""
    return user.is_org_admin or has_role(user, MANAGE)


def can_capture(user: User) -> bool:
    """Admins, managers and supervisors run QUIS observations and monitoring visits."""
    return user.is_org_admin or has_role(user, WORK)


def services_select(user: User, roles: tuple[str, ...] = ANY_ROLE) -> sa.Select:
    """Services of the user's organisation where they hold one of ``roles`` (admins: all)."""
    stmt = sa.select(Service).where(Service.organisation_id == user.organisation_id)
    if not user.is_org_admin:
        member_of = sa.select(Membership.service_id).where(
            Membership.user_id == user.id, Membership.role.in_(roles)
        )
        stmt = stmt.where(Service.id.in_(member_of))
    return stmt.order_by(Service.name)


def service_ids_select(user: User, roles: tuple[str, ...] = ANY_ROLE) -> sa.Select:
    """The ids of :func:`services_select`, for use inside other queries' WHERE clauses."""
    return services_select(user, roles).with_only_columns(Service.id).order_by(None)


def can_manage_service(user: User, service: Service) -> bool:
    """Organisation admins and the service's managers may change its people, staff and areas."""
    if service.organisation_id != user.organisation_id:
        return False
    return user.is_org_admin or roles_by_service(user).get(service.id) in MANAGE


def can_work_in_service(user: User, service: Service) -> bool:
    """Admins, managers and supervisors may observe and record in a service."""
    if service.organisation_id != user.organisation_id:
        return False
    return user.is_org_admin or roles_by_service(user).get(service.id) in WORK


def own_or_managed(model, own: sa.ColumnElement[bool], user: User) -> sa.Select:
    """Records of ``model`` in the user's organisation that are their ``own`` (the condition
    says whose: the author's, the observer's) or in services they manage (admins: all)."""
    return sa.select(model).where(
        model.organisation_id == user.organisation_id,
        sa.or_(own, model.service_id.in_(service_ids_select(user, MANAGE))),
    )


def in_query(query: sa.Select, record) -> bool:
    """Whether ``record`` is among the rows of a ``visible_<kind>`` query (by primary key).

    The record-level predicates ask the same query the lists use, so a page and a list can never
    disagree about one record.
    """
    model = query.column_descriptions[0]["entity"]
    db = object_session(record)
    return db.scalar(sa.select(query.where(model.id == record.id).exists())) is True


def require(check: Callable[[User], bool]) -> Callable:
    """Decorate a view so only logged-in users passing ``check`` reach it; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def is_org_admin(user: User) -> bool:
    """Organisation admins manage services, users and the audit log."""
    return user.is_org_admin


admin_required = require(is_org_admin)
capture_required = require(can_capture)
admin_area_required = require(can_administer)
