"""Who may see and change how long records are kept.

Retention is the provider's decision as data controller, for the whole organisation: only an
organisation admin sees the retention page (its counts span every service) and changes a
period. Managers get no view of it — a manager of one service would otherwise see counts of
services they do not manage — and the purge itself runs from the command line.
"""

from __future__ import annotations

from careobs.accounts.models import User
from careobs.permissions.roles import require


def may_manage_retention(user: User) -> bool:
    """Organisation admins only."""
    return bool(user.is_org_admin)


retention_required = require(may_manage_retention)
