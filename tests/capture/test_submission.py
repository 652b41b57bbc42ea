"""A subscriber to ``record_submitted`` is part of the submission: it runs in the sync's
transaction, and when it raises, the document alone is answered ``invalid`` with nothing of it
written, exactly as when the capturing feature called it directly."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.capture import events
from careobs.feedback.models import Feedback
from careobs.notifications.models import Notification
from careobs.quis.models import QuisSession
from tests.support.database import count
from tests.support.quis import interaction, quis_doc
from tests.support.sync import SyncApi


@pytest.fixture
def failing_for(request):
    """``failing_for(document)``: a record_submitted receiver, connected after the app's own,
    that raises for that document only (disconnected after the test)."""

    def connect(document):
        def receiver(_kind_name, *, record, **_):
            if str(record.uuid) == document["id"]:
                raise RuntimeError("a subscriber failed")

        events.subscribe(events.record_submitted, "quis_session", receiver)
        request.addfinalizer(lambda: events.record_submitted.disconnect(receiver))

    return connect


def test_a_failing_subscriber_makes_its_document_invalid_and_writes_nothing_of_it(
    client, auth, db, org, failing_for
):
    carla = org.staff_members["Carla Carer"]
    good, poison, last = (
        quis_doc(
            org.care_home,
            status="submitted",
            interactions=[
                interaction("PS", staff=carla),
                interaction("NR", staff=carla, negative_reason="task_focused"),
            ],
            feedback=[
                {
                    "staff_id": str(carla.uuid),
                    "went_well": "Kind.",
                    "to_develop": "",
                    "release": True,
                }
            ],
        )
        for _ in range(3)
    )
    failing_for(poison)
    auth.login(org.supervisor)

    results = SyncApi(client)(good, poison, last)

    assert [r["status"] for r in results] == ["created", "invalid", "created"]
    stored = {str(u) for u in db.scalars(sa.select(QuisSession.uuid))}
    assert stored == {good["id"], last["id"]}
    # What the subscribers before the failing one did (feedback, the safeguarding alert) was
    # undone with the document.
    assert count(db, Feedback) == 2
    assert count(db, Notification, Notification.kind == "safeguarding") == 2
    assert count(db, AuditEvent, AuditEvent.action == "quis_session_submitted") == 2
