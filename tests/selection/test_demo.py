"""The demo shows the draws: a morning's draw of care workers, a second one the same morning
with its reason, and a draw of people; every one verifies, and loading again adds none."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.checkers.demo import SECOND_DRAW
from careobs.db import get_session
from careobs.demo import RIVERSIDE, load_demo
from careobs.org.models import Service
from careobs.selection import service
from careobs.selection.demo import REPEAT_REASON
from careobs.selection.models import SelectionDraw
from tests.support.demo import load_demo_once


def test_the_demo_has_a_repeat_draw_with_its_reason(app):
    with app.app_context():
        db = get_session()
        load_demo_once(db)
        load_demo(db)  # again: nothing added twice
        riverside = db.scalar(sa.select(Service).where(Service.name == RIVERSIDE))
        found = db.scalars(
            sa.select(SelectionDraw)
            .where(SelectionDraw.service_id == riverside.id)
            .order_by(SelectionDraw.kind.desc(), SelectionDraw.sequence)
        ).all()

        assert [(d.kind, d.sequence, len(d.result), d.repeat_reason) for d in found] == [
            ("workers", 1, 3, None),
            ("workers", 2, 2, REPEAT_REASON),
            ("people", 1, 3, None),
            # A second draw for the quality checker (careobs/checkers/demo.py).
            ("people", 2, 2, SECOND_DRAW),
        ]
        first, second, *_ = found
        assert second.inputs["previous_draw"] == str(first.uuid)
        assert service.local_day(db, first) == service.local_day(db, second)
        assert all(service.verify(d) for d in found)
