"""A checklist of 1000 items (2000 points), for visits whose score lands a hair below a band's
edge: 1799 of 2000 points is 89.95%, which no checklist of 29 items can give."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from careobs.checklists.models import ChecklistItem
from tests.support.visits import publish_new_version, spot_check


def thousand_items(app, db, checklist, admin):
    """The default checklist with 971 more plain items: 1000 items, 2000 points."""

    def grow(draft) -> None:
        domain = draft.domains[-1]
        start = len(domain.items)
        for n in range(971):
            domain.items.append(
                ChecklistItem(key=uuid.uuid4(), position=start + n, text=f"Extra check {n + 1}")
            )

    info = publish_new_version(app, db, checklist, admin, grow)
    assert len(info.items) == 1000
    return info


def big_visit(acme, big, planned: datetime, met: int, partly: int) -> dict:
    """Met, then Partly met, then Not met, over the 1000 items; the critical items (among the
    first 29) are always Met."""
    ratings = {i: "partly" for i in range(met, met + partly)}
    ratings |= {i: "not_met" for i in range(met + partly, 1000)}
    return spot_check(
        acme.homecare,
        acme.staff_members["Hal Homecare"],
        big,
        ratings=ratings,
        planned_at=planned.isoformat(),
        arrived_at=planned.isoformat(),
        left_at=(planned + timedelta(minutes=30)).isoformat(),
    )
