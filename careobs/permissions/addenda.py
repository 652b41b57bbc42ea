"""Who may add an addendum to a submitted record (a QUIS session, a monitoring visit, ...)."""

from __future__ import annotations

from careobs.permissions.roles import can_manage_service


def may_add_addendum(user, record) -> bool:
    """Whoever wrote a submitted record (its observer or supervisor: ``author_id``), and the
    managers of its service (admins: every service), may add to it; drafts take none."""
    return record.status == "submitted" and (
        record.author_id == user.id or can_manage_service(user, record.service)
    )
