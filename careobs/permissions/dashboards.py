"""Who may see a service's dashboards (QUIS, visits, coverage, actions) and their CSVs.

Per-service figures are for organisation admins and the service's managers; supervisors and
care workers do not see them (a worker sees their own page: careobs.permissions.visits).
"""

from __future__ import annotations

import sqlalchemy as sa

from careobs.permissions.roles import MANAGE, services_select


def dashboard_services(user) -> sa.Select:
    """The services (active or not) whose dashboards the user may see."""
    return services_select(user, MANAGE)
