"""Hand-built records at known dates, for the retention tests: a QUIS session with its
interactions, feedback, a notification and its push, an action; and the row count of every
table, so a test can say exactly what a purge changed (``changed(before, table_counts(db))``)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa

from careobs.actions.models import Action
from careobs.feedback.models import Feedback
from careobs.models import Base
from careobs.notifications.models import Notification
from careobs.push.models import PushMessage, PushSubscription
from careobs.quis.models import QuisInteraction, QuisSession
from careobs.retention.queries import cutoff_for

DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


def table_counts(db) -> dict[str, int]:
    """The number of rows in every table careobs has (the audit log's included)."""
    db.expire_all()
    return {
        table.name: db.scalar(sa.select(sa.func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """Per table, rows added (positive) or removed (negative); unchanged tables left out."""
    return {name: after[name] - before[name] for name in after if after[name] != before[name]}


def removed_rows(run) -> dict[str, int]:
    """A purge run's rows per table as ``changed`` says them (removed: negative)."""
    return {name: -n for name, n in run.rows.items()}


def cutoff(app, db, org, months: int):
    """The type's cut-off instant for ``org`` today (the first moment kept)."""
    with app.app_context():
        return cutoff_for(db, org.org.id, months).instant


def quis_session(db, org, started_at: datetime, *, interactions: int = 2, service=None):
    """A submitted QUIS session observed by the supervisor, with coded interactions."""
    service = service or org.care_home
    session = QuisSession(
        uuid=uuid.uuid4(),
        organisation_id=org.org.id,
        service_id=service.id,
        status="submitted",
        revision=1,
        content_hash="0" * 64,
        observer_id=org.supervisor.id,
        context="mealtime",
        started_at=started_at,
        planned_minutes=30,
        frame_minutes=5,
        people=["R01"],
        n_ps=interactions,
    )
    db.add(session)
    db.flush()
    db.add_all(
        QuisInteraction(
            session_id=session.id,
            uuid=uuid.uuid4(),
            position=n,
            at=started_at + timedelta(minutes=n),
            people=["R01"],
            category="PS",
        )
        for n in range(interactions)
    )
    db.flush()
    return session


def released_feedback(db, org, session) -> tuple[Feedback, Notification, PushMessage]:
    """Feedback drafted from ``session`` to Carla, its notification to the worker and the push
    that carried it."""
    feedback = Feedback(
        organisation_id=org.org.id,
        service_id=session.service_id,
        staff_id=org.staff_members["Carla Carer"].id,
        author_id=org.supervisor.id,
        quis_session_id=session.id,
        status="released",
        went_well="Warm greeting.",
    )
    db.add(feedback)
    db.flush()
    note = Notification(
        organisation_id=org.org.id,
        user_id=org.staff.id,
        kind="feedback_released",
        title="New feedback",
        link=f"/feedback/{feedback.uuid}",
    )
    db.add(note)
    db.flush()
    subscription = PushSubscription(
        user_id=org.staff.id, endpoint=f"https://push.test/{note.id}", p256dh="k", auth="a"
    )
    db.add(subscription)
    db.flush()
    push = PushMessage(subscription_id=subscription.id, notification_id=note.id, payload={})
    db.add(push)
    db.flush()
    return feedback, note, push


def action(db, org, *, status: str = "open", completed_at=None, service=None, **links) -> Action:
    """An action in the care home (or ``service``), open unless ``status`` says otherwise."""
    item = Action(
        organisation_id=org.org.id,
        service_id=(service or org.care_home).id,
        description="Greet people by name at lunch.",
        created_by_id=org.manager.id,
        status=status,
        source="quis" if "quis_session_id" in links else "manual",
        completed_at=completed_at,
        **links,
    )
    if completed_at is not None:
        item.updated_at = completed_at
    db.add(item)
    db.flush()
    return item
