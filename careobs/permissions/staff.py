"""Who a user is as a care worker: the staff records linked to their login."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.org.models import StaffMember


def own_staff_ids(user) -> sa.Select:
    """The staff records linked to the user's login (a care worker's own practice)."""
    return sa.select(StaffMember.id).where(StaffMember.user_id == user.id)
