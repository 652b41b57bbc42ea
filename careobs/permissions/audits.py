"""Who may complete audits, and in which services.

For now an audit is captured like any other record: whoever may capture in a service (its
admins, managers and supervisors) may complete any published audit template there. Delegated
"audit champions" (issue 15) will widen this for named care workers and named templates, here.
"""

from __future__ import annotations

import sqlalchemy as sa

from careobs.org.models import Service
from careobs.permissions.sync import capture_services, may_capture_in


def may_complete_audit(user, service: Service) -> bool:
    """Whether the user may complete (and sync) audits of the service: anything else is
    answered ``forbidden``."""
    return may_capture_in(user, service)


def audit_services(user) -> sa.Select:
    """The active services the user may complete audits in (what decides whether the device's
    bootstrap carries the audit templates)."""
    return capture_services(user)
