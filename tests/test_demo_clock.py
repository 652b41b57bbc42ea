"""The demo is dated from the organisation's today, not the machine's: the pages count due and
overdue days on the organisation's clock, so a demo loaded just after midnight in London (still
the day before in UTC) must not start with its "due today" work a day late."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from careobs import demo
from careobs.db import get_session
from careobs.org.models import StaffMember

DAYS_IN_POST = {name: days for name, _role, days in demo.STAFF[demo.ROSEWOOD]}


@pytest.mark.parametrize(
    ("now", "today"),
    [
        (datetime(2027, 7, 15, 23, 30, tzinfo=UTC), date(2027, 7, 16)),  # 00:30 BST
        (datetime(2027, 1, 15, 23, 30, tzinfo=UTC), date(2027, 1, 15)),  # 23:30 GMT
        (datetime(2028, 2, 29, 12, 0, tzinfo=UTC), date(2028, 2, 29)),
    ],
)
def test_the_demo_is_dated_from_the_organisations_today(app, db, monkeypatch, now, today):
    monkeypatch.setattr(demo, "utcnow", lambda: now)
    with app.app_context():
        demo.load_demo(get_session())
    starts = dict(db.execute(sa.select(StaffMember.name, StaffMember.start_date)).all())
    newest = "Daniel Novak"
    assert (today - starts[newest]).days == DAYS_IN_POST[newest], starts[newest]
