"""Demo actions for "Demo Care Group": a few in each service in different states, one overdue,
one done, and a targeted re-check booked for a Riverside Homecare worker.

Visits submitted by the demo already turned their agreed actions into actions; these are the
ones added by hand or from a QUIS session. Running it again adds nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.actions import service
from careobs.actions.models import Action
from careobs.checklists.models import ChecklistItem
from careobs.org.models import StaffMember
from careobs.quis.models import QuisSession

OVERDUE = "Run a lunchtime dignity huddle with the dining room team."
DONE = "Put the updated hoist guidance in every bedroom folder."
IN_PROGRESS = "Pair new starters with a senior carer for their first two weeks of nights."
RECHECK = "Medicines refresher, then a focused re-check of medicines practice."


def load(db: Session, rosewood, riverside, manager, supervisor, today: date) -> None:
    """Add the demo actions unless they are there already."""
    if db.scalar(sa.select(Action.id).where(Action.description == OVERDUE)):
        return

    def staff(service_, name):
        return db.scalar(
            sa.select(StaffMember).where(
                StaffMember.service_id == service_.id, StaffMember.name == name
            )
        )

    session = db.scalar(
        sa.select(QuisSession)
        .where(QuisSession.service_id == rosewood.id, QuisSession.status == "submitted")
        .order_by(QuisSession.started_at.desc())
    )
    service.create(
        db,
        manager,
        service=rosewood,
        description=OVERDUE,
        owner=supervisor,
        due_on=today - timedelta(days=6),
        cqc_tags=["C1", "W7"],
        quis_session=session,
    )
    done = service.create(
        db,
        manager,
        service=rosewood,
        description=DONE,
        owner=staff(rosewood, "Aisha Khan"),
        due_on=today + timedelta(days=3),
        cqc_tags=["S5", "W5"],
    )
    service.add_progress(db, supervisor, done, text="Folders updated in all rooms.", status="done")
    started = service.create(
        db,
        manager,
        service=riverside,
        description=IN_PROGRESS,
        owner=supervisor,
        due_on=today + timedelta(days=20),
        cqc_tags=["S6", "W7"],
    )
    service.add_progress(
        db,
        supervisor,
        started,
        text="Rota drafted for the next two starters.",
        status="in_progress",
    )
    worker = staff(riverside, "Mark Riley")
    recheck = service.create(
        db,
        supervisor,
        service=riverside,
        description=RECHECK,
        owner=worker,
        due_on=today + timedelta(days=10),
        cqc_tags=["S8", "W7"],
    )
    medicines = db.scalars(
        sa.select(ChecklistItem.key)
        .where(ChecklistItem.text.ilike("%medicine%"))
        .order_by(ChecklistItem.id)
        .limit(3)
    ).all()
    service.book_recheck(
        db,
        supervisor,
        recheck,
        staff=worker,
        due_by=today + timedelta(days=14),
        focus_item_keys=list(dict.fromkeys(medicines)),
    )
    db.flush()
