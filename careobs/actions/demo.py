"""Demo actions for "Demo Care Group": a few in each service in different states, one overdue,
one done, and a targeted re-check booked for a Riverside Homecare worker.

Visits submitted by the demo already turned their agreed actions into actions; these are the
ones added by hand or from a QUIS session. Running it again adds nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

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
MEALTIMES = (
    "Mealtime coaching for the lounge and dining room teams: approach from the front, say what "
    "you are about to do, offer choices, never talk over people."
)


def load(db: Session, rosewood, riverside, manager, supervisor, today: date) -> None:
    """Add the demo actions unless they are there already."""
    _mealtime_coaching(db, rosewood, manager, supervisor, today)
    if db.scalar(sa.select(Action.id).where(Action.description == OVERDUE)):
        return

    def staff(service_, name):
        return db.scalar(
            sa.select(StaffMember).where(
                StaffMember.service_id == service_.id, StaffMember.name == name
            )
        )

    def add(author, service_, description: str, owner, due_in_days: int, tags, **source):
        """One demo action, due ``due_in_days`` from today (before it when negative)."""
        return service.create(
            db,
            author,
            service=service_,
            description=description,
            owner=owner,
            due_on=today + timedelta(days=due_in_days),
            cqc_tags=tags,
            **source,
        )

    session = db.scalar(
        sa.select(QuisSession)
        .where(QuisSession.service_id == rosewood.id, QuisSession.status == "submitted")
        .order_by(QuisSession.started_at.desc())
    )
    add(manager, rosewood, OVERDUE, supervisor, -6, ["C1", "W7"], quis_session=session)
    done = add(manager, rosewood, DONE, staff(rosewood, "Aisha Khan"), 3, ["S5", "W5"])
    service.add_progress(db, supervisor, done, text="Folders updated in all rooms.", status="done")
    started = add(manager, riverside, IN_PROGRESS, supervisor, 20, ["S6", "W7"])
    service.add_progress(
        db,
        supervisor,
        started,
        text="Rota drafted for the next two starters.",
        status="in_progress",
    )
    worker = staff(riverside, "Mark Riley")
    recheck = add(supervisor, riverside, RECHECK, worker, 10, ["S8", "W7"])
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


def _mealtime_coaching(db: Session, rosewood, manager, supervisor, today: date) -> None:
    """The difference made: mealtime coaching three months ago, done a fortnight later, named
    with the measure it should move (negative interactions at mealtimes), which the demo's QUIS
    sessions show falling."""
    if db.scalar(sa.select(Action.id).where(Action.description == MEALTIMES)):
        return
    action = service.create(
        db,
        manager,
        service=rosewood,
        description=MEALTIMES,
        owner=supervisor,
        due_on=today,
        cqc_tags=["C1", "C2", "W7"],
        measure={"kind": "quis_negative", "context": "mealtime", "days": 90},
    )
    service.add_progress(
        db, supervisor, action, text="Coaching sessions held for every shift.", status="done"
    )
    # Back-date it to when it happened (the demo is generated today).
    added = datetime.combine(today - timedelta(days=90), time(11), tzinfo=UTC)
    action.created_at = action.updated_at = added
    action.completed_at = added + timedelta(days=14)
    action.due_on = (added + timedelta(days=14)).date()
    for note in action.notes:
        note.created_at = action.completed_at
