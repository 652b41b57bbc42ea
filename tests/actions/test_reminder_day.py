"""``careobs notify due`` reminds on the organisation's day, not the machine's: at 00:30 in
London in summer it is still yesterday in UTC, and an action due yesterday is overdue."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from careobs.db import get_session
from careobs.notifications import due
from careobs.notifications.models import Notification


@pytest.mark.parametrize(
    ("now", "late"),
    [
        (datetime(2027, 7, 15, 23, 30, tzinfo=UTC), True),  # 00:30 BST on 16 July
        (datetime(2027, 7, 15, 22, 30, tzinfo=UTC), False),  # 23:30 BST on 15 July
        (datetime(2027, 1, 15, 23, 30, tzinfo=UTC), False),  # 23:30 GMT on 15 January
    ],
)
def test_an_action_is_due_or_overdue_by_the_organisations_day(
    app, make_action, hal_user, db, monkeypatch, now, late
):
    due_on = date(2027, 7, 15) if now.month == 7 else date(2027, 1, 15)
    action = make_action(due_on=due_on)
    monkeypatch.setattr(due, "utcnow", lambda: now)
    with app.app_context():
        sent = due.remind(get_session())
        get_session().commit()
    assert sent["action_due"] == 1
    [notice] = db.scalars(sa.select(Notification).where(Notification.kind == "action_due"))
    assert notice.user_id == hal_user.id
    state = "overdue" if late else "due"
    assert notice.dedupe_key == f"action-{state}-{action.uuid}-{due_on}"
    assert notice.body.startswith("An action was due" if late else "An action is due")
